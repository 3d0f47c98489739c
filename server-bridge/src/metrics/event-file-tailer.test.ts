import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cat, event, fileVersion, simpleValue } from '../testing/event-records.js';
import { EventFileTailer } from './event-file-tailer.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'emkit-event-file-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('EventFileTailer', () => {
  it('tolerates a missing file, reads appended records only once, and waits for partial ones', async () => {
    const file = path.join(tmp, 'tail', 'events.out.tfevents.1.host');
    const tailer = new EventFileTailer(file);
    expect(await tailer.poll()).toEqual([]);
    expect(tailer.offset).toBe(0);

    await mkdir(path.dirname(file), { recursive: true });
    const first = cat(fileVersion(), event({ step: 1, values: [simpleValue('a', 1)] }));
    await writeFile(file, first);
    expect((await tailer.poll()).map((p) => p.step)).toEqual([1]);
    expect(tailer.offset).toBe(first.length);
    expect(await tailer.poll()).toEqual([]);

    const second = event({ step: 2, values: [simpleValue('a', 2)] });
    await appendFile(file, second.subarray(0, 15)); // the writer is mid-record
    expect(await tailer.poll()).toEqual([]);
    expect(tailer.offset).toBe(first.length);
    await appendFile(file, second.subarray(15));
    expect((await tailer.poll()).map((p) => [p.step, p.value])).toEqual([[2, 2]]);
    expect(tailer.offset).toBe(first.length + second.length);

    // Resuming from a persisted offset reads only what came after it.
    await appendFile(file, event({ step: 3, values: [simpleValue('a', 3)] }));
    const resumed = new EventFileTailer(file, tailer.offset);
    expect((await resumed.poll()).map((p) => p.step)).toEqual([3]);
    expect(resumed.restarted).toBe(false);

    // Truncated and rewritten shorter: start over.
    await writeFile(file, event({ step: 9, values: [simpleValue('b', 9)] }));
    expect((await resumed.poll()).map((p) => [p.tag, p.step])).toEqual([['b', 9]]);
    expect(resumed.restarted).toBe(true);
  });

  it('reads in bounded chunks, records larger than a chunk included', async () => {
    const file = path.join(tmp, 'chunks.tfevents');
    const big = event({ step: 2, values: [simpleValue('x'.repeat(500), 2)] });
    const records = [
      fileVersion(),
      event({ step: 1, values: [simpleValue('a', 1)] }),
      big,
      event({ step: 3, values: [simpleValue('a', 3)] }),
    ];
    await writeFile(file, cat(...records));
    for (const chunk of [1, 13, 64, 1000]) {
      const tailer = new EventFileTailer(file, 0, chunk);
      expect((await tailer.poll()).map((p) => p.step)).toEqual([1, 2, 3]);
      expect(tailer.offset).toBe(records.reduce((n, r) => n + r.length, 0));
    }
  });

  it('reports corruption and stays before it until the file changes', async () => {
    const file = path.join(tmp, 'corrupt.tfevents');
    const good = event({ step: 1, values: [simpleValue('a', 1)] });
    const bad = event({ step: 2, values: [simpleValue('a', 2)] });
    bad[bad.length - 1]! ^= 0xff;
    await writeFile(file, cat(good, bad));
    const tailer = new EventFileTailer(file);
    expect((await tailer.poll()).map((p) => p.step)).toEqual([1]);
    expect(tailer.corrupt).toBe(`data CRC mismatch in record at offset ${good.length}`);
    expect(tailer.offset).toBe(good.length);
    expect(await tailer.poll()).toEqual([]);
    expect(tailer.corrupt).toBeDefined();
  });

  it('queues concurrent polls so no point is returned twice', async () => {
    const file = path.join(tmp, 'concurrent.tfevents');
    await writeFile(file, cat(...[1, 2, 3].map((step) => event({ step, values: [simpleValue('a', step)] }))));
    const tailer = new EventFileTailer(file);
    const [a, b] = await Promise.all([tailer.poll(), tailer.poll()]);
    expect([...a, ...b].map((p) => p.step)).toEqual([1, 2, 3]);
  });
});
