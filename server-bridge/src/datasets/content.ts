import type { Stats } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { copyPlanned, copyRegularFile, FileRefused, planTree } from '../runtime/safe-files.js';
import { HttpError } from '../server/errors.js';
import type { DatasetScanner, ScanLimits } from './scanner.js';

const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * Copy mode: the user's file or folder copied into `<staging>/data` — regular files only (a link to one as its
 * content; linked folders, FIFOs and devices left out), everything measured against the caps before a byte is
 * copied. Answers the copy's path: `data/<file name>` for a file, `data` for a folder.
 */
export async function copyIn(real: string, info: Stats, staging: string, limits: ScanLimits): Promise<string> {
  const data = join(staging, 'data');
  if (info.isFile()) {
    await mkdir(data);
    const target = join(data, basename(real));
    try {
      await copyRegularFile(real, target, limits.maxFileBytes);
    } catch (error) {
      if (error instanceof FileRefused) throw unprocessable(error.message, 'path');
      throw error;
    }
    return target;
  }
  const { files } = await planTree(real, {
    limits: { maxBytes: limits.maxBytes, maxFiles: limits.maxFiles },
    tooBig: (what) => unprocessable(`${real} holds ${what}, over what a dataset may have`, 'path'),
  });
  await copyPlanned(files, data);
  await copyFolders(real, data);
  return data;
}

/** The folders too, empty ones included: an empty class folder is part of what the user made (and an error to report). */
async function copyFolders(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue; // a linked folder is a link, not a folder: left out, as planTree does
    await mkdir(join(to, entry.name), { recursive: true });
    await copyFolders(join(from, entry.name), join(to, entry.name));
  }
}

/**
 * An upload's bytes as a dataset's content in `<staging>/data`: a `.zip` unpacked by the scanner (each entry's
 * path checked, no links, sizes capped: Python's zipfile, already in every bridge's Python, where Node has no
 * unzip of its own), anything else written as the one file `data/<filename>`.
 */
export async function uploadIn(bytes: Buffer, filename: string, staging: string, scanner: DatasetScanner): Promise<string> {
  if (filename.startsWith('.')) throw unprocessable(`the file name "${filename}" starts with "."`, 'filename');
  if (bytes.length === 0) throw unprocessable(`the upload ${filename} is empty`, 'body');
  const data = join(staging, 'data');
  if (extname(filename).toLowerCase() !== '.zip') {
    await mkdir(data);
    const target = join(data, filename);
    await writeFile(target, bytes, { flag: 'wx', mode: 0o600 });
    return target;
  }
  const archive = join(staging, 'upload.zip');
  await writeFile(archive, bytes, { flag: 'wx', mode: 0o600 });
  const unpacked = join(staging, 'unpacked');
  const root = await scanner.unzip(archive, unpacked, basename(filename, extname(filename)), staging);
  await rename(root, data);
  await rm(archive, { force: true });
  await rm(unpacked, { recursive: true, force: true });
  return data;
}
