import { type FileHandle, open } from 'node:fs/promises';
import { readEventRecords } from './event-file.js';
import type { ScalarPoint, TagKinds } from './event-scalars.js';
import { HEADER_BYTES, recordSize } from './tfrecord.js';

// 1 MiB decodes in some tens of milliseconds, so a first read of a large file does not hold the event loop for long.
const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/**
 * Follows one event file as it grows. Each `poll()` reads only the bytes appended since the previous one, in
 * bounded chunks, and returns the scalar points of the records completed since.
 */
export class EventFileTailer {
  readonly path: string;
  #offset: number;
  #chunkBytes: number;
  #tagKinds: TagKinds = new Map();
  #ino: number | undefined;
  #corrupt: string | undefined;
  /** File size when `#corrupt` was found, to skip re-reading the same bad record until the file changes. */
  #corruptSize = -1;
  #restarted = false;
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * `offset`: a previously persisted `offset`, to resume. `chunkBytes`: the most bytes read at once (a record
   * larger than that is still read whole).
   */
  constructor(path: string, offset = 0, chunkBytes = DEFAULT_CHUNK_BYTES) {
    this.path = path;
    this.#offset = offset;
    this.#chunkBytes = Math.max(HEADER_BYTES, chunkBytes);
  }

  /** Bytes consumed so far: always the start of a record. Persist it to resume with `new EventFileTailer(path, offset)`. */
  get offset(): number {
    return this.#offset;
  }

  /** Why the latest poll stopped short of the end, when a record failed its CRC; undefined otherwise. */
  get corrupt(): string | undefined {
    return this.#corrupt;
  }

  /**
   * True when the latest poll started again from byte 0 because the file shrank or was replaced: its points then
   * repeat what earlier polls returned, and a caller keeping them should drop the old ones.
   */
  get restarted(): boolean {
    return this.#restarted;
  }

  /** New points since the previous poll. Concurrent calls are queued, so no record is returned twice. */
  poll(): Promise<ScalarPoint[]> {
    const run = this.#queue.then(() => this.#poll());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #poll(): Promise<ScalarPoint[]> {
    this.#restarted = false;
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if (isNotFound(err)) return []; // the writer may not have created it yet
      throw err;
    }
    try {
      const info = await handle.stat();
      const replaced = this.#ino !== undefined && info.ino !== this.#ino;
      if (replaced || info.size < this.#offset) this.#startOver();
      this.#ino = info.ino;
      if (this.#corrupt !== undefined && info.size === this.#corruptSize) return [];
      this.#corrupt = undefined;
      return await this.#readFrom(handle, info.size);
    } finally {
      await handle.close();
    }
  }

  #startOver(): void {
    this.#offset = 0;
    this.#tagKinds = new Map();
    this.#corrupt = undefined;
    this.#restarted = true;
  }

  async #readFrom(handle: FileHandle, size: number): Promise<ScalarPoint[]> {
    const points: ScalarPoint[] = [];
    // `pending`: bytes from #offset on that were read but do not make a complete record yet.
    let pending: Uint8Array = new Uint8Array(0);
    let position = this.#offset;
    while (position < size) {
      // Read at least the rest of the pending record, so one larger than a chunk arrives whole in one more read.
      const want = Math.max(this.#chunkBytes, recordSize(pending) - pending.length);
      const chunk = new Uint8Array(Math.min(want, size - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break; // truncated under us; the next poll notices the smaller size
      position += bytesRead;
      const buffer = concat(pending, chunk.subarray(0, bytesRead));
      const result = readEventRecords(buffer, 0, this.#tagKinds, this.#offset);
      for (const point of result.points) points.push(point);
      this.#offset += result.nextOffset;
      if (result.corrupt !== undefined) {
        this.#corrupt = result.corrupt;
        this.#corruptSize = size;
        break;
      }
      pending = buffer.subarray(result.nextOffset);
    }
    return points;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR');
}
