import { open, stat } from 'node:fs/promises';
import type { LogChunk } from '@emkit/shared';

/**
 * A byte range of a log file. Chunks end on a line boundary when they can, so a
 * client that follows with `nextOffset` never splits a line (or a UTF-8 character).
 */
export async function readLogChunk(file: string, offset: number, limit: number): Promise<LogChunk> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return { text: '', offset, nextOffset: offset, size: 0 };
  }
  if (offset >= size) return { text: '', offset, nextOffset: offset, size };
  const length = Math.min(limit, size - offset);
  const buffer = Buffer.alloc(length);
  const handle = await open(file, 'r');
  try {
    await handle.read(buffer, 0, length, offset);
  } finally {
    await handle.close();
  }
  let end = length;
  if (offset + length < size) {
    const lastNewline = buffer.lastIndexOf(0x0a);
    if (lastNewline >= 0) end = lastNewline + 1;
  }
  return { text: buffer.subarray(0, end).toString('utf8'), offset, nextOffset: offset + end, size };
}
