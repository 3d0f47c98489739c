import { describe, expect, it } from 'vitest';
import { StageTraffic } from '../endpoints/traffic.js';
import { TrafficWindows } from './traffic-window.js';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 50);

/** `count` calls answered with `status` after `ms`, at `at`. */
function calls(traffic: StageTraffic, count: number, status: number, ms: number, at: number) {
  for (let i = 0; i < count; i += 1) {
    traffic.begin(at);
    traffic.end(status, ms, at);
  }
}

describe('rolling traffic windows', () => {
  it('reads the last window across a minute turn, not the minute bucket', () => {
    const traffic = new StageTraffic('s1', 'default', T0);
    const windows = new TrafficWindows(() => [traffic.totals]);
    const watched = [{ endpointId: 'e', stage: null }];
    windows.tick(watched, T0);
    // not covered yet: no data
    expect(windows.read('e', null, 10_000, T0)).toBeNull();
    calls(traffic, 10, 500, 5, T0 + 1_000);
    windows.tick(watched, T0 + 5_000);
    calls(traffic, 10, 200, 800, T0 + 9_000);
    windows.tick(watched, T0 + 10_000);
    // 10 errors and 10 slow calls in the last 10 s: the minute turned at T0 + 10 s
    expect(windows.read('e', null, 10_000, T0 + 10_000)).toMatchObject({ count: 20, serverErrors: 10, spanMs: 10_000 });
    expect(windows.read('e', null, 10_000, T0 + 10_000)?.p99).toBeGreaterThan(700);
    windows.tick(watched, T0 + 15_000);
    // the last 10 s hold only the slow successes
    const later = windows.read('e', null, 10_000, T0 + 15_000);
    expect(later).toMatchObject({ count: 10, serverErrors: 0 });
    windows.tick(watched, T0 + 25_000);
    expect(windows.read('e', null, 10_000, T0 + 25_000)).toMatchObject({ count: 0, p99: null });
  });

  it('sums the stages of an endpoint, and forgets counters that went', () => {
    const a = new StageTraffic('a', 'a', T0);
    const b = new StageTraffic('b', 'b', T0);
    let live = [a, b];
    const windows = new TrafficWindows(() => live.map((t) => t.totals));
    const watched = [{ endpointId: 'e', stage: null }];
    windows.tick(watched, T0);
    calls(a, 3, 200, 1, T0 + 1);
    calls(b, 1, 503, 1, T0 + 1);
    windows.tick(watched, T0 + 2_000);
    expect(windows.read('e', null, 2_000, T0 + 2_000)).toMatchObject({ count: 4, serverErrors: 1 });
    // b redeployed: new counters, read from their first copy
    const b2 = new StageTraffic('b', 'b', T0 + 2_000);
    live = [a, b2];
    windows.tick(watched, T0 + 3_000);
    calls(b2, 2, 200, 1, T0 + 3_500);
    windows.tick(watched, T0 + 4_000);
    expect(windows.read('e', null, 2_000, T0 + 4_000)).toMatchObject({ count: 2, serverErrors: 0 });
  });
});
