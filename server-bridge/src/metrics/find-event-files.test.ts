import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findEventFiles, qualifiedTag, runNameFor, type UnreadableFolder } from './find-event-files.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'emkit-event-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** An `unreadable` that records what it is told. */
function recorder(): { told: [string, string | undefined][]; unreadable: UnreadableFolder } {
  const told: [string, string | undefined][] = [];
  return { told, unreadable: (dir, error) => told.push([dir, error.code]) };
}

describe('findEventFiles', () => {
  it('finds tfevents files recursively, without following symlinked directories', async () => {
    const root = path.join(tmp, 'find');
    const deep = path.join(root, ...Array.from({ length: 9 }, (_, i) => `d${i + 1}`));
    await mkdir(deep, { recursive: true });
    await mkdir(path.join(root, 'loss_train'), { recursive: true });
    for (const f of [
      'events.out.tfevents.1.host',
      'notes.txt',
      'loss_train/events.out.tfevents.2.host',
      'd1/d2/d3/d4/d5/d6/d7/d8/events.out.tfevents.8',
      'd1/d2/d3/d4/d5/d6/d7/d8/d9/events.out.tfevents.9',
    ]) {
      await writeFile(path.join(root, f), '');
    }
    await symlink(path.join(root, 'loss_train'), path.join(root, 'linked'));
    await symlink(path.join(root, 'events.out.tfevents.1.host'), path.join(root, 'link.tfevents'));

    const { told, unreadable } = recorder();
    const files = await findEventFiles(root, unreadable);
    expect(files.map((f) => path.relative(root, f))).toEqual([
      'd1/d2/d3/d4/d5/d6/d7/d8/events.out.tfevents.8',
      'events.out.tfevents.1.host',
      'link.tfevents',
      'loss_train/events.out.tfevents.2.host',
    ]);
    expect(files.map((f) => runNameFor(root, f))).toEqual(['d1/d2/d3/d4/d5/d6/d7/d8', '', '', 'loss_train']);
    // a missing folder is simply empty: nothing to tell
    expect(await findEventFiles(path.join(tmp, 'missing'), unreadable)).toEqual([]);
    expect(told).toEqual([]);
  });

  it('tells of a folder it cannot read instead of taking it for an empty one', async () => {
    // ENOTDIR stands in for EACCES, which root (as the tests may run) never gets
    const notAFolder = path.join(tmp, 'not-a-folder');
    await writeFile(notAFolder, '');
    const { told, unreadable } = recorder();
    expect(await findEventFiles(notAFolder, unreadable)).toEqual([]);
    expect(told).toEqual([[notAFolder, 'ENOTDIR']]);
  });

  it('qualifies tags with their run', () => {
    expect(qualifiedTag('', 'loss')).toBe('loss');
    expect(qualifiedTag('loss_train', 'loss')).toBe('loss_train/loss');
  });
});
