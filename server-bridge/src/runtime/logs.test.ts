import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLogChunk } from './logs.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a log from an offset', () => {
  const file = join(dir, 'a.log');
  writeFileSync(file, 'line one\nline two\nline three\n');

  it('ends a chunk on a line boundary and says where to go on', async () => {
    const first = await readLogChunk(file, 0, 12);
    expect(first).toEqual({ text: 'line one\n', offset: 0, nextOffset: 9, size: 29 });
    const rest = await readLogChunk(file, first.nextOffset, 1000);
    expect(rest.text).toBe('line two\nline three\n');
    expect(rest.nextOffset).toBe(rest.size);
  });

  it('answers an empty chunk at the end and for a log not yet written', async () => {
    expect((await readLogChunk(file, 29, 10)).text).toBe('');
    expect(await readLogChunk(join(dir, 'none.log'), 0, 10)).toEqual({ text: '', offset: 0, nextOffset: 0, size: 0 });
  });
});
