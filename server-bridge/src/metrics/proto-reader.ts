// The protobuf wire format: just what an Event needs, and skipping everything else.

/** The bytes are not a valid protobuf message (truncated, or an impossible key). */
export class ProtoError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder('utf-8');

export class ProtoReader {
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
