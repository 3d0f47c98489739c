import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Dataset, type DatasetPreview, type DatasetSample, type DatasetVersion, formatTime } from '@emkit/shared';
import type { Command } from 'commander';
import { lookup } from 'mime-types';
import { ZipFile } from 'yazl';
import { connect } from '../connect.js';
import { printItem, printList, printMessage } from '../output.js';

const size = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1)} MB`
    : bytes >= 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${bytes} B`;

const shape = (v: DatasetVersion) =>
  v.schema.kind === 'table'
    ? `${v.schema.rows ?? '?'} rows × ${v.schema.columns.length} columns`
    : v.schema.kind === 'class-folders'
      ? `${v.schema.classes.length} classes`
      : `${v.files} files`;

const columns: [string, (d: Dataset) => unknown][] = [
  ['NAME', (d) => d.name],
  ['VERSION', (d) => d.latest.version],
  ['KIND', (d) => `${d.latest.schema.kind} (${d.latest.schema.format})`],
  ['SHAPE', (d) => shape(d.latest)],
  ['SIZE', (d) => size(d.latest.bytes)],
  ['MODE', (d) => d.mode],
  ['CREATED', (d) => formatTime(d.createdAt)],
];

const versionColumns: [string, (v: DatasetVersion) => unknown][] = [
  ['VERSION', (v) => v.version],
  ['SHA256', (v) => v.sha256.slice(0, 12)],
  ['SHAPE', (v) => shape(v)],
  ['SIZE', (v) => size(v.bytes)],
  ['CREATED', (v) => formatTime(v.createdAt)],
];

/** What a sample shows in a terminal: a duration, the start of a text, or that a thumbnail exists. */
function sampleText(sample: DatasetSample): string {
  if (sample.durationSeconds !== null) return `${basename(sample.file)} (${sample.durationSeconds.toFixed(2)} s)`;
  if (sample.snippet !== null) return `${basename(sample.file)}: "${sample.snippet.replace(/\s+/g, ' ').slice(0, 40)}"`;
  if (sample.thumbnail !== null) return `${basename(sample.file)} (thumbnail)`;
  return basename(sample.file);
}

function printPreview(preview: DatasetPreview): void {
  const { schema } = preview;
  process.stdout.write(`${preview.dataset}:${preview.version}  ${schema.kind} (${schema.format})\n`);
  if (schema.kind === 'table') {
    process.stdout.write(`${schema.rows ?? '?'} rows\n`);
    printList({}, schema.columns, [
      ['COLUMN', (c) => c.name],
      ['TYPE', (c) => c.type],
      ['NULLS', (c) => c.nulls],
      ['DISTINCT', (c) => c.distinct ?? ''],
    ]);
    if (preview.rows.length > 0) {
      process.stdout.write('\n');
      printList(
        {},
        preview.rows,
        schema.columns.map((c) => [c.name, (row: Record<string, unknown>) => row[c.name] ?? ''] as const),
      );
    }
  } else if (schema.kind === 'class-folders') {
    const samples = new Map(preview.samples.map((s) => [s.class, s.samples]));
    printList({}, schema.classes, [
      ['CLASS', (c) => c.name],
      ['COUNT', (c) => c.count],
      ['KIND', (c) => c.sampleKind],
      ['SAMPLES', (c) => (samples.get(c.name) ?? []).map(sampleText).join(', ')],
    ]);
  }
  if (schema.skippedCount > 0) {
    process.stdout.write(`\nskipped ${schema.skippedCount} file(s):\n`);
    for (const s of schema.skipped) process.stdout.write(`  ${s.file}: ${s.reason}\n`);
  }
}

/** A folder as a zip of its regular files (and folders, empty class folders included), paths relative to it. */
async function zipFolder(root: string): Promise<Buffer> {
  const zip = new ZipFile();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const path = join(dir, name);
      const info = lstatSync(path);
      if (info.isDirectory()) {
        zip.addEmptyDirectory(`${prefix}${name}`);
        walk(path, `${prefix}${name}/`);
      } else if (info.isFile()) {
        zip.addFile(path, `${prefix}${name}`, { mode: 0o100000 | (info.mode & 0o777) });
      }
      // links, FIFOs and devices stay out, as the bridge's scanner leaves them out
    }
  };
  walk(root, '');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function registerDatasets(program: Command): void {
  const dataset = program
    .command('dataset')
    .alias('ds')
    .description('datasets: named, versioned data (a table or class folders) for trainings and evaluations');

  dataset
    .command('create <name> <path>')
    .description('make a dataset of a file or folder the bridge can read (copied in; --reference reads it in place)')
    .option('--reference', 'read the data where it is (a change then needs `emkit dataset version NAME`)')
    .option('--description <text>', 'what the data is')
    .action(async (name: string, path: string, options: { reference?: boolean; description?: string }, command: Command) => {
      const globals = command.optsWithGlobals();
      const body = {
        name,
        path: resolve(path),
        mode: options.reference ? ('reference' as const) : ('copy' as const),
        ...(options.description ? { description: options.description } : {}),
      };
      printItem(globals, await connect(globals).api.createDataset({ body }));
    });

  dataset
    .command('upload <name> <path>')
    .description('send a file or a folder (zipped here) to the bridge: for a bridge that cannot see your files')
    .option('--description <text>', 'what the data is')
    .action(async (name: string, path: string, options: { description?: string }, command: Command) => {
      const globals = command.optsWithGlobals();
      let info: ReturnType<typeof lstatSync>;
      try {
        info = lstatSync(path);
      } catch (error) {
        command.error(`error: can't read ${path}: ${(error as Error).message}`);
      }
      if (!info.isDirectory() && !info.isFile()) command.error(`error: ${path} is neither a file nor a folder`);
      const folder = info.isDirectory();
      const bytes = folder ? await zipFolder(path) : readFileSync(path);
      const filename = folder ? `${basename(resolve(path))}.zip` : basename(path);
      const type = folder ? 'application/zip' : lookup(filename) || 'application/octet-stream';
      const answer = await connect(globals).api.uploadDataset({
        query: { name, filename, ...(options.description ? { description: options.description } : {}) },
        body: new Blob([new Uint8Array(bytes)], { type }),
      });
      printItem(globals, answer);
    });

  dataset
    .command('list')
    .description('list datasets with their newest version')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listDatasets({ query: { limit: Number(options.limit) } });
      printList(globals, items, columns);
    });

  dataset
    .command('get <name>')
    .description('show a dataset and its newest version')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      printItem(globals, await connect(globals).api.getDataset({ params: { id: name } }));
    });

  dataset
    .command('preview <ref>')
    .description("a version's first rows and column types, or its classes with counts and samples (NAME or NAME:VERSION)")
    .option('--rows <n>', 'rows of a table to show', '20')
    .action(async (ref: string, options: { rows: string }, command: Command) => {
      const globals = command.optsWithGlobals();
      const preview = await connect(globals).api.previewDataset({ params: { id: ref }, query: { rows: Number(options.rows) } });
      if (globals.json) return printMessage(globals, '', preview);
      printPreview(preview);
    });

  dataset
    .command('versions <name>')
    .description("a dataset's versions, newest first")
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listDatasetVersions({ params: { id: name } });
      printList(globals, items, versionColumns);
    });

  dataset
    .command('version <name>')
    .description('read the source again: a new version if its content changed, else the newest as it is')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const version = await connect(globals).api.createDatasetVersion({ params: { id: name } });
      if (globals.json) return printMessage(globals, '', version);
      printMessage(globals, `${version.dataset}:${version.version}  sha256 ${version.sha256.slice(0, 12)}  ${shape(version)}`);
    });

  dataset
    .command('delete <name>')
    .description('delete a dataset and its copied content (a referenced path is left alone)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteDataset({ params: { id: name } });
      printMessage(globals, `dataset ${name} deleted`, { deleted: name });
    });
}
