import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { TrainingKind } from '@emkit/shared';
import ignore, { type Ignore } from 'ignore';
import { copyPlanned, FileRefused, planTree, readRegularFile, type TreeLimits } from '../runtime/safe-files.js';
import { HttpError } from '../server/errors.js';

/** What never belongs in a snapshot: VCS data, caches, virtual environments, checkpoints of the editor. */
export const DEFAULT_IGNORES = [
  '.git/',
  '.hg/',
  '.svn/',
  'node_modules/',
  '__pycache__/',
  '*.pyc',
  '.ipynb_checkpoints/',
  '.venv/',
  'venv/',
  '.mypy_cache/',
  '.pytest_cache/',
  '.ruff_cache/',
  '.tox/',
  '.DS_Store',
  '.emkit/',
];
export const IGNORE_FILE = '.emkitignore';

export type SnapshotLimits = TreeLimits;

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = { maxBytes: 200 * 1024 * 1024, maxFiles: 20_000 };

export interface ResolvedSource {
  /** the folder that is snapshotted */
  root: string;
  /** relative to root, '/' separated */
  entryPoint: string;
  kind: TrainingKind;
}

const invalid = (message: string, field = 'source.path') => new HttpError(422, 'unprocessable', message, field);

function kindOf(file: string): TrainingKind | undefined {
  if (file.endsWith('.ipynb')) return 'notebook';
  if (file.endsWith('.py')) return 'script';
  return undefined;
}

/**
 * A notebook or script stands for its folder (its data files and helper modules come
 * along, as when it runs in the editor); a folder needs the entry point named.
 */
export async function resolveSource(path: string, entryPoint: string | undefined): Promise<ResolvedSource> {
  if (!isAbsolute(path)) throw invalid(`the source path must be absolute, not "${path}"`);
  const info = await stat(path).catch(() => undefined);
  if (!info) throw invalid(`the source ${path} does not exist`);
  if (info.isFile()) {
    if (entryPoint !== undefined) throw invalid('entryPoint goes with a folder source, not with a file', 'source.entryPoint');
    const kind = kindOf(path);
    if (!kind) throw invalid(`the source ${path} is neither a notebook (.ipynb) nor a script (.py)`);
    return { root: dirname(path), entryPoint: basename(path), kind };
  }
  if (!info.isDirectory()) throw invalid(`the source ${path} is neither a file nor a folder`);
  if (entryPoint === undefined) {
    throw invalid('name the entry point (.py or .ipynb) inside the source folder', 'source.entryPoint');
  }
  const normalized = entryPoint.replaceAll('\\', '/');
  const full = resolve(path, normalized);
  const inside = relative(path, full);
  if (isAbsolute(normalized) || inside.startsWith('..') || inside === '') {
    throw invalid(`the entry point "${entryPoint}" must be a file inside the source folder`, 'source.entryPoint');
  }
  const kind = kindOf(full);
  if (!kind)
    throw invalid(`the entry point "${entryPoint}" is neither a notebook (.ipynb) nor a script (.py)`, 'source.entryPoint');
  if (!(await stat(full).catch(() => undefined))?.isFile()) {
    throw invalid(`the entry point ${full} does not exist`, 'source.entryPoint');
  }
  return { root: path, entryPoint: inside.split(sep).join('/'), kind };
}

/** `.emkitignore` is a short list of patterns; anything bigger is a mistake, not rules. */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

async function loadIgnores(root: string): Promise<Ignore> {
  const rules = ignore().add(DEFAULT_IGNORES);
  const file = join(root, IGNORE_FILE);
  try {
    return rules.add((await readRegularFile(file, MAX_IGNORE_FILE_BYTES)) ?? '');
  } catch (error) {
    if (error instanceof FileRefused) {
      throw invalid(
        error.reason === 'too_big'
          ? `${file} is larger than ${MAX_IGNORE_FILE_BYTES / 1024 / 1024} MB; it should hold gitignore patterns`
          : `${file} is not a regular file (a FIFO, a device, a socket or a folder); make it a text file of gitignore patterns, or remove it`,
      );
    }
    throw error;
  }
}

/**
 * Copy the source folder into the training's own `source/` at submit time, so later
 * edits don't change the run. Everything is measured before anything is copied: an
 * oversized folder fails with what to do, and leaves nothing behind.
 */
export async function snapshotSource(
  source: ResolvedSource,
  target: string,
  limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS,
): Promise<{ files: number; bytes: number }> {
  const rules = await loadIgnores(source.root);
  if (rules.ignores(source.entryPoint)) {
    throw invalid(`the entry point ${source.entryPoint} is excluded by the ignore rules (${IGNORE_FILE} or the defaults)`);
  }
  const { files, bytes } = await planTree(source.root, {
    limits,
    skip: (relPath, dir) => rules.ignores(dir ? `${relPath}/` : relPath),
    tooBig: (what) =>
      new HttpError(
        413,
        'payload_too_large',
        `the source folder ${source.root} holds ${what}; list what the training doesn't need (data, outputs) in ` +
          `${join(source.root, IGNORE_FILE)} (gitignore syntax), or submit a smaller folder`,
        'source.path',
      ),
  });
  await copyPlanned(files, target);
  return { files: files.length, bytes };
}

/**
 * A copy of a training's own snapshot, for a copy of the training. The run's code may
 * have left links, FIFOs or big files in it (it runs there): the same rules and caps
 * as for the first snapshot.
 */
export async function copySnapshot(
  from: string,
  target: string,
  limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS,
): Promise<{ files: number; bytes: number }> {
  const { files, bytes } = await planTree(from, {
    limits,
    tooBig: (what) =>
      new HttpError(
        413,
        'payload_too_large',
        `the source snapshot ${from} has grown to ${what} while the training ran; submit its folder anew instead`,
      ),
  });
  await copyPlanned(files, target);
  return { files: files.length, bytes };
}
