import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageFolder } from './ray-package.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'emkit-pkg-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** What Python's zipfile (what Ray unpacks with) reads from the zip: name → text. */
function unzip(zip: Buffer): Record<string, string> {
  const dir = folder({});
  writeFileSync(join(dir, 'p.zip'), zip);
  const read = spawnSync(
    'python3',
    [
      '-c',
      'import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))',
      join(dir, 'p.zip'),
    ],
    { encoding: 'utf8' },
  );
  if (read.status !== 0) throw new Error(read.stderr);
  return JSON.parse(read.stdout) as Record<string, string>;
}

describe("a folder as a Ray job's working directory", () => {
  it('zips the files at the root, named after the contents', async () => {
    const dir = folder({ 'train.py': 'print(1)\n', 'data/a.csv': 'x\n1\n' });
    const pkg = await packageFolder(dir);
    expect(pkg.name).toMatch(/^_ray_pkg_[0-9a-f]{32}\.zip$/);
    expect(unzip(pkg.zip)).toEqual({ 'data/a.csv': 'x\n1\n', 'train.py': 'print(1)\n' });
  });

  it('names the same contents the same, wherever and whenever they are, and other contents otherwise', async () => {
    const one = await packageFolder(folder({ 'a.py': 'A', 'b/c.py': 'C' }));
    const two = await packageFolder(folder({ 'b/c.py': 'C', 'a.py': 'A' }));
    const other = await packageFolder(folder({ 'a.py': 'A2', 'b/c.py': 'C' }));
    expect(two.name).toBe(one.name);
    expect(other.name).not.toBe(one.name);
  });
});
