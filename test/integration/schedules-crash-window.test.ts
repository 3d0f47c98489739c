import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customModelFiles } from '../support/batch-inferences.js';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { ended, modelTemplate, runsOf, untilRuns } from '../support/schedules.js';
import { writeTree } from '../support/trainings.js';

// A run's step makes its training (or batch job), and the bridge dies (kill -9, here by the bridge itself at that point:
// EMKIT_FAULT=schedule-step-made) before it records the training's id on the run. The next bridge on the same home
// resumes the run: it adopts the one made, by the name recorded before it was made, instead of making a second.

let bridge: TestBridge | undefined;
let work: string;

beforeAll(() => {
  work = tempDir('emkit-schedule-crash-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('a bridge killed between a step making its resource and recording it', () => {
  it('adopts the training made on restart: one training, the run COMPLETE', async () => {
    const first = await startBridge({ env: { EMKIT_FAULT: 'schedule-step-made' } });
    const home = first.home;
    const template = await modelTemplate(first.client, join(work, 'template'), 'crash-template');
    await first.client.api.createSchedule({
      body: { name: 'crashes', every: '1h', paused: true, steps: [{ kind: 'training', training: template.id }] },
    });
    const exited = new Promise<number | null>((resolve) =>
      first.process.once('exit', (code, signal) => resolve(signal ? -1 : code)),
    );
    await first.client.api.runSchedule({ params: { id: 'crashes' } });
    // the bridge kills itself right after the training is made, before its id is on the run
    expect(await exited).toBe(-1);

    bridge = await startBridge({ home });
    const [run] = await untilRuns(bridge.client, 'crashes', (all) => all.every(ended), 'the run to end after the restart');
    expect(run?.state, JSON.stringify(run)).toBe('COMPLETE');
    const made = (await bridge.client.api.listTrainings({ query: { limit: 100 } })).items.filter(
      (t) => t.description === 'run 1 of schedule "crashes"',
    );
    expect(made.map((t) => t.name)).toEqual([run?.steps[0]?.name]);
    expect(run?.steps[0]?.resource).toEqual({ type: 'trainings', id: made[0]?.id });
    expect(await runsOf(bridge.client, 'crashes')).toHaveLength(1);
    await waitFor(
      async () => (await bridge?.client.api.getTraining({ params: { id: made[0]?.id ?? '' } }))?.state === 'COMPLETE',
      60_000,
      'the adopted training to end',
    );
  }, 180_000);

  it('adopts the batch job made on restart: one job, the run COMPLETE', async () => {
    const first = await startBridge({ env: { EMKIT_FAULT: 'schedule-step-made' } });
    const home = first.home;
    writeTree(join(work, 'scorer'), customModelFiles());
    const input = writeCsv(
      join(work, 'rows.csv'),
      ['x'],
      Array.from({ length: 30 }, (_, i) => [i]),
    );
    await first.client.api.createModel({ body: { name: 'scorer', artifactPath: join(work, 'scorer'), framework: 'custom' } });
    const schedule = await first.client.api.createSchedule({
      body: {
        name: 'rescores',
        every: '1h',
        paused: true,
        steps: [{ kind: 'batch', batch: { model: 'scorer', input, output: join(work, 'scores') } }],
      },
    });
    const exited = new Promise<number | null>((resolve) =>
      first.process.once('exit', (code, signal) => resolve(signal ? -1 : code)),
    );
    await first.client.api.runSchedule({ params: { id: 'rescores' } });
    expect(await exited).toBe(-1);

    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    bridge = await startBridge({ home });
    const [run] = await untilRuns(bridge.client, 'rescores', (all) => all.every(ended), 'the run to end after the restart');
    expect(run?.state, JSON.stringify(run)).toBe('COMPLETE');
    const jobs = await bridge.client.api.listBatchInferences({ query: { schedule: schedule.id } });
    expect(jobs.items.map((j) => j.name)).toEqual(['rescores-1-1']);
    expect(run?.steps[0]).toMatchObject({ name: 'rescores-1-1', resource: { type: 'batch-inferences', id: jobs.items[0]?.id } });
    expect(jobs.items[0]?.state).toBe('COMPLETE');
  }, 180_000);
});
