import type { Stats } from 'node:fs';
import { extname } from 'node:path';
import type { DatasetFormat } from '@emkit/shared';
import { checkUserPath } from '../runtime/user-paths.js';
import { HttpError } from '../server/errors.js';

const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

const BY_EXTENSION: Record<string, DatasetFormat> = {
  '.csv': 'csv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format asked, else told from the path: a folder is a class folder, a file goes by its extension. */
export function datasetFormat(path: string, info: Stats, asked: DatasetFormat | undefined): DatasetFormat {
  if (info.isDirectory()) {
    if (asked !== undefined && asked !== 'folder') {
      throw unprocessable(`${path} is a folder, not a ${asked} file; a folder is read as one subfolder per class`, 'format');
    }
    return 'folder';
  }
  if (asked === 'folder') throw unprocessable(`${path} is a file, not a folder of class subfolders`, 'format');
  const format = asked ?? BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) {
    throw unprocessable(
      `the format of ${path} can't be told from its name: give format (csv, parquet, jsonl or folder)`,
      'format',
    );
  }
  return format;
}

/**
 * The dataset a user named: readable, a file or a class folder, nothing of the emkit home, not an empty file.
 * What the file holds (its columns, its label column) is the runner's check to make.
 */
export async function checkDataset(
  path: string,
  asked: DatasetFormat | undefined,
  home: string,
): Promise<{ path: string; format: DatasetFormat }> {
  const { info } = await checkUserPath(path, { home, field: 'data', what: 'the dataset', readable: true });
  const format = datasetFormat(path, info, asked);
  if (info.isFile() && info.size === 0) throw unprocessable(`the dataset ${path} is empty`, 'data');
  return { path, format };
}
