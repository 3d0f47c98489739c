import { constants, type Stats } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { HttpError } from '../server/errors.js';

const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

/** Is `path` `dir` itself or under it? */
export const inside = (path: string, dir: string): boolean => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

export interface UserPathRules {
  /** the emkit home: a path inside it (or holding it) is refused */
  home: string;
  /** the request's field, for the error */
  field: string;
  /** what the path is, for the error: "the artifact", "the dataset" */
  what: string;
  /** also refuse what this process can't read (a folder: list and enter) */
  readable?: boolean;
}

/**
 * A path a user named for the bridge to read: absolute, existing, a regular file or a folder (no FIFO, socket or
 * device, even behind a link), readable if asked, and nothing of the emkit home (its token, database, other
 * users' runs). Answers what it is, with the real path.
 */
export async function checkUserPath(path: string, rules: UserPathRules): Promise<{ real: string; info: Stats }> {
  const { field, what } = rules;
  if (!isAbsolute(path)) throw unprocessable(`${what} path must be absolute, not "${path}"`, field);
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES') throw unprocessable(`${what} ${path} can't be reached: permission denied`, field);
    return undefined;
  });
  if (!info) throw unprocessable(`${what} ${path} does not exist`, field);
  if (!info.isFile() && !info.isDirectory()) {
    throw unprocessable(`${what} ${path} is neither a regular file nor a folder (a FIFO, a socket or a device)`, field);
  }
  if (rules.readable) {
    const mode = info.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK;
    await access(path, mode).catch(() => {
      throw unprocessable(`${what} ${path} can't be read: permission denied`, field);
    });
  }
  const real = await realpath(path);
  const home = await realpath(rules.home).catch(() => rules.home);
  if (inside(real, home) || inside(home, real)) {
    throw unprocessable(`${what} ${path} is or holds emkit's own folder (${home}); point at a file or folder of your own`, field);
  }
  return { real, info };
}
