// Reader for TensorBoard event files, scalars only, without TensorFlow or a protobuf library.
//
// An event file is a sequence of TFRecords, each holding one serialized `tensorflow.Event`. Scalars come in two
// shapes depending on the writer:
// - TF1 style (`simple_value`): PyTorch's SummaryWriter and tensorboardX by default, our own Python writer;
// - TF2 style (a one-element `tensor` + metadata plugin "scalars"): tf.summary.scalar, the Keras callback,
//   torch's add_scalar(new_style=True). TF2 writers attach the metadata only to a tag's first value, so a value
//   without metadata inherits what its tag was declared as earlier in the file (see `TagKinds`).

import type { Dirent } from 'node:fs';
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { maskedCrc32c } from './crc32c.js';

export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

export interface ReadResult {
  points: ScalarPoint[];
  /** Offset of the first byte not consumed: the end of the data, or the start of a partial or corrupt record. */
  nextOffset: number;
  /** Set when a complete record failed its CRC; reading stopped at that record (`nextOffset`). */
  corrupt?: string;
}

/**
 * What each tag was declared as by the metadata of its first value: true for a scalar, false for anything else
 * (hparams, text, a generic tensor, ...). Keep one per file across incremental reads.
 */
export type TagKinds = Map<string, boolean>;

/** 8 bytes length + 4 bytes masked CRC of the length. */
const HEADER_BYTES = 12;
/** Masked CRC of the data. */
const FOOTER_BYTES = 4;

/**
 * Reads every complete record of `buffer` from `startOffset` and returns the scalar points in them. Stops before a
 * partial trailing record (a writer may be mid-write: read again from `nextOffset` once more bytes are there), and
 * at a complete record whose CRC does not match (`corrupt`). Records that pass their CRC but do not decode as an
 * Event are skipped: stopping there would stall the file forever on data a newer writer put in.
 */
export function readScalars(buffer: Uint8Array, startOffset = 0, tagKinds: TagKinds = new Map()): ReadResult {
  return readRecords(buffer, startOffset, tagKinds, 0);
}

/** readScalars, with `fileOffset` = where `buffer` starts in the file, for the offset in a `corrupt` message. */
function readRecords(buffer: Uint8Array, startOffset: number, tagKinds: TagKinds, fileOffset: number): ReadResult {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const points: ScalarPoint[] = [];
  let offset = startOffset;
  while (buffer.length - offset >= HEADER_BYTES) {
    const lengthBytes = buffer.subarray(offset, offset + 8);
    if (maskedCrc32c(lengthBytes) !== view.getUint32(offset + 8, true)) {
      return { points, nextOffset: offset, corrupt: `length CRC mismatch in record at offset ${fileOffset + offset}` };
    }
    const length = view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;
    const dataStart = offset + HEADER_BYTES;
    const recordEnd = dataStart + length + FOOTER_BYTES;
    if (recordEnd > buffer.length) break; // partial: the writer has not finished this record yet
    const data = buffer.subarray(dataStart, dataStart + length);
    if (maskedCrc32c(data) !== view.getUint32(dataStart + length, true)) {
      return { points, nextOffset: offset, corrupt: `data CRC mismatch in record at offset ${fileOffset + offset}` };
    }
    try {
      eventScalars(data, tagKinds, points);
    } catch (err) {
      if (!(err instanceof ProtoError)) throw err;
    }
    offset = recordEnd;
  }
  return { points, nextOffset: offset };
}

/** Total size of the record starting at `buffer[0]` when its header is there, else 0. */
function recordSize(buffer: Uint8Array): number {
  if (buffer.length < HEADER_BYTES) return 0;
  const view = new DataView(buffer.buffer, buffer.byteOffset, HEADER_BYTES);
  return HEADER_BYTES + view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32 + FOOTER_BYTES;
}

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
      const result = readRecords(buffer, 0, this.#tagKinds, this.#offset);
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

// ---------------------------------------------------------------------------------------------------------------
// Finding event files

const MAX_DEPTH = 8;

/**
 * Every file under `dir` whose name contains "tfevents", sorted. Recursive to depth 8, without following symlinked
 * directories (a link back up would loop); a symlink to a file counts. A missing `dir` gives [].
 */
export async function findEventFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return; // missing, or unreadable: nothing to show from there
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else if (entry.name.includes('tfevents')) {
        if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full)))) found.push(full);
      }
    }
  }
  await walk(dir, 0);
  return found.sort();
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The run a file belongs to: its directory relative to `dir`, with '/' separators; '' for a file directly in `dir`.
 * torch's add_scalars writes each series into its own subdirectory, which is how they are told apart.
 */
export function runNameFor(dir: string, file: string): string {
  const relative = path.relative(dir, path.dirname(file));
  return relative.split(path.sep).join('/');
}

/** The tag as shown: `tag` for the top run, else `<run>/<tag>`. */
export function qualifiedTag(run: string, tag: string): string {
  return run === '' ? tag : `${run}/${tag}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Protobuf wire format: just what Event needs, and skipping everything else.

class ProtoError extends Error {}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_START_GROUP = 3;
const WIRE_END_GROUP = 4;
const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8');

class ProtoReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;
  pos: number;

  /** `view`: a DataView over all of `buf`, passed on to sub-readers (one per sub-message) to avoid making more. */
  constructor(buf: Uint8Array, start = 0, end = buf.length, view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)) {
    this.#buf = buf;
    this.#view = view;
    this.pos = start;
    this.#end = end;
  }

  done(): boolean {
    return this.pos >= this.#end;
  }

  #byte(): number {
    if (this.pos >= this.#end) throw new ProtoError('truncated varint');
    return this.#buf[this.pos++]!;
  }

  #need(n: number): number {
    if (n > this.#end - this.pos) throw new ProtoError('truncated field');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Varint as a bigint, for values past what 32-bit arithmetic holds. */
  #varintBig(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.#byte();
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtoError('varint longer than 10 bytes');
  }

  /**
   * Varint read as a signed int64 (int32 and int64 fields; negative int32s are sign-extended to 10 bytes).
   * Exact up to 2^53; values under 2^28 take a fast path without BigInt.
   */
  int64(): number {
    return this.#varint((big) => Number(BigInt.asIntN(64, big)));
  }

  /** Varint read as unsigned (lengths, keys, enums). */
  uint64(): number {
    return this.#varint(Number);
  }

  /** The fast path for small varints; `wide` converts the BigInt read of a longer one. */
  #varint(wide: (big: bigint) => number): number {
    const start = this.pos;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.#byte();
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result;
    }
    this.pos = start;
    return wide(this.#varintBig());
  }

  /** Field number and wire type of the key `next()` read last. */
  field = 0;
  wire = 0;

  /** Reads the next field's key into `field` and `wire`; false at the end of the message. */
  next(): boolean {
    if (this.pos >= this.#end) return false;
    const key = this.uint64();
    this.field = Math.floor(key / 8);
    this.wire = key % 8;
    if (this.field === 0) throw new ProtoError('field number 0');
    return true;
  }

  double(): number {
    return this.#view.getFloat64(this.#need(8), true);
  }

  float(): number {
    return this.#view.getFloat32(this.#need(4), true);
  }

  bytes(): Uint8Array {
    const length = this.uint64();
    const at = this.#need(length);
    return this.#buf.subarray(at, at + length);
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  /** A reader over the next length-delimited field's contents (a sub-message or a packed array). */
  sub(): ProtoReader {
    const length = this.uint64();
    const at = this.#need(length);
    return new ProtoReader(this.#buf, at, at + length, this.#view);
  }

  /** Skips the value of the field `next()` read. */
  skip(): void {
    this.#skipValue(this.wire, this.field);
  }

  /** Skips a value of any wire type, groups included (deprecated, but legal in any message). */
  #skipValue(wire: number, field: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.uint64();
        return;
      case WIRE_FIXED64:
        this.#need(8);
        return;
      case WIRE_LEN:
        this.#need(this.uint64());
        return;
      case WIRE_FIXED32:
        this.#need(4);
        return;
      case WIRE_START_GROUP:
        for (;;) {
          if (!this.next()) throw new ProtoError('unterminated group');
          if (this.wire === WIRE_END_GROUP) {
            if (this.field !== field) throw new ProtoError('mismatched end group');
            return;
          }
          this.#skipValue(this.wire, this.field);
        }
      default:
        throw new ProtoError(`unexpected wire type ${wire}`);
    }
  }

  /** Reads a repeated numeric field that may be packed (one length-delimited run) or not (one value per key). */
  repeated(unpackedWire: number, readOne: (r: ProtoReader) => number, out: number[]): void {
    if (this.wire === WIRE_LEN) {
      const packed = this.sub();
      while (!packed.done()) out.push(readOne(packed));
    } else if (this.wire === unpackedWire) {
      out.push(readOne(this));
    } else {
      this.skip();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Event → scalar points

// tensorflow/core/util/event.proto: Event
const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_SUMMARY = 5;
// tensorflow/core/framework/summary.proto: Summary, Summary.Value, SummaryMetadata
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE = 2;
const VALUE_IMAGE = 4;
const VALUE_HISTO = 5;
const VALUE_AUDIO = 6;
const VALUE_TENSOR = 8;
const VALUE_METADATA = 9;
const METADATA_PLUGIN_DATA = 1;
const METADATA_DATA_CLASS = 4;
const PLUGIN_DATA_NAME = 1;
const DATA_CLASS_SCALAR = 1;

/** Appends the scalar points of one serialized Event to `out`. */
function eventScalars(data: Uint8Array, tagKinds: TagKinds, out: ScalarPoint[]): void {
  const r = new ProtoReader(data);
  let wallTime = 0;
  let step = 0;
  const summaries: ProtoReader[] = [];
  while (r.next()) {
    const { field, wire } = r;
    if (field === EVENT_WALL_TIME && wire === WIRE_FIXED64) wallTime = r.double();
    else if (field === EVENT_STEP && wire === WIRE_VARINT) step = r.int64();
    else if (field === EVENT_SUMMARY && wire === WIRE_LEN) summaries.push(r.sub());
    else r.skip(); // file_version, graph_def, log_message, session_log, ...
  }
  // Decoded after the loop: protobuf allows step and wall_time to come after the summary.
  for (const summary of summaries) {
    while (summary.next()) {
      if (summary.field !== SUMMARY_VALUE || summary.wire !== WIRE_LEN) {
        summary.skip();
        continue;
      }
      const value = valueScalar(summary.sub(), tagKinds);
      if (value !== undefined) out.push({ tag: value.tag, step, value: value.value, wallTime });
    }
  }
}

interface Metadata {
  pluginName: string;
  dataClass: number;
}

/** A Summary.Value as a scalar, or undefined when it is something else (image, histogram, text, hparams, ...). */
function valueScalar(r: ProtoReader, tagKinds: TagKinds): { tag: string; value: number } | undefined {
  let tag = '';
  let simple: number | undefined;
  let tensor: ProtoReader | undefined;
  let metadata: Metadata | undefined;
  let otherKind = false;
  while (r.next()) {
    const { field, wire } = r;
    if (field === VALUE_TAG && wire === WIRE_LEN) tag = r.string();
    else if (field === VALUE_SIMPLE && wire === WIRE_FIXED32) simple = r.float();
    else if (field === VALUE_TENSOR && wire === WIRE_LEN)
      tensor = r.sub(); // decoded only if it turns out a scalar
    else if (field === VALUE_METADATA && wire === WIRE_LEN) metadata = readMetadata(r.sub());
    else {
      if (field === VALUE_IMAGE || field === VALUE_HISTO || field === VALUE_AUDIO) otherKind = true;
      r.skip();
    }
  }

  // The first value of a tag that carries metadata decides what the tag is; later ones inherit it.
  let isScalar: boolean | undefined;
  if (metadata !== undefined && (metadata.pluginName !== '' || metadata.dataClass !== 0)) {
    isScalar = metadata.dataClass === DATA_CLASS_SCALAR || metadata.pluginName === 'scalars';
    if (!tagKinds.has(tag)) tagKinds.set(tag, isScalar);
  } else {
    isScalar = tagKinds.get(tag);
  }

  if (simple !== undefined) return { tag, value: simple }; // TF1 style is a scalar by construction
  if (otherKind || tensor === undefined || isScalar === false) return undefined;
  // Without any metadata (e.g. resumed past a tag's first value), a numeric one-element tensor is taken as a scalar;
  // what other plugins write without metadata is not numeric (text, images) or has more elements (histograms).
  const value = tensorScalar(tensor);
  return value === undefined ? undefined : { tag, value };
}

function readMetadata(r: ProtoReader): Metadata {
  const metadata: Metadata = { pluginName: '', dataClass: 0 };
  while (r.next()) {
    const { field, wire } = r;
    if (field === METADATA_PLUGIN_DATA && wire === WIRE_LEN) {
      const plugin = r.sub();
      while (plugin.next()) {
        if (plugin.field === PLUGIN_DATA_NAME && plugin.wire === WIRE_LEN) metadata.pluginName = plugin.string();
        else plugin.skip();
      }
    } else if (field === METADATA_DATA_CLASS && wire === WIRE_VARINT) {
      metadata.dataClass = r.uint64();
    } else {
      r.skip();
    }
  }
  return metadata;
}

// tensorflow/core/framework/tensor.proto: TensorProto; tensor_shape.proto: TensorShapeProto
const TENSOR_DTYPE = 1;
const TENSOR_SHAPE = 2;
const TENSOR_CONTENT = 4;
const TENSOR_FLOAT_VAL = 5;
const TENSOR_DOUBLE_VAL = 6;
const TENSOR_INT_VAL = 7;
const TENSOR_INT64_VAL = 10;
const TENSOR_HALF_VAL = 13;
const SHAPE_DIM = 2;
const SHAPE_UNKNOWN_RANK = 3;
const DIM_SIZE = 1;

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE 754 half precision bits to a number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** bfloat16 bits are the top half of a float32. */
function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16, false);
  return scratch.getFloat32(0, false);
}

interface DType {
  /** Bytes per element in tensor_content (little-endian). */
  width: number;
  fromContent: (view: DataView) => number;
  /** Which repeated *_val field holds the values when tensor_content is absent. */
  valField: number;
  fromVal: (n: number) => number;
}

const same = (n: number) => n;

// Keyed by tensorflow DataType enum value; the numeric types a scalar can sensibly have.
const DTYPES = new Map<number, DType>([
  [1, { width: 4, fromContent: (v) => v.getFloat32(0, true), valField: TENSOR_FLOAT_VAL, fromVal: same }], // DT_FLOAT
  [2, { width: 8, fromContent: (v) => v.getFloat64(0, true), valField: TENSOR_DOUBLE_VAL, fromVal: same }], // DT_DOUBLE
  [3, { width: 4, fromContent: (v) => v.getInt32(0, true), valField: TENSOR_INT_VAL, fromVal: same }], // DT_INT32
  [4, { width: 1, fromContent: (v) => v.getUint8(0), valField: TENSOR_INT_VAL, fromVal: same }], // DT_UINT8
  [5, { width: 2, fromContent: (v) => v.getInt16(0, true), valField: TENSOR_INT_VAL, fromVal: same }], // DT_INT16
  [6, { width: 1, fromContent: (v) => v.getInt8(0), valField: TENSOR_INT_VAL, fromVal: same }], // DT_INT8
  [9, { width: 8, fromContent: (v) => Number(v.getBigInt64(0, true)), valField: TENSOR_INT64_VAL, fromVal: same }], // DT_INT64
  [
    14,
    {
      width: 2,
      fromContent: (v) => bfloat16ToNumber(v.getUint16(0, true)),
      valField: TENSOR_HALF_VAL,
      fromVal: bfloat16ToNumber,
    },
  ], // DT_BFLOAT16
  [17, { width: 2, fromContent: (v) => v.getUint16(0, true), valField: TENSOR_INT_VAL, fromVal: same }], // DT_UINT16
  [19, { width: 2, fromContent: (v) => halfToNumber(v.getUint16(0, true)), valField: TENSOR_HALF_VAL, fromVal: halfToNumber }], // DT_HALF
]);

/** The value of a one-element numeric TensorProto; undefined for any other tensor. */
function tensorScalar(r: ProtoReader): number | undefined {
  let dtype = 0;
  let elements = 1; // no shape at all is a scalar too
  let content: Uint8Array | undefined;
  const vals = new Map<number, number[]>();
  while (r.next()) {
    const { field, wire } = r;
    if (field === TENSOR_DTYPE && wire === WIRE_VARINT) dtype = r.uint64();
    else if (field === TENSOR_SHAPE && wire === WIRE_LEN) elements = shapeElements(r.sub());
    else if (field === TENSOR_CONTENT && wire === WIRE_LEN) content = r.bytes();
    else if (field === TENSOR_FLOAT_VAL) r.repeated(WIRE_FIXED32, (x) => x.float(), valsOf(vals, field));
    else if (field === TENSOR_DOUBLE_VAL) r.repeated(WIRE_FIXED64, (x) => x.double(), valsOf(vals, field));
    else if (field === TENSOR_INT_VAL || field === TENSOR_INT64_VAL || field === TENSOR_HALF_VAL) {
      r.repeated(WIRE_VARINT, (x) => x.int64(), valsOf(vals, field));
    } else r.skip(); // string_val (images, text), complex, bool, resource, variant, ...
  }
  const type = DTYPES.get(dtype);
  if (type === undefined || elements !== 1) return undefined;
  if (content !== undefined && content.length > 0) {
    if (content.length !== type.width) return undefined;
    return type.fromContent(new DataView(content.buffer, content.byteOffset, content.length));
  }
  const values = vals.get(type.valField);
  // TensorFlow fills a tensor whose value fields are empty with zeros.
  return values === undefined || values.length === 0 ? 0 : type.fromVal(values[0]!);
}

function valsOf(vals: Map<number, number[]>, field: number): number[] {
  let list = vals.get(field);
  if (list === undefined) {
    list = [];
    vals.set(field, list);
  }
  return list;
}

/** Number of elements of a TensorShapeProto; -1 when unknown. */
function shapeElements(r: ProtoReader): number {
  let elements = 1;
  while (r.next()) {
    const { field, wire } = r;
    if (field === SHAPE_DIM && wire === WIRE_LEN) {
      const dim = r.sub();
      let size = 0; // proto3 default: a dim that omits size has size 0
      while (dim.next()) {
        if (dim.field === DIM_SIZE && dim.wire === WIRE_VARINT) size = dim.int64();
        else dim.skip();
      }
      elements = size < 0 || elements < 0 ? -1 : elements * size;
    } else if (field === SHAPE_UNKNOWN_RANK && wire === WIRE_VARINT) {
      if (r.uint64() !== 0) elements = -1;
    } else {
      r.skip();
    }
  }
  return elements;
}
