import type { StatusRead } from './status-file.js';
import type { WatchLoop } from './watch-loop.js';

/** How long a stop may take before the bridge kills what is left of the run itself. */
export const STOP_GRACE_MS = 5000;

/**
 * What a supervision keeps of a detached run it watches (a training's supervisor, an evaluation's runner), and the
 * rules every look at one follows.
 */
export interface RunWatch {
  layout: { status: string };
  /** when a stop was asked, for the backstop */
  stopAskedAt?: number;
  /** the process was found gone once; the next look decides (status.json may land in between) */
  goneOnce?: boolean;
  /** why status.json could not be read at the last look, once logged */
  unreadable?: string;
}

/** The run's status.json at this look; `warn` hears why it can't be read once, not at every look. */
export function lookAtStatus<T>(
  watch: RunWatch,
  read: (file: string) => StatusRead<T>,
  warn: (error: string) => void,
): StatusRead<T> {
  const found = read(watch.layout.status);
  if (found.unreadable !== undefined && found.unreadable !== watch.unreadable) warn(found.unreadable);
  watch.unreadable = found.unreadable;
  return found;
}

/**
 * The run's process isn't there: has the run vanished? Only at the second look that finds it so, since status.json
 * is written just before the process exits.
 */
export function goneAtSecondLook(watch: RunWatch): boolean {
  if (watch.goneOnce) return true;
  watch.goneOnce = true;
  return false;
}

/** A stop was asked: the run is watched (again, if a previous bridge started it) from now, for the backstop. */
export function watchStop<W extends RunWatch>(watching: WatchLoop<W>, id: string, fresh: W): void {
  const watch = watching.get(id) ?? fresh;
  watch.stopAskedAt = Date.now();
  watching.watch(id, watch);
}

/** A stop asked longer than STOP_GRACE_MS ago, that hasn't ended the run. */
export function stopOverdue(watch: RunWatch, now = Date.now()): boolean {
  return watch.stopAskedAt !== undefined && now > watch.stopAskedAt + STOP_GRACE_MS;
}
