import { describe, expect, it } from 'vitest';
import { alertMessage, holds } from './condition.js';

describe('conditions', () => {
  it('compares with each op, and no data never holds', () => {
    expect([holds('>', 2, 1), holds('>', 1, 1), holds('>=', 1, 1), holds('<', 0, 1), holds('<=', 1, 1)]).toEqual([
      true,
      false,
      true,
      true,
      true,
    ]);
    expect(holds('<', null, 1)).toBe(false);
    expect(holds('>', Number.NaN, 1)).toBe(false);
  });

  it('says what fired in words, with the units of its series', () => {
    const base = { op: '>' as const, forSeconds: 60 };
    expect(
      alertMessage({
        ...base,
        kind: 'FIRING',
        subject: 'endpoint iris',
        series: 'endpoint.p99LatencyMs',
        threshold: 500,
        value: 812,
      }),
    ).toBe('endpoint iris: p99 latency 812 ms > 500 ms for 60 s');
    expect(
      alertMessage({
        ...base,
        kind: 'FIRING',
        subject: 'endpoint iris',
        series: 'endpoint.errorRate',
        threshold: 0.05,
        value: 0.25,
      }),
    ).toBe('endpoint iris: error rate 25 % > 5 % for 60 s');
    expect(
      alertMessage({
        ...base,
        kind: 'RESOLVED',
        subject: 'endpoint iris',
        series: 'endpoint.errorRate',
        threshold: 0.05,
        value: null,
      }),
    ).toBe('endpoint iris: error rate no data, no longer > 5 % (resolved)');
    expect(
      alertMessage({
        ...base,
        kind: 'FIRING',
        subject: 'training fit (loss at step 12)',
        series: 'training.nanLoss',
        threshold: 1,
        value: 1,
      }),
    ).toBe('training fit (loss at step 12): a loss went NaN or infinite');
  });
});
