// TFRecord framing: each record is 8 bytes of length, 4 bytes of masked CRC-32C of the length, the data, and 4
// bytes of masked CRC-32C of the data.

import { maskedCrc32c } from './crc32c.js';

/** 8 bytes length + 4 bytes masked CRC of the length. */
export const HEADER_BYTES = 12;
/** Masked CRC of the data. */
const FOOTER_BYTES = 4;

export interface FramingResult {
  /** Offset of the first byte not consumed: the end of the data, or the start of a partial or corrupt record. */
  nextOffset: number;
  /** Set when a complete record failed its CRC; reading stopped at that record (`nextOffset`). */
  corrupt?: string;
}

/**
 * Hands the data of every complete record of `buffer` from `startOffset` to `onRecord`. Stops before a partial
 * trailing record (a writer may be mid-write: read again from `nextOffset` once more bytes are there), and at a
 * complete record whose CRC does not match (`corrupt`). `fileOffset`: where `buffer` starts in the file, for the
 * offset in a `corrupt` message.
 */
export function forEachRecord(
  buffer: Uint8Array,
  startOffset: number,
  fileOffset: number,
  onRecord: (data: Uint8Array) => void,
): FramingResult {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let offset = startOffset;
  while (buffer.length - offset >= HEADER_BYTES) {
    const lengthBytes = buffer.subarray(offset, offset + 8);
    if (maskedCrc32c(lengthBytes) !== view.getUint32(offset + 8, true)) {
      return { nextOffset: offset, corrupt: `length CRC mismatch in record at offset ${fileOffset + offset}` };
    }
    const length = view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;
    const dataStart = offset + HEADER_BYTES;
    const recordEnd = dataStart + length + FOOTER_BYTES;
    if (recordEnd > buffer.length) break; // partial: the writer has not finished this record yet
    const data = buffer.subarray(dataStart, dataStart + length);
    if (maskedCrc32c(data) !== view.getUint32(dataStart + length, true)) {
      return { nextOffset: offset, corrupt: `data CRC mismatch in record at offset ${fileOffset + offset}` };
    }
    onRecord(data);
    offset = recordEnd;
  }
  return { nextOffset: offset };
}

/** Total size of the record starting at `buffer[0]` when its header is there, else 0. */
export function recordSize(buffer: Uint8Array): number {
  if (buffer.length < HEADER_BYTES) return 0;
  const view = new DataView(buffer.buffer, buffer.byteOffset, HEADER_BYTES);
  return HEADER_BYTES + view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32 + FOOTER_BYTES;
}
