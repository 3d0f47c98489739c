import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareSocketDir, SocketDirError } from './socket-dir.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emkit-sockdir-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('prepareSocketDir', () => {
  it('makes the directory 0700, tightens a looser one, and clears the sockets left behind', () => {
    const dir = join(root, 'sock');
    expect(prepareSocketDir(dir)).toEqual({ dir, fallback: false });
    expect(mode(dir)).toBe('700');

    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'old-0.sock'), '');
    writeFileSync(join(dir, 'keep.txt'), '');
    prepareSocketDir(dir);
    expect(mode(dir)).toBe('700');
    expect(existsSync(join(dir, 'old-0.sock'))).toBe(false);
    expect(existsSync(join(dir, 'keep.txt'))).toBe(true);
  });

  it('refuses a link in its place', () => {
    mkdirSync(join(root, 'elsewhere'));
    symlinkSync(join(root, 'elsewhere'), join(root, 'sock'));
    expect(() => prepareSocketDir(join(root, 'sock'))).toThrow(SocketDirError);
  });

  it('uses a private temporary directory when the home is too deep for a socket path', () => {
    const deep = join(root, 'd'.repeat(80), 'sock');
    const { dir, fallback } = prepareSocketDir(deep);
    try {
      expect(fallback).toBe(true);
      expect(dir.startsWith(tmpdir())).toBe(true);
      expect(mode(dir)).toBe('700');
      expect(existsSync(deep)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
