import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { TrainingKind } from '@emkit/shared';
import ignore, { type Ignore } from 'ignore';
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

export interface SnapshotLimits {
  maxBytes: number;
  maxFiles: number;
}

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

interface PlannedFile {
  from: string;
  to: string;
  bytes: number;
}

async function loadIgnores(root: string): Promise<Ignore> {
  const rules = ignore().add(DEFAULT_IGNORES);
  const text = await readFile(join(root, IGNORE_FILE), 'utf8').catch(() => '');
  return rules.add(text);
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
  const planned: PlannedFile[] = [];
  let bytes = 0;
  const tooBig = (what: string) =>
    new HttpError(
      413,
      'payload_too_large',
      `the source folder ${source.root} holds ${what}; list what the training doesn't need (data, outputs) in ` +
        `${join(source.root, IGNORE_FILE)} (gitignore syntax), or submit a smaller folder`,
      'source.path',
    );

  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const from = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        // a linked file is copied as its content; a linked folder is skipped (it may be huge, or loop)
        const target = await stat(from).catch(() => undefined);
        isDir = false;
        isFile = target?.isFile() ?? false;
      }
      if (isDir) {
        if (rules.ignores(`${relPath}/`)) continue;
        await walk(from, relPath);
      } else if (isFile) {
        if (rules.ignores(relPath)) continue;
        const size = (await stat(from)).size;
        bytes += size;
        planned.push({ from, to: join(target, ...relPath.split('/')), bytes: size });
        if (bytes > limits.maxBytes) throw tooBig(`more than ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
        if (planned.length > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
      }
    }
  };
  await walk(source.root, '');

  const made = new Set<string>();
  for (const file of planned) {
    const folder = dirname(file.to);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await copyFile(file.from, file.to);
  }
  await mkdir(target, { recursive: true });
  return { files: planned.length, bytes };
}
