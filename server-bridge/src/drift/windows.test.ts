import { describe, expect, it } from 'vitest';
import { CATCH_UP_WINDOWS, lastClosedWindow, missedWindows, windowAt, windowMs } from './windows.js';

describe('drift windows', () => {
  it('reads the widths the schema allows', () => {
    expect(windowMs('10s')).toBe(10_000);
    expect(windowMs('5m')).toBe(300_000);
    expect(windowMs('1h')).toBe(3_600_000);
    expect(windowMs('2d')).toBe(172_800_000);
    expect(() => windowMs('0s')).toThrow();
  });

  it('cuts windows on the epoch, the last closed one before the current', () => {
    const now = Date.parse('2026-12-07T03:17:42.500Z');
    expect(windowAt(now, windowMs('1h'))).toEqual({ start: '2026-12-07T03:00:00.000Z', end: '2026-12-07T04:00:00.000Z' });
    expect(lastClosedWindow(now, windowMs('1h'))).toEqual({
      start: '2026-12-07T02:00:00.000Z',
      end: '2026-12-07T03:00:00.000Z',
    });
    expect(windowAt(now, windowMs('10s')).start).toBe('2026-12-07T03:17:40.000Z');
  });

  it('looks back over a bounded number of closed windows, newest first, none before the stage', () => {
    const now = Date.parse('2026-12-07T03:17:42.500Z');
    const hourly = missedWindows(now, windowMs('1h'), '2026-12-01T00:00:00.000Z');
    expect(hourly).toHaveLength(CATCH_UP_WINDOWS);
    expect(hourly[0]).toEqual(lastClosedWindow(now, windowMs('1h')));
    expect(hourly.at(-1)?.start).toBe('2026-12-06T03:00:00.000Z');
    // a stage created at 00:30: the window it was created in is its first
    expect(missedWindows(now, windowMs('1h'), '2026-12-07T00:30:00.000Z').map((w) => w.start)).toEqual([
      '2026-12-07T02:00:00.000Z',
      '2026-12-07T01:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
    expect(missedWindows(now, windowMs('1h'), '2026-12-07T03:10:00.000Z')).toEqual([]);
  });
});
