import { constants, type Dirent } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Reading and copying files at paths a user named. A path may be a FIFO (opening it
 * blocks a libuv thread until a writer comes: four of them stall every file operation
 * of the bridge), a device (`/dev/zero` never ends), a socket, or a huge sparse file.
 * So: only regular files, opened without blocking, never read past a cap.
 */

/** Why a file was not read: not a regular file, or larger than the cap. */
export class FileRefused extends Error {
  constructor(
    readonly reason: 'not_regular' | 'too_big',
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

// O_NONBLOCK: opening a FIFO returns at once (and fstat then refuses it) instead of waiting for a writer
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

export interface OpenOptions {
  /** refuse a symbolic link at the last component (O_NOFOLLOW) */
  noFollow?: boolean;
}

/** Opens `path` for reading if it is a regular file of at most `maxBytes`; the caller closes the handle. */
export async function openRegularFile(
  path: string,
  maxBytes: number,
  options: OpenOptions = {},
): Promise<{ handle: FileHandle; size: number; mode: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    // O_NOFOLLOW on a link: ELOOP
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new FileRefused('not_regular', path, `${path} is a symbolic link`);
    }
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new FileRefused('not_regular', path, `${path} is not a regular file`);
    if (info.size > maxBytes) {
      throw new FileRefused('too_big', path, `${path} holds ${info.size} bytes, more than the ${maxBytes} allowed`);
    }
    return { handle, size: info.size, mode: info.mode };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The text of a regular file of at most `maxBytes`, or `undefined` if there is none.
 * A file that grows while it is read is cut at the cap and refused, not read on.
 */
export async function readRegularFile(path: string, maxBytes: number, options: OpenOptions = {}): Promise<string | undefined> {
  let opened: Awaited<ReturnType<typeof openRegularFile>>;
  try {
    opened = await openRegularFile(path, maxBytes, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await opened.handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new FileRefused('too_big', path, `${path} holds more than the ${maxBytes} bytes allowed`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await opened.handle.close();
  }
}

const COPY_CHUNK = 1024 * 1024;

/** Copies one regular file (a link to one is copied as its content), at most `maxBytes`, to a new file `to`. */
export async function copyRegularFile(from: string, to: string, maxBytes: number): Promise<number> {
  const { handle, size, mode } = await openRegularFile(from, maxBytes);
  try {
    const target = await open(to, 'wx', 0o600);
    try {
      // the permissions come along, as with copyFile: a script of the source stays executable
      await target.chmod(mode & 0o777);
      // no further than the size measured: a file still growing is copied as it was
      const buffer = Buffer.alloc(Math.min(COPY_CHUNK, Math.max(size, 1)));
      let copied = 0;
      while (copied < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - copied), copied);
        if (bytesRead === 0) break;
        await target.write(buffer, 0, bytesRead);
        copied += bytesRead;
      }
      return copied;
    } finally {
      await target.close();
    }
  } finally {
    await handle.close();
  }
}

export interface TreeLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface PlannedFile {
  from: string;
  /** relative to the tree's root, '/' separated */
  relPath: string;
  bytes: number;
}

export interface PlanOptions {
  limits: TreeLimits;
  /** leave out this file or (with `dir`) folder, by its '/' separated path relative to the root */
  skip?: (relPath: string, dir: boolean) => boolean;
  /** the error for a tree over a limit, given what it holds ("more than 200 MB") */
  tooBig: (what: string) => Error;
}

/**
 * Everything a copy of the folder `root` would take, measured before anything is copied.
 * Regular files are taken, and links to regular files (as their content); linked folders
 * (huge, or a loop), FIFOs, sockets and devices are left out.
 */
export async function planTree(root: string, options: PlanOptions): Promise<{ files: PlannedFile[]; bytes: number }> {
  const { limits, skip, tooBig } = options;
  const files: PlannedFile[] = [];
  let bytes = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const from = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let size: number | undefined;
      if (entry.isSymbolicLink()) {
        const target = await stat(from).catch(() => undefined);
        isDir = false;
        isFile = target?.isFile() ?? false;
        size = target?.size;
      }
      if (isDir) {
        if (skip?.(relPath, true)) continue;
        await walk(from, relPath);
      } else if (isFile) {
        if (skip?.(relPath, false)) continue;
        size ??= (await stat(from)).size;
        bytes += size;
        files.push({ from, relPath, bytes: size });
        if (bytes > limits.maxBytes) throw tooBig(`more than ${Math.round(limits.maxBytes / 1024 / 1024)} MB`);
        if (files.length > limits.maxFiles) throw tooBig(`more than ${limits.maxFiles} files`);
      }
    }
  };
  await walk(root, '');
  return { files, bytes };
}

/** Copies planned files under `target`; each one again only as a regular file within its measured size. */
export async function copyPlanned(files: readonly PlannedFile[], target: string): Promise<void> {
  const made = new Set<string>();
  for (const file of files) {
    const to = join(target, ...file.relPath.split('/'));
    const folder = dirname(to);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await copyRegularFile(file.from, to, file.bytes);
  }
  await mkdir(target, { recursive: true });
}

/**
 * The entries of a folder; none if it doesn't exist. Any other failure (EACCES, ENOTDIR)
 * is the caller's to report, not an empty list.
 */
export async function readdirIfPresent(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
