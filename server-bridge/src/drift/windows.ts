import { WINDOW_PATTERN } from '@emkit/shared';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = new RegExp(WINDOW_PATTERN);

/** `10s`, `5m`, `1h`, `1d` in milliseconds (the schema has checked the form). */
export function windowMs(window: string): number {
  if (!PATTERN.test(window)) throw new Error(`not a drift window: ${window}`);
  return Number(window.slice(0, -1)) * (UNIT_MS[window.slice(-1)] as number);
}

export interface WindowBounds {
  start: string;
  end: string;
}

/** The window `now` falls in: windows are aligned on the epoch, so every bridge cuts them alike. */
export function windowAt(now: number, widthMs: number): WindowBounds {
  const start = Math.floor(now / widthMs) * widthMs;
  return { start: new Date(start).toISOString(), end: new Date(start + widthMs).toISOString() };
}

/** The last window that has ended by `now`. */
export function lastClosedWindow(now: number, widthMs: number): WindowBounds {
  return windowAt(now - widthMs, widthMs);
}

/**
 * How many closed windows of a stage the bridge looks back over for ones not yet computed (a
 * bridge that was down, a reference that could not be read): a day of 1-hour windows, 4 minutes
 * of 10-second ones. Older ones missed stay missing, so a long outage costs a bounded catch-up.
 */
export const CATCH_UP_WINDOWS = 24;

/**
 * The closed windows a stage created at `createdAt` may still lack, newest first (the one just
 * closed is what alerts read): the newest CATCH_UP_WINDOWS that ended by `now`, after the stage
 * was created.
 */
export function missedWindows(now: number, widthMs: number, createdAt: string, limit = CATCH_UP_WINDOWS): WindowBounds[] {
  const created = Date.parse(createdAt);
  const windows: WindowBounds[] = [];
  for (let back = 1; back <= limit; back += 1) {
    const bounds = windowAt(now - back * widthMs, widthMs);
    if (Date.parse(bounds.end) > created) windows.push(bounds);
  }
  return windows;
}
