import { open, stat } from 'node:fs/promises';
import type { LogChunk } from '@emkit/shared';

/**
 * A byte range of a log file. Chunks end on a line boundary when they can, and never inside a UTF-8 character:
 * a client that follows with `nextOffset` gets each character whole, in one chunk or the next (a line longer than
 * `limit`, or a writer caught mid-character at the end of the file, would otherwise cut one).
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
  if (end === length) {
    const boundary = characterBoundary(buffer, length);
    // at the end of the file a cut character is waited for; a limit narrower than one character can't help cutting it
    if (boundary > 0 || length < limit) end = boundary;
  }
  return { text: buffer.subarray(0, end).toString('utf8'), offset, nextOffset: offset + end, size };
}

/**
 * The largest index <= `end` that doesn't cut a UTF-8 character of `buffer` in two: `end` itself unless the bytes
 * before it start a multi-byte character that goes on past it.
 */
export function characterBoundary(buffer: Uint8Array, end: number): number {
  // a character is at most 4 bytes: if one is cut, its lead byte is among the last 3 before `end`
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const byte = buffer[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: the lead is further back
    const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + width > end ? i : end;
  }
  return end; // no lead byte there: not UTF-8, nothing to keep whole
}
