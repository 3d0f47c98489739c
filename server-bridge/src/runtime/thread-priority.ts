import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** A nice value: below the bridge's other threads, not idle-only. */
export const BACKGROUND_NICE = 10;

/**
 * Lowers the calling thread's scheduling priority (Linux: a thread has its own nice value, set
 * through its thread id, which /proc/thread-self names). Elsewhere, or when it can't, nothing
 * changes: the thread then just competes as any other. Returns whether it was lowered.
 */
export function lowerThisThreadsPriority(nice = BACKGROUND_NICE): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
