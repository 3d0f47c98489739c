import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import type { DatasetResolver } from '../datasets/resolve.js';
import { isDatasetRef } from '../datasets/resolve.js';
import { HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';

/** The table a stage's inputs are compared with, made concrete: a file the drift process reads. */
export interface ReferenceTable {
  /** what the user gave or what was found (`name:version`, or the path) */
  source: string;
  path: string;
  format: 'csv' | 'parquet' | 'jsonl' | null;
}

const TABLE_SUFFIXES: Record<string, ReferenceTable['format']> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** A training's datasets named like these are its reference before any other table it used. */
const TRAINING_NAMES = ['train', 'training', 'train_data', 'data'];

const tableFormat = (format: string): ReferenceTable['format'] | undefined =>
  format === 'csv' || format === 'parquet' || format === 'jsonl' ? format : undefined;

/** A dataset reference or an absolute path, as a table; a dataset that isn't a table is refused (422). */
export async function referenceTable(resolve: DatasetResolver, given: string, field: string): Promise<ReferenceTable> {
  if (given.startsWith('/')) {
    const format = TABLE_SUFFIXES[extname(given).toLowerCase()];
    if (!format) {
      throw new HttpError(
        422,
        'unprocessable',
        `the reference ${given} isn't a table emkit reads (.csv, .parquet or .jsonl)`,
        field,
      );
    }
    return { source: given, path: given, format };
  }
  if (!isDatasetRef(given)) {
    throw new HttpError(422, 'unprocessable', `"${given}" is neither an absolute path nor a dataset name[:version]`, field);
  }
  const dataset = await resolve(given, field);
  const format = tableFormat(dataset.format);
  if (dataset.kind !== 'table' || !format) {
    throw new HttpError(
      422,
      'unprocessable',
      `dataset ${dataset.ref} is ${dataset.kind}, not a table: a drift reference is a table`,
      field,
    );
  }
  return { source: dataset.ref, path: dataset.path, format };
}

/**
 * The table the stage's model was trained on: of its training's datasets, the tables (a dataset
 * whose version is a table, or a path to a .csv/.parquet/.jsonl file), one named like a training
 * set first. Undefined when its model has no training or the training used no table.
 */
export async function trainingTable(
  store: Store,
  resolve: DatasetResolver,
  modelId: string,
): Promise<ReferenceTable | undefined> {
  const trainingId = store.models.find(modelId)?.source.training?.id;
  const training = trainingId ? store.trainings.get(trainingId) : undefined;
  if (!training) return undefined;
  const entries = Object.entries(training.datasets).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  for (const [, value] of entries) {
    if (value.startsWith('/')) {
      const format = TABLE_SUFFIXES[extname(value).toLowerCase()];
      if (format && existsSync(value)) return { source: value, path: value, format };
      continue;
    }
    try {
      return await referenceTable(resolve, value, 'drift.reference');
    } catch {
      // not a table, or gone: the next one
    }
  }
  return undefined;
}

function rank(name: string): number {
  const at = TRAINING_NAMES.indexOf(name.toLowerCase());
  return at < 0 ? TRAINING_NAMES.length : at;
}
