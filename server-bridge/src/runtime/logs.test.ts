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

describe('a log of multi-byte characters', () => {
  // Korean (3 bytes each in UTF-8) and emoji (4 bytes) with no newline, so no chunk can end on a line
  const text = `${'학습 손실 🚀 정확도 📈 '.repeat(200)}끝🎉`;
  const file = join(dir, 'korean.log');
  writeFileSync(file, text);

  it('is read in chunks of any size without splitting a character', async () => {
    for (const limit of [5, 7, 64, 1000, 4093]) {
      let offset = 0;
      let joined = '';
      for (;;) {
        const chunk = await readLogChunk(file, offset, limit);
        if (chunk.nextOffset === offset) break;
        expect(chunk.text).not.toContain('\uFFFD');
        joined += chunk.text;
        offset = chunk.nextOffset;
      }
      expect(joined).toBe(text);
    }
  });

  it('waits at the end for a character the writer has only half written', async () => {
    const partial = join(dir, 'partial.log');
    const bytes = Buffer.from('손실 0.5 🚀', 'utf8');
    writeFileSync(partial, bytes.subarray(0, bytes.length - 2));
    const chunk = await readLogChunk(partial, 0, 1000);
    expect(chunk.text).toBe('손실 0.5 ');
    expect(chunk.nextOffset).toBe(Buffer.byteLength('손실 0.5 '));
  });

  it('still moves on when the limit is narrower than one character', async () => {
    const chunk = await readLogChunk(file, 0, 2);
    expect(chunk.nextOffset).toBe(2);
  });
});
