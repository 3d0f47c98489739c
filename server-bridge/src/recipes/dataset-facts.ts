import { open, readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { RecipeDataset } from '@emkit/shared';

export type DatasetKind = RecipeDataset['kinds'][number];

/** What a recipe's training checks of its data before it starts: the kind, and a table's columns (null: unknown). */
export interface DatasetFacts {
  kind: DatasetKind;
  columns: string[] | null;
}

const TABLE_EXTENSIONS = new Set(['.csv', '.tsv', '.parquet', '.jsonl']);
/** a header line longer than this is no header the check reads; the training reads it itself */
const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The kind and columns of a training's dataset value, as far as the bridge can tell here.
 *
 * DATASET-REF SEAM: a value that is a dataset ref (`name[:version]`, not starting with "/") is the
 * datasets engineer's to resolve (server-bridge/src/datasets/resolve.ts: resolveDataset); until that
 * exists this answers undefined for a ref (nothing is checked, the submit resolves or refuses it).
 * Once it does, take `kind` and `schema.columns` from the resolved version here.
 */
export async function datasetFacts(value: string): Promise<DatasetFacts | undefined> {
  if (!isAbsolute(value)) return undefined;
  const info = await stat(value).catch(() => undefined);
  if (!info) return undefined;
  if (info.isFile()) {
    const extension = extname(value).toLowerCase();
    if (!TABLE_EXTENSIONS.has(extension)) return { kind: 'files', columns: null };
    const columns =
      extension === '.csv' || extension === '.tsv' ? await headerOf(value, extension === '.tsv' ? '\t' : ',') : null;
    return { kind: 'table', columns };
  }
  if (!info.isDirectory()) return undefined;
  const entries = await readdir(value, { withFileTypes: true });
  return { kind: entries.some((e) => e.isDirectory() && !e.name.startsWith('.')) ? 'class-folders' : 'files', columns: null };
}

/** The first line of a CSV, split on the delimiter outside quotes; null when it can't be read that way. */
async function headerOf(path: string, delimiter: string): Promise<string[] | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_HEADER_BYTES, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const end = text.search(/\r?\n/);
    if (end < 0 && bytesRead === MAX_HEADER_BYTES) return null;
    return splitLine(end < 0 ? text : text.slice(0, end), delimiter);
  } finally {
    await handle.close();
  }
}

function splitLine(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}
