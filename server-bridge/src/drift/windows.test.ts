import { describe, expect, it } from 'vitest';
import { lastClosedWindow, windowAt, windowMs } from './windows.js';

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
});
