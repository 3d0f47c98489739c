import { join } from 'node:path';
import type { TuningPruner } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { quadraticLoss, settledTuning, writeQuadratic } from '../support/tunings.js';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-pruning-');
});

afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('pruning', () => {
  it('stops clearly worse trials as their points arrive, each with its step, and never the best (median, Hyperband)', async () => {
    const script = writeQuadratic(join(work, 'quadratic'));
    const tune = (pruner: TuningPruner) =>
      bridge.client.api.createTuning({
        body: {
          name: `pruned-${pruner}`,
          source: { path: script },
          space: { x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } },
          // three seconds a trial: long enough for the bridge to read its points and stop it midway
          fixed: { steps: '30', pause: '0.1' },
          objective: { metric: 'loss', mode: 'min' },
          algorithm: 'random',
          pruner,
          maxTrials: 10,
          parallel: 2,
          seed: 3,
        },
      });
    // side by side: the same ten draws (the seed), each pruner deciding
    const tunings = await Promise.all([tune('median'), tune('hyperband')]);
    for (const created of tunings) {
      const done = await settledTuning(bridge.client, created.id);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
      const pruned = trials.filter((t) => t.state === 'PRUNED');
      expect(pruned.length, created.pruner).toBeGreaterThan(0);
      expect(done.trials.pruned).toBe(pruned.length);
      expect(done.trials.complete + done.trials.pruned).toBe(10);

      const best = trials.find((t) => t.number === done.best?.number) as (typeof trials)[number];
      expect(best.state).toBe('COMPLETE');
      const lossOf = (t: (typeof trials)[number]) => quadraticLoss(t.params.x as number, t.params.y as number, 30);
      for (const trial of pruned) {
        expect(trial.prunedAtStep).toBeGreaterThanOrEqual(1);
        expect(trial.stateReason).toBe(`pruned at step ${trial.prunedAtStep}`);
        expect(trial.value).toBeNull();
        // clearly worse: its loss is above the best's
        expect(lossOf(trial)).toBeGreaterThan(lossOf(best));
        const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
        expect(training.state).toBe('STOPPED');
        expect(training.stateReason).toBe(`pruned at step ${trial.prunedAtStep}`);
      }
      if (created.pruner === 'median') {
        // the median pruner's warm-up: none before step 2
        for (const trial of pruned) expect(trial.prunedAtStep).toBeGreaterThanOrEqual(2);
      }
    }
  });
});
