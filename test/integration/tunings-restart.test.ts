import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectEnv, removeDir, repoRoot, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { venvPython } from '../support/trainings.js';
import { settledTuning, writeQuadratic } from '../support/tunings.js';

// A tuning outlives its bridge: its trials' trainings run on while no bridge runs, and the next bridge on the
// same home reopens the same study and goes on. No trial is lost and none runs twice, even one the study was
// asked for that the dead bridge never recorded.

let bridge: TestBridge | undefined;
/** every bridge a test left running (the second of each test's pair), stopped at the end */
const running: TestBridge[] = [];
let work: string;

beforeAll(() => {
  work = tempDir('emkit-tunings-restart-');
});
afterAll(async () => {
  for (const each of running) {
    await each.stop();
    removeDir(each.home);
  }
  removeDir(work ?? '');
});

/** One request to the tuning's study, as the bridge makes them (`python -m emkit.tuning <dir>` on its pipes). */
function askStudy(dir: string, request: object): Record<string, unknown> {
  const run = spawnSync(venvPython, ['-m', 'emkit.tuning', dir], {
    input: `${JSON.stringify(request)}\n`,
    env: projectEnv({ PYTHONPATH: join(repoRoot, 'server-bridge', 'python', 'src') }),
    encoding: 'utf8',
  });
  const lines = run.stdout.trim().split('\n');
  expect(JSON.parse(lines[0] as string)).toMatchObject({ ready: true });
  return JSON.parse(lines[1] as string);
}

async function trainingsOf(client: TestBridge['client'], tuningId: string): Promise<Training[]> {
  const all = await client.api.listTrainings({ query: { limit: 500 } });
  return all.items.filter((t) => t.tags['emkit.tuning'] === tuningId);
}

describe('a tuning across a kill -9 of its bridge', () => {
  it('goes on with the same study: every trial once, the ones in flight and one asked but never recorded', async () => {
    const first = await startBridge();
    const home = first.home;
    const script = writeQuadratic(join(work, 'quadratic'));
    const created = await first.client.api.createTuning({
      body: {
        name: 'outlives-its-bridge',
        source: { path: script },
        space: { x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } },
        fixed: { steps: '15', pause: '0.1' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'tpe',
        maxTrials: 7,
        parallel: 2,
        seed: 11,
      },
    });
    // mid-tuning: one trial done, two running
    await waitFor(
      async () => {
        const tuning = await first.client.api.getTuning({ params: { id: created.id } });
        return tuning.trials.complete >= 1 && tuning.trials.running === 2;
      },
      120_000,
      'a trial to complete while two run',
    );
    await first.kill9();

    // the dead bridge asked the study for a trial and died before recording it
    const orphan = askStudy(created.dir, { op: 'ask' }) as { number: number; params: { x: number; y: number } };
    // and a create it died in the middle of: a folder no record owns
    const halfMade = join(home, 'tunings', 'half-made');
    mkdirSync(halfMade, { recursive: true });
    writeFileSync(join(halfMade, 'tuning.json'), '{}');

    bridge = await startBridge({ home });
    running.push(bridge);
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials).toMatchObject({ total: 7, running: 0, complete: 7 });

    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // the orphan ask was recorded and run with the values the study gave it
    const adopted = trials.find((t) => t.number === orphan.number);
    expect(adopted?.params).toEqual(orphan.params);
    expect(adopted?.state).toBe('COMPLETE');

    // one training per trial, none twice
    const trainings = await trainingsOf(bridge.client, created.id);
    expect(trainings.map((t) => t.name).sort()).toEqual(trials.map((t) => `outlives-its-bridge-t${t.number}`).sort());
    expect(new Set(trials.map((t) => t.trainingId)).size).toBe(7);
    for (const training of trainings) expect(training.state).toBe('COMPLETE');

    // the study agrees: seven trials, each told its value once
    const study = askStudy(created.dir, { op: 'trials' }) as { trials: { number: number; state: string; value: number }[] };
    expect(study.trials.map((t) => [t.number, t.state])).toEqual(trials.map((t) => [t.number, 'COMPLETE']));
    for (const trial of trials) {
      expect(study.trials.find((t) => t.number === trial.number)?.value).toBeCloseTo(trial.value as number, 6);
    }
    await waitFor(async () => !existsSync(halfMade), 10_000, 'the folder no record owns to be removed');
  }, 300_000);

  it('a tuning that failed while a trial was being stopped has that trial settled by the next bridge', async () => {
    const first = await startBridge();
    const home = first.home;
    const script = writeQuadratic(join(work, 'held'));
    // grid order with seed 0: x = 2 first (it ignores SIGTERM and runs on), then 1 and 0 (quick); none logs
    // val_loss, so the tuning fails after two of them while x = 2 is being stopped (the supervisor's 3 s grace)
    const created = await first.client.api.createTuning({
      body: {
        name: 'failed-while-stopping',
        source: { path: script },
        space: { x: { type: 'int', low: 0, high: 2 } },
        fixed: { 'hold-x': '2', steps: '1', pause: '0' },
        objective: { metric: 'val_loss', mode: 'min' },
        algorithm: 'grid',
        parallel: 2,
        seed: 0,
      },
    });
    const failing = await waitFor(
      async () => {
        const tuning = await first.client.api.getTuning({ params: { id: created.id } });
        return tuning.state === 'FAILED' ? tuning : undefined;
      },
      120_000,
      'the tuning to fail',
    );
    await first.kill9();
    expect(failing.stateReason).toMatch(/^no trial logged val_loss/);

    bridge = await startBridge({ home });
    running.push(bridge);
    const trials = await waitFor(
      async () => {
        const items = (await bridge?.client.api.listTuningTrials({ params: { id: created.id } }))?.items ?? [];
        return items.length > 0 && items.every((t) => t.state !== 'RUNNING') ? items : undefined;
      },
      60_000,
      'every trial to settle',
    );
    const held = trials.find((t) => t.params.x === 2);
    expect(held?.state).toBe('STOPPED');
    expect(held?.stateReason).toMatch(/^the tuning failed: no trial logged val_loss/);
    const done = await bridge.client.api.getTuning({ params: { id: created.id } });
    expect(done).toMatchObject({ state: 'FAILED', trials: { running: 0 } });
  }, 240_000);
});
