import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ScheduleClock } from './clock.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the schedule clock', () => {
  it('sets one timer for the nearest due time, fires then, and sets the next', () => {
    const due = [new Date('2026-01-01T00:00:10.000Z'), new Date('2026-01-01T00:01:00.000Z')];
    const fired: string[] = [];
    const clock = new ScheduleClock(
      () => due[0] ?? null,
      (at) => {
        fired.push(at.toISOString());
        due.shift();
      },
    );
    clock.arm();
    // one timer, not a poll
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['2026-01-01T00:00:10.000Z']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50_000);
    expect(fired).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:01:00.000Z']);
    // nothing more is due: no timer at all
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arms for a nearer time, fires at once for a past one, and stops for good', () => {
    let next: Date | null = new Date('2026-01-01T01:00:00.000Z');
    const fire = vi.fn(() => {
      next = null;
    });
    const clock = new ScheduleClock(() => next, fire);
    clock.arm();
    next = new Date('2025-12-31T23:59:00.000Z');
    clock.arm();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(0);
    expect(fire).toHaveBeenCalledTimes(1);
    next = new Date('2026-01-01T00:00:05.000Z');
    clock.arm();
    clock.stop();
    clock.arm();
    vi.advanceTimersByTime(60_000);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits in legs for a time beyond what setTimeout takes', () => {
    const far = new Date('2026-03-01T00:00:00.000Z');
    const fire = vi.fn();
    const clock = new ScheduleClock(() => (Date.now() >= far.getTime() ? null : far), fire);
    clock.arm();
    vi.advanceTimersByTime(2_147_483_647);
    // the first leg ends before the due time: it looks, finds nothing due, and waits again
    expect(fire).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
  });
});
