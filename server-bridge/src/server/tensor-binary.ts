import type { TensorDatatype } from '@emkit/shared';

/**
 * The Open Inference Protocol's binary tensor extension, the input side: a tensor's
 * values as little-endian bytes after the JSON (`parameters.binary_data_size` long).
 * The kserve and Triton clients send this by default (`set_data_from_numpy`).
 */

const SIZES: Partial<Record<TensorDatatype, number>> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** IEEE 754 half precision (Node 20 has no DataView.getFloat16). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Values, or the reason (in words) the bytes don't hold `count` values of `datatype`. */
export function decodeBinary(bytes: Buffer, datatype: TensorDatatype, count: number): unknown[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (datatype === 'BYTES') {
    const values: string[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) return 'a BYTES element is cut short';
      const length = view.getUint32(at, true);
      if (at + 4 + length > bytes.length) return 'a BYTES element is cut short';
      values.push(bytes.toString('utf8', at + 4, at + 4 + length));
      at += 4 + length;
    }
    return values.length === count ? values : `${values.length} BYTES elements where the shape holds ${count}`;
  }
  const size = SIZES[datatype] as number;
  if (bytes.length !== count * size) {
    return `${bytes.length} bytes where the shape holds ${count} ${datatype} values (${count * size} bytes)`;
  }
  const read = reader(view, datatype);
  const values: unknown[] = new Array(count);
  for (let i = 0; i < count; i += 1) {
    const value = read(i * size);
    if (typeof value === 'bigint') {
      if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
        return `${datatype} value ${value} is beyond ±2^53, which JSON numbers can't hold exactly`;
      }
      values[i] = Number(value);
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      return `${datatype} value ${value} has no JSON form`;
    } else {
      values[i] = value;
    }
  }
  return values;
}

function reader(view: DataView, datatype: TensorDatatype): (at: number) => number | bigint | boolean {
  switch (datatype) {
    case 'BOOL':
      return (at) => view.getUint8(at) !== 0;
    case 'UINT8':
      return (at) => view.getUint8(at);
    case 'INT8':
      return (at) => view.getInt8(at);
    case 'UINT16':
      return (at) => view.getUint16(at, true);
    case 'INT16':
      return (at) => view.getInt16(at, true);
    case 'FP16':
      return (at) => half(view.getUint16(at, true));
    case 'UINT32':
      return (at) => view.getUint32(at, true);
    case 'INT32':
      return (at) => view.getInt32(at, true);
    case 'FP32':
      return (at) => view.getFloat32(at, true);
    case 'UINT64':
      return (at) => view.getBigUint64(at, true);
    case 'INT64':
      return (at) => view.getBigInt64(at, true);
    default:
      return (at) => view.getFloat64(at, true);
  }
}
