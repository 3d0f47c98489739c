import type { Dirent } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readdirIfPresent } from '../runtime/safe-files.js';

const MAX_DEPTH = 8;

/** Told of a folder that exists but could not be read (EACCES, ENOTDIR, …): its files are left out. */
export type UnreadableFolder = (dir: string, error: NodeJS.ErrnoException) => void;

/**
 * Every file under `dir` whose name contains "tfevents", sorted. Recursive to depth 8, without following symlinked
 * directories (a link back up would loop); a symlink to a file counts. A missing `dir` gives []; a folder that
 * cannot be read is left out and passed to `unreadable`, so that it is said rather than looking empty.
 */
export async function findEventFiles(dir: string, unreadable: UnreadableFolder): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdirIfPresent(current);
    } catch (error) {
      unreadable(current, error as NodeJS.ErrnoException);
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else if (entry.name.includes('tfevents')) {
        if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full)))) found.push(full);
      }
    }
  }
  await walk(dir, 0);
  return found.sort();
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The run a file belongs to: its directory relative to `dir`, with '/' separators; '' for a file directly in `dir`.
 * torch's add_scalars writes each series into its own subdirectory, which is how they are told apart.
 */
export function runNameFor(dir: string, file: string): string {
  const relative = path.relative(dir, path.dirname(file));
  return relative.split(path.sep).join('/');
}

/** The tag as shown: `tag` for the top run, else `<run>/<tag>`. */
export function qualifiedTag(run: string, tag: string): string {
  return run === '' ? tag : `${run}/${tag}`;
}
