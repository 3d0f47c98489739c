import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { DatasetSchema, RecipeDataset } from '@emkit/shared';
import { openRegularFile } from '../runtime/safe-files.js';

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
 * DATASET-REF SEAM: the stored schema of a dataset ref (`name[:version]`, the newest version for a
 * bare name), or undefined when there is no such dataset (the submit then refuses it, 404). The
 * bridge wires it to the datasets store once that is merged (server-bridge/src/datasets/); until
 * then there is none, and a ref's kind and columns are not checked here.
 */
export type DatasetSchemaLookup = (ref: string) => DatasetSchema | undefined;

/**
 * The kind and columns of a training's dataset value, as far as the bridge can tell before it
 * submits: a ref's from its stored schema (through `lookup`), a path's from the file or folder.
 */
export async function datasetFacts(value: string, lookup?: DatasetSchemaLookup): Promise<DatasetFacts | undefined> {
  if (!isAbsolute(value)) {
    const schema = lookup?.(value);
    return schema && { kind: schema.kind, columns: schema.kind === 'table' ? schema.columns.map((c) => c.name) : null };
  }
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
  // a regular file only (a FIFO swapped in since the stat would hang the read), of any size: one line is read
  const opened = await openRegularFile(path, Number.MAX_SAFE_INTEGER).catch(() => undefined);
  if (!opened) return null;
  const { handle } = opened;
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
