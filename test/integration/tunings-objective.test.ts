import { join } from 'node:path';
import type { TuningCreate } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeTree } from '../support/trainings.js';
import { settledTuning, writeQuadratic } from '../support/tunings.js';

let bridge: TestBridge;
let work: string;
let script: string;
let plateau: string;

/**
 * A loss that falls to (x-2)² at step 3 and then stays there, for 300 steps 0.1 s apart (30 s) unless something
 * stops it: the shape an early stop is for.
 */
const PLATEAU_SCRIPT = [
  'import argparse',
  'import time',
  '',
  'from emkit.tracking import flush, log_metric',
  '',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--x", type=float, default=0.0)',
  'args, _ = parser.parse_known_args()',
  'for step in range(300):',
  '    log_metric("loss", (args.x - 2) ** 2 + max(0, 3 - step), step)',
  '    flush()',
  '    time.sleep(0.1)',
  '',
].join('\n');

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-objective-');
  script = writeQuadratic(join(work, 'quadratic'));
  writeTree(join(work, 'plateau'), { 'train.py': PLATEAU_SCRIPT });
  plateau = join(work, 'plateau', 'train.py');
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

  it('a trial its own earlyStopping ends is COMPLETE with its objective, the early stop its reason', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'early-stopped',
        source: { path: plateau },
        space: { x: { type: 'int', low: 1, high: 4, step: 3 } },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'grid',
        parallel: 2,
        // three points in a row no better than the best (step 3's): stopped at step 6
        earlyStopping: { metric: 'loss', mode: 'min', patience: 3 },
      },
    });
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials).toEqual({ total: 2, running: 0, complete: 2, pruned: 0, failed: 0, stopped: 0 });
    const trials = await trialsOf(created.id);
    expect(trials.map((t) => t.params.x).sort()).toEqual([1, 4]);
    for (const trial of trials) {
      const x = trial.params.x as number;
      const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
      // the training ended by its early stop, long before its 300 steps
      expect(training.state).toBe('COMPLETE');
      expect(training.stateReason).toMatch(new RegExp(`^early stopped at step 6; best loss=${(x - 2) ** 2} at step 3`));
      expect(training.quality?.earlyStopped).toMatchObject({ step: 6, bestStep: 3, best: (x - 2) ** 2 });
      expect(trial.lastStep).toBeGreaterThanOrEqual(6);
      expect(trial.lastStep).toBeLessThan(299);
      // the trial: COMPLETE, its value the objective (the last point: the plateau), the training's reason kept
      expect(trial.state).toBe('COMPLETE');
      expect(trial.value).toBe((x - 2) ** 2);
      expect(trial.stateReason).toBe(training.stateReason);
      expect(trial.prunedAtStep).toBeNull();
    }
    expect(done.best).toMatchObject({ params: { x: 1 }, value: 1 });
  });
});
