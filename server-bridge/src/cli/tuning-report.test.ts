import type { Tuning, TuningTrial } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { bestLine, importanceLine, paramsText, trialCounts, trialLine } from './tuning-report.js';

const trial = (over: Partial<TuningTrial>): TuningTrial => ({
  number: 3,
  trainingId: 't1',
  trainingName: 'tune-t3',
  state: 'COMPLETE',
  stateReason: null,
  params: { lr: 0.0012345678, depth: 4, opt: 'adam' },
  value: 0.123456789,
  lastStep: 9,
  lastValue: 0.2,
  prunedAtStep: null,
  startedAt: null,
  endedAt: null,
  ...over,
});

describe('the tuning lines the CLI prints', () => {
  it('shows a trial with its values, objective and reason', () => {
    expect(trialLine(trial({}))).toBe('trial 3 COMPLETE 0.123457: lr=0.00123457 depth=4 opt=adam');
    expect(trialLine(trial({ state: 'PRUNED', value: null, stateReason: 'pruned at step 4' }))).toBe(
      'trial 3 PRUNED: lr=0.00123457 depth=4 opt=adam (pruned at step 4)',
    );
    expect(paramsText({ flag: true })).toBe('flag=true');
  });

  it('shows the counts, the best and the importance of a tuning', () => {
    const tuning = {
      maxTrials: 20,
      trials: { total: 5, running: 2, complete: 2, pruned: 1, failed: 0, stopped: 0 },
      objective: { metric: 'val_loss', mode: 'min', aggregate: 'last', step: null },
      best: { number: 1, trainingId: 'x', trainingName: 'tune-t1', value: 0.5, params: { lr: 0.01 } },
      importance: { depth: 0.2, lr: 0.8 },
    } as unknown as Tuning;
    expect(trialCounts(tuning)).toBe('5/20 (2 running, 1 pruned)');
    expect(bestLine(tuning)).toBe('best: trial 1, val_loss 0.5: lr=0.01 (training tune-t1)');
    expect(importanceLine(tuning)).toBe('importance: lr 0.80, depth 0.20');
    expect(bestLine({ ...tuning, best: null })).toBe('best: none yet (no trial has logged val_loss)');
    expect(importanceLine({ ...tuning, importance: null })).toBeUndefined();
  });
});
