import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { writeQuadratic } from '../support/tunings.js';

// Bad input to POST /tunings: each a JSON error naming the field, the bridge serving on, nothing half-made.

let bridge: TestBridge;
let work: string;
let script: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-errors-');
  script = writeQuadratic(join(work, 'quadratic'));
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const good = () => ({
  source: { path: script },
  space: { x: { type: 'uniform', low: -5, high: 5 } } as Record<string, unknown>,
  objective: { metric: 'loss', mode: 'min' } as Record<string, unknown>,
});

const folders = () => {
  try {
    return readdirSync(join(bridge.home, 'tunings')).length;
  } catch {
    return 0;
  }
};

/** A refused create: its status, its field (and message), and no record, folder or training left behind. */
async function refused(body: Record<string, unknown>, status: number, field: string | RegExp | undefined, message?: RegExp) {
  const before = {
    tunings: (await bridge.client.api.listTunings({})).total,
    experiments: (await bridge.client.api.listExperiments({})).total,
    folders: folders(),
  };
  const error = await refusal(bridge.client.api.createTuning({ body: body as never }));
  expect(error.status, error.message).toBe(status);
  if (field instanceof RegExp) expect(error.field, error.message).toMatch(field);
  else expect(error.field, error.message).toBe(field);
  if (message) expect(error.message).toMatch(message);
  expect((await bridge.client.api.listTunings({})).total).toBe(before.tunings);
  expect(folders()).toBe(before.folders);
  // not even the default experiment, which a tuning left without one is made in
  expect((await bridge.client.api.listExperiments({})).total).toBe(before.experiments);
  expect((await bridge.client.api.listTrainings({})).total).toBe(0);
}

describe('POST /tunings refuses bad input', () => {
  it('an empty or malformed space, naming the parameter', async () => {
    await refused({ ...good(), space: {} }, 400, 'space');
    await refused(
      { ...good(), space: { x: { type: 'uniform', low: 3, high: 1 } } },
      400,
      'space.x',
      /low \(3\) must be below high \(1\)/,
    );
    await refused({ ...good(), space: { x: { type: 'uniform', low: 2, high: 2 } } }, 400, 'space.x');
    await refused(
      { ...good(), space: { lr: { type: 'loguniform', low: 0, high: 1 } } },
      400,
      'space.lr',
      /log scale needs low > 0/,
    );
    await refused({ ...good(), space: { n: { type: 'int', low: 0, high: 9, log: true } } }, 400, 'space.n');
    await refused({ ...good(), space: { s: { type: 'discrete', low: 0, high: 1, step: 2 } } }, 400, 'space.s', /step/);
    await refused({ ...good(), space: { o: { type: 'choice', values: ['a', 'a'] } } }, 400, 'space.o');
    // a union's error: the schema names the parameter, whichever of its types it reports against
    await refused({ ...good(), space: { o: { type: 'choice', values: [] } } }, 400, /^space\.o\b/);
    await refused({ ...good(), space: { x: { type: 'gaussian', low: 0, high: 1 } } }, 400, /^space\.x\b/);
    await refused({ ...good(), space: { 'not a key': { type: 'uniform', low: 0, high: 1 } } }, 400, 'space.not a key');
  });

  it('grid search over a continuous parameter, or a grid too big', async () => {
    await refused({ ...good(), algorithm: 'grid' }, 400, 'space.x', /grid search takes int, discrete and choice/);
    const big = { type: 'int', low: 0, high: 999 };
    await refused({ ...good(), algorithm: 'grid', space: { a: big, b: big } }, 400, 'space', /more than 10000 points/);
  });

  it('an unknown algorithm or pruner, a budget of zero, a parallel of zero', async () => {
    await refused({ ...good(), algorithm: 'bayes' }, 400, 'algorithm');
    await refused({ ...good(), pruner: 'sometimes' }, 400, 'pruner');
    await refused({ ...good(), maxTrials: 0 }, 400, 'maxTrials');
    await refused({ ...good(), maxDurationSeconds: 0 }, 400, 'maxDurationSeconds');
    await refused({ ...good(), parallel: 0 }, 400, 'parallel');
  });

  it('an objective without its step, or a step without aggregate step', async () => {
    await refused({ ...good(), objective: { metric: 'loss', mode: 'min', aggregate: 'step' } }, 400, 'objective.step');
    await refused({ ...good(), objective: { metric: 'loss', mode: 'min', step: 3 } }, 400, 'objective.step');
    await refused({ ...good(), objective: { metric: 'loss', mode: 'sideways' } }, 400, 'objective.mode');
  });

  it('a parameter both searched and fixed, or two that would be the same variable', async () => {
    await refused({ ...good(), fixed: { x: '1' } }, 400, 'fixed.x');
    await refused(
      { ...good(), space: { lr: { type: 'uniform', low: 0, high: 1 }, LR: { type: 'uniform', low: 0, high: 1 } } },
      400,
      'space',
      /EM_HP_LR/,
    );
  });

  it('an experiment, environment or cluster that does not exist, a source that does not', async () => {
    await refused({ ...good(), experiment: 'nowhere' }, 404, undefined, /experiment "nowhere"/);
    await refused({ ...good(), environment: 'nowhere' }, 404, undefined, /environment "nowhere"/);
    await refused({ ...good(), cluster: 'nowhere' }, 404, undefined, /cluster "nowhere"/);
    await refused({ ...good(), source: { path: join(work, 'missing.py') } }, 422, 'source.path');
  });

  it('a name its trials could not be named after, or one taken', async () => {
    await refused({ ...good(), name: 'a'.repeat(45) }, 400, 'name', /at most 44/);
    await bridge.client.api.createExperiment({ body: { name: 'named' } });
    const first = await bridge.client.api.createTuning({
      body: { ...good(), name: 'taken', maxTrials: 1, fixed: { steps: '1', pause: '0' } } as never,
    });
    const error = await refusal(bridge.client.api.createTuning({ body: { ...good(), name: 'taken' } as never }));
    expect(error.status).toBe(409);
    await bridge.client.api.stopTuning({ params: { id: first.id } }).catch(() => undefined);
  });

  it('the bridge serves on', async () => {
    expect((await fetch(`${bridge.url}/api/v1/health`)).ok).toBe(true);
    const missing = await refusal(bridge.client.api.getTuning({ params: { id: 'no-such-tuning' } }));
    expect(missing.status).toBe(404);
  });
});
