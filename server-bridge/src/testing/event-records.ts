// A tiny protobuf + TFRecord encoder, so the event-file tests control every byte the reader sees.

import { maskedCrc32c } from '../metrics/crc32c.js';
import type { ScalarPoint } from '../metrics/event-scalars.js';

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function varint(n: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(n)); // negatives as 10-byte two's complement, like protobuf int32/int64
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

export const key = (field: number, wire: number) => varint(field * 8 + wire);
export const f32 = (x: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, x, true);
  return b;
};
export const f64 = (x: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, x, true);
  return b;
};
export const pVarint = (field: number, n: number | bigint) => cat(key(field, 0), varint(n));
export const pDouble = (field: number, x: number) => cat(key(field, 1), f64(x));
export const pFloat = (field: number, x: number) => cat(key(field, 5), f32(x));
export const pBytes = (field: number, data: Uint8Array | string) => {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return cat(key(field, 2), varint(bytes.length), bytes);
};
/** One field of each wire type the reader must skip, a group included. */
export const unknownFields = () =>
  cat(pVarint(100, 2n ** 63n), pDouble(101, 1), pBytes(102, 'junk'), pFloat(103, 1), key(104, 3), pVarint(1, 5), key(104, 4));

export function record(data: Uint8Array): Uint8Array {
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(header.subarray(0, 8)), true);
  const footer = new Uint8Array(4);
  new DataView(footer.buffer).setUint32(0, maskedCrc32c(data), true);
  return cat(header, data, footer);
}

export interface EventSpec {
  wallTime?: number;
  step?: number | bigint;
  values?: Uint8Array[];
  extra?: Uint8Array;
}

export function event({ wallTime = 1700000000.5, step = 0, values = [], extra = new Uint8Array(0) }: EventSpec): Uint8Array {
  const summary = cat(...values.map((v) => pBytes(1, v)));
  return record(cat(pDouble(1, wallTime), pVarint(2, step), extra, pBytes(5, summary)));
}

export const fileVersion = () => record(cat(pDouble(1, 1700000000), pBytes(3, 'brain.Event:2')));

export const metadata = (plugin: string, dataClass = 0) =>
  pBytes(9, cat(pBytes(1, cat(pBytes(1, plugin), pBytes(2, 'content'))), dataClass ? pVarint(4, dataClass) : new Uint8Array(0)));
export const simpleValue = (tag: string, x: number) => cat(pBytes(1, tag), pFloat(2, x));
export const tensorValue = (tag: string, tensor: Uint8Array, meta: Uint8Array = new Uint8Array(0)) =>
  cat(pBytes(1, tag), meta, pBytes(8, tensor));
export const scalarShape = () => pBytes(2, new Uint8Array(0));
export const shape = (...dims: number[]) => pBytes(2, cat(...dims.map((d) => pBytes(2, pVarint(1, d)))));

export const point = (tag: string, step: number, value: number, wallTime = 1700000000.5): ScalarPoint => ({
  tag,
  step,
  value,
  wallTime,
});
