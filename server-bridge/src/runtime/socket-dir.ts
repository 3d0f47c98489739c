import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sun_path holds 108 bytes on Linux (104 on macOS), the final NUL included. */
const SUN_PATH_MAX = process.platform === 'linux' ? 107 : 103;
/** the longest name a socket here gets: a model worker's `<stage uuid>-<index>.sock` (a TensorBoard's is `<uuid>.sock`) */
const LONGEST_NAME = '00000000-0000-0000-0000-000000000000-999.sock';

export class SocketDirError extends Error {}

/**
 * The one directory of the Unix domain sockets of what the bridge starts — model workers and
 * TensorBoards: the bridge's user alone may enter it (0700), which is what keeps every other
 * local user away from the models and the boards. It is created if missing, made 0700 if
 * looser, refused if it is a link or someone else's, and emptied of the sockets a bridge
 * killed with -9 left. A home too deep for a socket path (the 108-byte sun_path) gets a
 * private directory under the temporary one instead; `dir` says which.
 */
export function prepareSocketDir(preferred: string): { dir: string; fallback: boolean } {
  if (Buffer.byteLength(join(preferred, LONGEST_NAME)) > SUN_PATH_MAX) {
    // mkdtemp makes it 0700 and unique: no one else can have prepared it
    return { dir: mkdtempSync(join(tmpdir(), 'emkit-sock-')), fallback: true };
  }
  mkdirSync(preferred, { recursive: true, mode: 0o700 });
  const stat = lstatSync(preferred);
  if (!stat.isDirectory()) throw new SocketDirError(`${preferred} must be a directory (not a link or a file): remove it`);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new SocketDirError(`${preferred} belongs to uid ${stat.uid}, not to the bridge's user (${uid}): remove it`);
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(preferred, 0o700);
  for (const name of readdirSync(preferred)) {
    if (name.endsWith('.sock')) rmSync(join(preferred, name), { force: true });
  }
  return { dir: preferred, fallback: false };
}
