import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { privateDirectory, privateFile, UnsafeHomeError } from './private-files.js';

const made: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'emkit-private-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('private files', () => {
  it('closes a folder and a file others could read, and says so', () => {
    const dir = temp();
    chmodSync(dir, 0o755);
    const file = join(dir, 'token');
    writeFileSync(file, 'x');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    privateDirectory(dir, 'home', warnings);
    privateFile(file, 'token file', warnings);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain('mode 0644');
  });

  it('leaves private ones alone, silently, and a missing file is no error', () => {
    const dir = temp();
    chmodSync(dir, 0o700);
    const warnings: string[] = [];
    privateDirectory(dir, 'home', warnings);
    privateFile(join(dir, 'absent'), 'token file', warnings);
    expect(warnings).toEqual([]);
  });

  it('refuses a secret that is a link', () => {
    const dir = temp();
    writeFileSync(join(dir, 'elsewhere'), 'x');
    symlinkSync(join(dir, 'elsewhere'), join(dir, 'token'));
    expect(() => privateFile(join(dir, 'token'), 'token file', [])).toThrow(UnsafeHomeError);
  });
});
