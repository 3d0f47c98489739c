// Reader for TensorBoard event files, scalars only, without TensorFlow or a protobuf library.
//
// An event file is a sequence of TFRecords (./tfrecord.ts), each holding one serialized `tensorflow.Event`
// (./event-scalars.ts decodes the scalars out of one). ./event-file-tailer.ts follows a file as it grows;
// ./find-event-files.ts finds a training's files.

import { eventScalars, type ScalarPoint, type TagKinds } from './event-scalars.js';
import { ProtoError } from './proto-reader.js';
import { type FramingResult, forEachRecord } from './tfrecord.js';

export type { ScalarPoint, TagKinds } from './event-scalars.js';

export interface ReadResult extends FramingResult {
  points: ScalarPoint[];
}

/**
 * Reads every complete record of `buffer` from `startOffset` and returns the scalar points in them. Stops before a
 * partial trailing record (a writer may be mid-write: read again from `nextOffset` once more bytes are there), and
 * at a complete record whose CRC does not match (`corrupt`). Records that pass their CRC but do not decode as an
 * Event are skipped: stopping there would stall the file forever on data a newer writer put in.
 */
export function readScalars(buffer: Uint8Array, startOffset = 0, tagKinds: TagKinds = new Map()): ReadResult {
  return readEventRecords(buffer, startOffset, tagKinds, 0);
}

/** readScalars, with `fileOffset` = where `buffer` starts in the file, for the offset in a `corrupt` message. */
export function readEventRecords(buffer: Uint8Array, startOffset: number, tagKinds: TagKinds, fileOffset: number): ReadResult {
  const points: ScalarPoint[] = [];
  const framing = forEachRecord(buffer, startOffset, fileOffset, (data) => {
    try {
      eventScalars(data, tagKinds, points);
    } catch (err) {
      if (!(err instanceof ProtoError)) throw err;
    }
  });
  return { points, ...framing };
}
