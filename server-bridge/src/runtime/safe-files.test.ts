import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyRegularFile, FileRefused, readdirIfPresent, readRegularFile } from './safe-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emkit-safe-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a file a user named', () => {
  it('reads a regular file, and answers undefined for a missing one', async () => {
    writeFileSync(join(dir, 'a.txt'), 'text');
    expect(await readRegularFile(join(dir, 'a.txt'), 10)).toBe('text');
    expect(await readRegularFile(join(dir, 'absent'), 10)).toBeUndefined();
  });

  it('refuses a FIFO without waiting for a writer, a device, a folder, and a file over the cap', async () => {
    spawnSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('/dev/zero', join(dir, 'zero'));
    writeFileSync(join(dir, 'big'), 'x'.repeat(11));
    for (const [name, reason] of [
      ['fifo', 'not_regular'],
      ['zero', 'not_regular'],
      ['.', 'not_regular'],
      ['big', 'too_big'],
    ]) {
      const error = await readRegularFile(join(dir, name as string), 10).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileRefused);
      expect((error as FileRefused).reason).toBe(reason);
    }
  });

  it('refuses a link where links are not followed', async () => {
    writeFileSync(join(dir, 'real'), 'x');
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const error = await readRegularFile(join(dir, 'link'), 10, { noFollow: true }).catch((e: unknown) => e);
    expect((error as FileRefused).reason).toBe('not_regular');
  });

  it('lists a missing folder as empty, but reports any other failure', async () => {
    expect(await readdirIfPresent(join(dir, 'absent'))).toEqual([]);
    writeFileSync(join(dir, 'file'), 'x');
    await expect(readdirIfPresent(join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('copies a file with its permissions, and no further than the cap', async () => {
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    expect(await copyRegularFile(join(dir, 'run.sh'), join(dir, 'copy.sh'), 100)).toBe(18);
    expect(statSync(join(dir, 'copy.sh')).mode & 0o777).toBe(0o755);
    const error = await copyRegularFile(join(dir, 'run.sh'), join(dir, 'small.sh'), 10).catch((e: unknown) => e);
    expect((error as FileRefused).reason).toBe('too_big');
  });
});
