import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { resolveSource, snapshotSource } from './source.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emkit-source-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = join(root, 'src');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function listed(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listed(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

async function refusal(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('resolving a source', () => {
  it('takes a notebook or a script as its folder with it as the entry point', async () => {
    const dir = tree({ 'a.ipynb': '{}', 'b.py': '' });
    expect(await resolveSource(join(dir, 'a.ipynb'), undefined)).toEqual({ root: dir, entryPoint: 'a.ipynb', kind: 'notebook' });
    expect(await resolveSource(join(dir, 'b.py'), undefined)).toEqual({ root: dir, entryPoint: 'b.py', kind: 'script' });
  });

  it('takes a folder with an entry point inside it, and nothing outside', async () => {
    const dir = tree({ 'pkg/main.py': '' });
    expect(await resolveSource(dir, 'pkg/main.py')).toEqual({ root: dir, entryPoint: 'pkg/main.py', kind: 'script' });
    expect((await refusal(resolveSource(dir, undefined))).field).toBe('source.entryPoint');
    expect((await refusal(resolveSource(dir, '../x.py'))).status).toBe(422);
    expect((await refusal(resolveSource(dir, '/etc/passwd.py'))).status).toBe(422);
    expect((await refusal(resolveSource(dir, 'pkg/absent.py'))).message).toContain('does not exist');
  });
});

describe('snapshotting a source', () => {
  it('copies the folder but what the default rules and .emkitignore leave out', async () => {
    const dir = tree({
      'train.py': 'print(1)',
      'lib/util.py': '',
      'lib/__pycache__/util.cpython-311.pyc': 'x',
      '.git/HEAD': 'ref',
      '.ipynb_checkpoints/train-checkpoint.py': '',
      'node_modules/x/index.js': '',
      'outputs/big.bin': 'x',
      'data/keep.csv': 'a,b',
      'data/skip.tmp': '',
      '.emkitignore': 'outputs/\n*.tmp\n',
    });
    const target = join(root, 'snap');
    const result = await snapshotSource({ root: dir, entryPoint: 'train.py', kind: 'script' }, target);
    expect(listed(target).sort()).toEqual(['.emkitignore', 'data/keep.csv', 'lib/util.py', 'train.py']);
    expect(result.files).toBe(4);
  });

  it('copies a linked file as its content and skips a linked folder', async () => {
    const dir = tree({ 'train.py': '', 'real/data.csv': '1' });
    symlinkSync(join(dir, 'real', 'data.csv'), join(dir, 'link.csv'));
    symlinkSync(root, join(dir, 'loop'));
    const target = join(root, 'snap');
    await snapshotSource({ root: dir, entryPoint: 'train.py', kind: 'script' }, target);
    expect(listed(target).sort()).toEqual(['link.csv', 'real/data.csv', 'train.py']);
  });

  it('refuses a folder over the cap before copying anything, saying what to do', async () => {
    const dir = tree({ 'train.py': '', 'big.bin': 'x'.repeat(2048) });
    const target = join(root, 'snap');
    const error = await refusal(
      snapshotSource({ root: dir, entryPoint: 'train.py', kind: 'script' }, target, { maxBytes: 1024, maxFiles: 10 }),
    );
    expect(error.status).toBe(413);
    expect(error.message).toContain('.emkitignore');
    expect(() => readdirSync(target)).toThrow();
    const many = tree({ 'a.py': '', 'b.py': '', 'c.py': '' });
    expect(
      (await refusal(snapshotSource({ root: many, entryPoint: 'a.py', kind: 'script' }, target, { maxBytes: 1e9, maxFiles: 2 })))
        .status,
    ).toBe(413);
  });

  it('refuses an entry point the ignore rules leave out', async () => {
    const dir = tree({ 'train.py': '', '.emkitignore': '*.py\n' });
    const error = await refusal(snapshotSource({ root: dir, entryPoint: 'train.py', kind: 'script' }, join(root, 'snap')));
    expect(error.message).toContain('excluded');
  });
});
