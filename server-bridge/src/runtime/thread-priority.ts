import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** A nice value: below the bridge's other threads, not idle-only. */
export const BACKGROUND_NICE = 10;

/** The calling thread's id (Linux: /proc/thread-self names it), or null where there is none. */
function thisThreadsId(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * Lowers the calling thread's scheduling priority (Linux: a thread has its own nice value, set
 * through its thread id). Elsewhere, or when it can't, nothing changes: the thread then just
 * competes as any other. Returns whether it was lowered.
 */
export function lowerThisThreadsPriority(nice = BACKGROUND_NICE): boolean {
  const tid = thisThreadsId();
  if (tid === null) return false;
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the calling thread idle-only (Linux's SCHED_IDLE, set with util-linux's `chrt`, as node
 * has no call for it): it runs when a core has nothing else to run, and any other thread that
 * wakes takes the core from it at once. A high nice value alone still lets it keep a core for a
 * while when a busy thread wakes. It can't be undone without privileges. Returns whether it was
 * done; where it can't be (no chrt, not Linux), nothing changes.
 */
export function makeThisThreadIdleOnly(): boolean {
  const tid = thisThreadsId();
  if (tid === null) return false;
  const chrt = spawnSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5000 });
  return chrt.status === 0;
}
