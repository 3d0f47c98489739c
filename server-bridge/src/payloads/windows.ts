/** Monitoring windows (`30s`, `5m`, `2h`, `1d`, the schemas' WINDOW_PATTERN): widths and their epoch-aligned bounds. */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function windowMs(window: string): number {
  const match = /^([1-9][0-9]{0,4})([smhd])$/.exec(window);
  if (!match) throw new Error(`not a window: ${window}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The last `count` windows of `widthMs` up to `now`, oldest first; the last one holds `now` (still
 * filling). None starts before 1970: wide windows many times over would reach past what a date holds.
 */
export function recentWindows(widthMs: number, count: number, now = Date.now()): { start: number; end: number }[] {
  const current = now - (now % widthMs);
  return Array.from({ length: count }, (_, i) => {
    const start = current - (count - 1 - i) * widthMs;
    return { start, end: start + widthMs };
  }).filter((w) => w.start >= 0);
}
