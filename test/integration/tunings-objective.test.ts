import { join } from 'node:path';
import type { TuningCreate } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { settledTuning, writeQuadratic } from '../support/tunings.js';

let bridge: TestBridge;
let work: string;
let script: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-objective-');
  script = writeQuadratic(join(work, 'quadratic'));
});

afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** A grid over x ∈ {1, 2} (y stays -1): two short trials, their losses known. */
const gridOfTwo = (name: string, objective: TuningCreate['objective'], fixed: Record<string, string> = {}): TuningCreate => ({
  name,
  source: { path: script },
  space: { x: { type: 'int', low: 1, high: 2 } },
  fixed: { y: '-1', steps: '4', pause: '0.01', ...fixed },
  objective,
  algorithm: 'grid',
});

const trialsOf = async (id: string) => (await bridge.client.api.listTuningTrials({ params: { id } })).items;

describe("a trial's objective", () => {
  it('is its last, its best or its at-step value, as the objective says', async () => {
    // the script adds 10 at its last step (3): its last value is not its best
    const bump = { bump: '10' };
    const [last, best, atStep] = await Promise.all([
      bridge.client.api.createTuning({ body: gridOfTwo('objective-last', { metric: 'loss', mode: 'min' }, bump) }),
      bridge.client.api.createTuning({
        body: gridOfTwo('objective-best', { metric: 'loss', mode: 'min', aggregate: 'best' }, bump),
      }),
      bridge.client.api.createTuning({
        body: gridOfTwo('objective-step', { metric: 'loss', mode: 'min', aggregate: 'step', step: 1 }, bump),
      }),
    ]);
    // loss at step s: (x-2)² + 1/(s+1), plus 10 at step 3
    const expected = {
      [last.id]: (x: number) => (x - 2) ** 2 + 1 / 4 + 10,
      [best.id]: (x: number) => (x - 2) ** 2 + 1 / 3,
      [atStep.id]: (x: number) => (x - 2) ** 2 + 1 / 2,
    };
    for (const tuning of [last, best, atStep]) {
      const done = await settledTuning(bridge.client, tuning.id);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      const trials = await trialsOf(tuning.id);
      expect(trials).toHaveLength(2);
      for (const trial of trials) {
        expect(trial.state).toBe('COMPLETE');
        expect(trial.value).toBeCloseTo((expected[tuning.id] as (x: number) => number)(trial.params.x as number), 5);
      }
      expect(done.best?.params).toEqual({ x: 2 });
    }
  });

  it('a trial whose training fails is FAILED with the reason, and the search goes on', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'one-fails',
        source: { path: script },
        space: { x: { type: 'int', low: 0, high: 3 } },
        fixed: { y: '-1', steps: '2', pause: '0.01', 'fail-x': '1' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'grid',
        seed: 4,
      },
    });
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials).toMatchObject({ total: 4, complete: 3, failed: 1 });
    const failed = (await trialsOf(created.id)).find((t) => t.state === 'FAILED');
    expect(failed?.params).toEqual({ x: 1 });
    expect(failed?.stateReason).toMatch(/^its training ended FAIL TRAIN/);
    expect(failed?.value).toBeNull();
    expect(done.best?.params).toEqual({ x: 2 });
  });

  it('a metric no trial logs fails the tuning after its first two trials, not after all of them', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'no-such-metric',
        source: { path: script },
        space: { x: { type: 'uniform', low: 0, high: 4 } },
        fixed: { steps: '2', pause: '0.01' },
        objective: { metric: 'val_loss', mode: 'min' },
        maxTrials: 20,
      },
    });
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state).toBe('FAILED');
    expect(done.stateReason).toBe('no trial logged val_loss (trial 1: it never logged val_loss)');
    expect(done.trials).toMatchObject({ total: 2, failed: 2 });
    for (const trial of await trialsOf(created.id)) expect(trial.stateReason).toBe('it never logged val_loss');
  });
});
