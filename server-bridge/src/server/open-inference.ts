import { TENSOR_DATATYPES, type TensorDatatype, type V2InferResponse } from '@emkit/shared';
import { HttpError } from './errors.js';
import { decodeBinary } from './tensor-binary.js';

/**
 * The Open Inference Protocol (KServe V2) on top of the workers' `{"instances"}` →
 * `{"predictions"}`: named tensors in, one tensor out. One input tensor's rows are the
 * instances (`[N, 4]` → 4 values each); several inputs are columns of one table
 * (each `[N]` or `[N, 1]`, in the order given). The predictions come back as the
 * output `output-0`, shaped as the model answered.
 */

export const OUTPUT_NAME = 'output-0';
/** the binary tensor extension: how much of the body is JSON */
export const JSON_LENGTH_HEADER = 'inference-header-content-length';
/** more values than this in one request can't come from a body the gateway takes anyway */
const MAX_ELEMENTS = 100_000_000;
const MAX_DEPTH = 32;
const DATATYPES = new Set<string>(TENSOR_DATATYPES);

const INTEGER_RANGES: Partial<Record<TensorDatatype, [number, number]>> = {
  INT8: [-(2 ** 7), 2 ** 7 - 1],
  INT16: [-(2 ** 15), 2 ** 15 - 1],
  INT32: [-(2 ** 31), 2 ** 31 - 1],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 2 ** 8 - 1],
  UINT16: [0, 2 ** 16 - 1],
  UINT32: [0, 2 ** 32 - 1],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

export interface V2Call {
  /** the worker's body */
  instances: unknown[];
  /** the request's id, echoed in the answer */
  id: string | undefined;
}

interface Tensor {
  name: string;
  shape: number[];
  values: unknown[];
}

const invalid = (message: string, field: string) => new HttpError(400, 'validation', message, field);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A V2 inference request (JSON, or JSON and binary tensors) as the worker's instances; 400 naming the field. */
export function parseV2Request(body: Buffer, jsonLength: string | undefined): V2Call {
  let split = body.length;
  if (jsonLength !== undefined) {
    split = /^\d+$/.test(jsonLength) ? Number(jsonLength) : -1;
    if (split < 1 || split > body.length) {
      throw invalid(`must be the length of the JSON part of the body (1 to ${body.length})`, 'Inference-Header-Content-Length');
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8', 0, split));
  } catch (error) {
    throw new HttpError(400, 'bad_request', `the body isn't valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(document)) throw invalid('the body must be a JSON object with an "inputs" list', 'inputs');
  const { inputs, outputs, id } = document;
  if (id !== undefined && typeof id !== 'string') throw invalid('must be a string', 'id');
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalid('must be a non-empty list of tensors', 'inputs');
  const binary = { bytes: body.subarray(split), at: 0 };
  const tensors = inputs.map((input, i) => parseTensor(input, `inputs[${i}]`, binary));
  if (binary.at !== binary.bytes.length) {
    throw invalid(
      `${binary.bytes.length - binary.at} bytes follow the JSON that no input's binary_data_size accounts for`,
      'Inference-Header-Content-Length',
    );
  }
  const names = new Set<string>();
  tensors.forEach((t, i) => {
    if (names.has(t.name)) throw invalid(`a second input is named "${t.name}"`, `inputs[${i}].name`);
    names.add(t.name);
  });
  if (outputs !== undefined) checkOutputs(outputs);
  return { instances: instancesOf(tensors), id };
}

function parseTensor(input: unknown, field: string, binary: { bytes: Buffer; at: number }): Tensor {
  if (!isObject(input)) throw invalid('must be a tensor: {"name", "shape", "datatype", "data"}', field);
  const { name, shape, datatype, data, parameters } = input;
  if (typeof name !== 'string' || name === '') throw invalid('must be a non-empty string', `${field}.name`);
  if (typeof datatype !== 'string' || !DATATYPES.has(datatype)) {
    throw invalid(`must be one of ${TENSOR_DATATYPES.join(', ')}`, `${field}.datatype`);
  }
  const type = datatype as TensorDatatype;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw invalid('must be a list of sizes (non-negative integers), the batch first', `${field}.shape`);
  }
  const count = (shape as number[]).reduce((product, d) => product * d, 1);
  if (count > MAX_ELEMENTS) throw invalid(`holds ${count} values, more than ${MAX_ELEMENTS}`, `${field}.shape`);
  const size = isObject(parameters) ? parameters.binary_data_size : undefined;
  let values: unknown[];
  if (size !== undefined) {
    if (data !== undefined) throw invalid('give "data" or parameters.binary_data_size, not both', `${field}.data`);
    if (!Number.isSafeInteger(size) || (size as number) < 0 || binary.at + (size as number) > binary.bytes.length) {
      throw invalid(`must be the byte length of this tensor in what follows the JSON`, `${field}.parameters.binary_data_size`);
    }
    const decoded = decodeBinary(binary.bytes.subarray(binary.at, binary.at + (size as number)), type, count);
    binary.at += size as number;
    if (typeof decoded === 'string') throw invalid(decoded, `${field}.parameters.binary_data_size`);
    values = decoded;
  } else {
    if (!Array.isArray(data)) throw invalid('must be a list of values (row-major, flat or nested)', `${field}.data`);
    values = flatten(data, `${field}.data`);
    if (values.length !== count) {
      throw invalid(`has ${values.length} values where shape [${shape.join(', ')}] holds ${count}`, `${field}.data`);
    }
    for (const [i, value] of values.entries()) checkValue(value, type, `${field}.data[${i}]`);
  }
  return { name, shape: shape as number[], values };
}

function flatten(data: unknown[], field: string): unknown[] {
  const out: unknown[] = [];
  const walk = (items: unknown[], depth: number) => {
    if (depth > MAX_DEPTH) throw invalid(`nests deeper than ${MAX_DEPTH} levels`, field);
    for (const item of items) {
      if (Array.isArray(item)) walk(item, depth + 1);
      else out.push(item);
    }
  };
  walk(data, 1);
  return out;
}

function checkValue(value: unknown, type: TensorDatatype, field: string): void {
  const shown = JSON.stringify(value)?.slice(0, 40) ?? String(value);
  if (type === 'BOOL') {
    if (typeof value !== 'boolean') throw invalid(`is ${shown}: a BOOL tensor holds true or false`, field);
  } else if (type === 'BYTES') {
    if (typeof value !== 'string') throw invalid(`is ${shown}: a BYTES tensor holds strings`, field);
  } else if (type.startsWith('FP')) {
    if (typeof value !== 'number') throw invalid(`is ${shown}: a ${type} tensor holds numbers`, field);
  } else {
    const [low, high] = INTEGER_RANGES[type] as [number, number];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
      throw invalid(`is ${shown}: a ${type} tensor holds integers from ${low} to ${high}`, field);
    }
  }
}

function checkOutputs(outputs: unknown): void {
  if (!Array.isArray(outputs)) throw invalid('must be a list of {"name"}', 'outputs');
  outputs.forEach((output, i) => {
    const name = isObject(output) ? output.name : undefined;
    if (name !== OUTPUT_NAME) {
      throw invalid(`the model has one output, "${OUTPUT_NAME}"; ask for it or leave "outputs" out`, `outputs[${i}].name`);
    }
  });
}

function instancesOf(tensors: Tensor[]): unknown[] {
  const [first] = tensors as [Tensor];
  if (tensors.length === 1) return rows(first.values, first.shape);
  const batch = first.shape[0] as number;
  tensors.forEach((t, i) => {
    const column = t.shape.length === 1 || (t.shape.length === 2 && t.shape[1] === 1);
    if (!column || t.shape[0] !== batch) {
      throw invalid(
        `with several inputs each is one column of the instances: shape [${batch}] or [${batch}, 1], not [${t.shape.join(', ')}]`,
        `inputs[${i}].shape`,
      );
    }
  });
  return Array.from({ length: batch }, (_, r) => tensors.map((t) => t.values[r]));
}

/** Row-major `values` as nested lists: the first dimension's items. */
function rows(values: unknown[], shape: number[]): unknown[] {
  const nest = (offset: number, dims: number[]): unknown => {
    if (dims.length === 0) return values[offset];
    const [size, ...rest] = dims as [number, ...number[]];
    const stride = rest.reduce((product, d) => product * d, 1);
    return Array.from({ length: size }, (_, i) => nest(offset + i * stride, rest));
  };
  return nest(0, shape) as unknown[];
}

/** The worker's `{"predictions"}` as the V2 answer; 422 when they aren't one tensor. */
export function v2Response(workerBody: Buffer, model: string, version: string, id: string): V2InferResponse {
  const text = workerBody.toString('utf8');
  const predictions = predictionsIn(text);
  if (!Array.isArray(predictions)) throw notOneTensor(model);
  const shape: number[] = [];
  for (let level: unknown = predictions; Array.isArray(level); level = level[0]) shape.push(level.length);
  const data = predictions.flat(shape.length);
  const datatype = datatypeOf(data, text);
  if (!rectangular(predictions, shape, 0) || datatype === undefined) throw notOneTensor(model);
  return { model_name: model, model_version: version, id, outputs: [{ name: OUTPUT_NAME, shape, datatype, data }] };
}

/** The `predictions` of a worker's answer; undefined when the answer is no such JSON (refused as no tensor). */
function predictionsIn(text: string): unknown {
  try {
    return (JSON.parse(text) as { predictions?: unknown } | null)?.predictions;
  } catch {
    return undefined;
  }
}

const notOneTensor = (model: string) =>
  new HttpError(
    422,
    'unprocessable',
    `the model's predictions aren't one tensor (not a list, ragged rows, or values of mixed kinds); call /inference/${model} for them as they are`,
  );

function rectangular(value: unknown, shape: number[], depth: number): boolean {
  if (depth === shape.length) return !Array.isArray(value);
  return Array.isArray(value) && value.length === shape[depth] && value.every((v) => rectangular(v, shape, depth + 1));
}

/** BOOL, BYTES, INT64 or FP64: Python's JSON writes every float with "." or an exponent. */
function datatypeOf(data: unknown[], text: string): TensorDatatype | undefined {
  if (data.length === 0) return 'FP64';
  if (data.every((v) => typeof v === 'boolean')) return 'BOOL';
  if (data.every((v) => typeof v === 'string')) return 'BYTES';
  if (!data.every((v) => typeof v === 'number' || v === null)) return undefined;
  // only numbers (and null for NaN) in the predictions: no string can hold the "." or "e"
  return data.includes(null) || /[.eE]/.test(text.slice(text.indexOf('['))) ? 'FP64' : 'INT64';
}
