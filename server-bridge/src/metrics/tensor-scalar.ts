import { type ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './proto-reader.js';

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
export function tensorScalar(r: ProtoReader): number | undefined {
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
