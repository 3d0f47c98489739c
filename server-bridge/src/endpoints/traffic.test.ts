import { describe, expect, it } from 'vitest';
import { StageTraffic } from './traffic.js';

const T0 = Date.parse('2026-11-22T10:00:00.000Z');

describe('StageTraffic', () => {
  it('counts calls, errors and server errors, and reads percentiles within the histogram error', () => {
    const traffic = new StageTraffic('s1', 'default', T0);
    // 100 calls of 1..100 ms: p50 ≈ 50, p90 ≈ 90, p99 ≈ 99
    for (let ms = 1; ms <= 100; ms += 1) {
      traffic.begin(T0 + ms);
      traffic.end(ms % 10 === 0 ? 500 : ms % 7 === 0 ? 400 : 200, ms, T0 + ms);
    }
    const minute = traffic.current();
    expect(minute).toMatchObject({ stageId: 's1', stage: 'default', minute: '2026-11-22T10:00:00.000Z', count: 100 });
    expect(minute.serverErrors).toBe(10);
    expect(minute.errors).toBe(10 + 13); // the multiples of 7 that aren't of 10 (70 is both)
    expect(minute.p50).toBeGreaterThan(50 * 0.95);
    expect(minute.p50).toBeLessThan(50 * 1.05);
    expect(minute.p90).toBeGreaterThan(90 * 0.95);
    expect(minute.p90).toBeLessThan(90 * 1.05);
    expect(minute.p99).toBeGreaterThan(99 * 0.95);
    expect(minute.p99).toBeLessThan(99 * 1.05);
  });

  it('keeps the most requests in flight at once, and how many are in flight now', () => {
    const traffic = new StageTraffic('s1', 'default', T0);
    for (let i = 0; i < 3; i += 1) traffic.begin(T0);
    traffic.end(200, 1, T0);
    traffic.begin(T0);
    expect(traffic.inFlight).toBe(3);
    expect(traffic.current().maxInFlight).toBe(3);
  });

  it('hands over each finished minute once, even when requests span the turn of the minute', () => {
    const traffic = new StageTraffic('s1', 'default', T0);
    traffic.begin(T0 + 59_000);
    traffic.end(200, 3, T0 + 59_500);
    traffic.begin(T0 + 59_900); // still in flight when the minute turns
    expect(traffic.roll(T0 + 59_950)).toEqual([]);
    traffic.end(200, 200, T0 + 60_100);
    traffic.begin(T0 + 61_000);
    traffic.end(200, 2, T0 + 61_001);
    const [first, ...rest] = traffic.roll(T0 + 61_002);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ minute: '2026-11-22T10:00:00.000Z', count: 1, maxInFlight: 1 });
    expect(traffic.current()).toMatchObject({ minute: '2026-11-22T10:01:00.000Z', count: 2, maxInFlight: 1 });
    // a quiet minute is not handed over
    expect(traffic.roll(T0 + 130_000)).toHaveLength(1);
    expect(traffic.roll(T0 + 250_000)).toEqual([]);
  });

  it('has no percentiles for a minute without calls', () => {
    const minute = new StageTraffic('s1', 'default', T0).current();
    expect(minute).toMatchObject({ count: 0, p50: null, p90: null, p99: null });
  });
});
