import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { settledEvaluation, writeCsv, writeCustomEvaluationModel } from '../support/evaluations.js';
import { venvPython } from '../support/trainings.js';

// An evaluation runs detached: a bridge killed while it runs doesn't end it, and the next bridge on the same home
// picks it up and records its result; a folder a create left half-made is cleared.

let bridge: TestBridge | undefined;
let work: string;

beforeAll(() => {
  work = tempDir('emkit-evaluation-restart-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('an evaluation across a bridge restart', () => {
  it('goes on while no bridge runs, and the next bridge records it COMPLETE', async () => {
    const first = await startBridge({ args: ['--python', venvPython] });
    const home = first.home;
    await first.client.api.createModel({
      body: {
        name: 'steady',
        artifactPath: writeCustomEvaluationModel(join(work, 'm'), { delaySeconds: 0.05 }),
        framework: 'custom',
      },
    });
    const data = writeCsv(
      join(work, 'rows.csv'),
      ['x', 'label'],
      Array.from({ length: 60 }, (_, i) => [i % 2, i % 2]),
    );
    const created = await first.client.api.createEvaluation({ body: { model: 'steady', data, batchRows: 1 } });
    await waitFor(
      async () => (await first.client.api.getEvaluation({ params: { id: created.id } })).rowsDone > 0,
      60_000,
      'the evaluation to run',
    );
    await first.kill9();
    // a create the bridge died in the middle of: a folder no record owns
    const orphan = join(home, 'evaluations', 'half-made');
    mkdirSync(orphan);
    writeFileSync(join(orphan, 'spec.json'), '{}');

    bridge = await startBridge({ home, args: ['--python', venvPython] });
    const settled = await settledEvaluation(bridge.client, created.id, 120_000);
    expect(settled.state, settled.stateReason ?? '').toBe('COMPLETE');
    expect(settled.rowsDone).toBe(60);
    expect(settled.result?.classification?.accuracy).toBe(1);
    await waitFor(async () => !existsSync(orphan), 10_000, 'the folder no record owns to be removed');
  }, 180_000);
});
