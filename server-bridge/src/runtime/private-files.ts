import { chmodSync, lstatSync, mkdirSync, type Stats, statSync } from 'node:fs';

/** A home or secret file the bridge will not use: another user's, or not what it should be. */
export class UnsafeHomeError extends Error {}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

function checkOwner(path: string, stats: Stats, what: string): void {
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new UnsafeHomeError(
      `${what} ${path} belongs to uid ${stats.uid}, another user (you are uid ${uid}): the bridge keeps its token ` +
        'there and will not trust or change it; use a home of your own (`--home DIR` or EMKIT_HOME)',
    );
  }
}

/**
 * The home holds the token, the database and every training: it is made (or kept) 0700 and
 * must be ours. A folder others could read is closed, with a warning for the log.
 */
export function privateDirectory(dir: string, what: string, warnings: string[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // the home may be a link to a folder elsewhere: what counts is the folder
  const stats = statSync(dir);
  checkOwner(dir, stats, what);
  if ((stats.mode & 0o077) !== 0) {
    chmodSync(dir, 0o700);
    warnings.push(`the ${what} ${dir} was open to other users (mode ${octal(stats.mode)}): made it 0700`);
  }
}

/**
 * A secret file (the token, runtime.json, the bridge's log): if it is there it must be a
 * regular file of ours, and is made 0600 when others could read it, with a warning.
 * Whether a token others may have read is still secret is the user's call: the warning
 * says how to rotate it.
 */
export function privateFile(file: string, what: string, warnings: string[], hint = ''): void {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch {
    return;
  }
  if (!stats.isFile()) throw new UnsafeHomeError(`${what} ${file} is not a regular file; remove it and start again`);
  checkOwner(file, stats, what);
  if ((stats.mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    warnings.push(`the ${what} ${file} was readable by other users (mode ${octal(stats.mode)}): made it 0600${hint}`);
  }
}
