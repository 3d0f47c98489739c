import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Model, ModelType } from '@emkit/shared';
import { type DatasetResolver, isDatasetRef } from '../datasets/resolve.js';
import { checkUserPath } from '../runtime/user-paths.js';
import { HttpError } from '../server/errors.js';
import type { InputFormat } from './contract.js';

const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

export type InputKind = 'table' | 'files';

/** The input made concrete: where the runner reads it, how, and the dataset version it pins. */
export interface ResolvedInput {
  path: string;
  kind: InputKind;
  format: InputFormat;
  dataset: string | null;
}

const TABLES: Record<string, InputFormat> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** A path (a table file or a folder of files) or a dataset `name[:version]`, checked and pinned. */
export async function resolveInput(input: string, home: string, datasets: DatasetResolver | undefined): Promise<ResolvedInput> {
  if (datasets && isDatasetRef(input)) {
    const resolved = await datasets(input, 'input');
    const table = resolved.kind === 'table';
    const format: InputFormat = table ? (resolved.format as InputFormat) : 'files';
    return { path: resolved.path, kind: table ? 'table' : 'files', format, dataset: resolved.ref };
  }
  const { real, info } = await checkUserPath(input, { home, field: 'input', what: 'the input', readable: true });
  if (info.isDirectory()) return { path: real, kind: 'files', format: 'files', dataset: null };
  const format = TABLES[extname(input).toLowerCase()];
  if (!format) {
    throw unprocessable(`the input ${input} is neither a table (.csv, .parquet, .jsonl) nor a folder of files`, 'input');
  }
  if (info.size === 0) throw unprocessable(`the input ${input} is empty`, 'input');
  return { path: real, kind: 'table', format, dataset: null };
}

/** What each built-in model type takes (its recipe's datasets: a table, or files such as images). */
const BUILTIN_TAKES: Record<ModelType, readonly InputKind[]> = {
  'image-classification': ['files'],
  'audio-classification': ['files'],
  'text-classification': ['files', 'table'],
  'number-classification': ['table'],
  'number-prediction': ['table'],
  clustering: ['table'],
};

/**
 * The input kinds a model takes: a built-in's (its recipe.json names its type); a custom predict.py anything (it is
 * handed a file's decoded content or path); a scikit-learn, ONNX, PyTorch or TensorFlow model rows of numbers.
 */
export async function inputKindsOf(model: Model): Promise<{ kinds: readonly InputKind[]; what: string }> {
  const recipe = await readFile(join(model.artifactPath, 'recipe.json'), 'utf8')
    .then((text) => JSON.parse(text) as { modelType?: ModelType })
    .catch(() => undefined);
  const type = recipe?.modelType;
  if (type && type in BUILTIN_TAKES) return { kinds: BUILTIN_TAKES[type], what: `a ${type} model` };
  if (model.framework === 'custom') return { kinds: ['table', 'files'], what: 'a custom model' };
  return { kinds: ['table'], what: `a ${model.framework} model` };
}

/** 422 when the model's type can't take this kind of input. */
export async function refuseWrongKind(model: Model, input: ResolvedInput): Promise<void> {
  const { kinds, what } = await inputKindsOf(model);
  if (kinds.includes(input.kind)) return;
  const given = input.kind === 'table' ? 'a table' : 'a folder of files';
  const wanted = kinds.map((k) => (k === 'table' ? 'a table (CSV, Parquet, JSONL)' : 'a folder of files')).join(' or ');
  throw unprocessable(`${model.name}:${model.version} is ${what}, which takes ${wanted}; ${input.path} is ${given}`, 'input');
}
