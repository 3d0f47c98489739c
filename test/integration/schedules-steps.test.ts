import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { ended, modelTemplate, untilRuns } from '../support/schedules.js';
import { fullLog, pythonHas, venvPython } from '../support/trainings.js';

const knnModule = join(repoRoot, 'server-bridge/python/src/emkit/recipes/modeltypes/number_classification.py');
const ready = existsSync(knnModule) && pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const reason = ready ? '' : ' (SKIPPED: the number-classification recipe or scikit-learn/pandas is not there)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-schedule-steps-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The 150 iris flowers as a CSV: four measures and a `species` label. */
function irisCsv(path: string): string {
  const script = [
    'import sys',
    'from sklearn.datasets import load_iris',
    'd = load_iris(as_frame=True)',
    'f = d.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))',
    'f["species"] = [d.target_names[t] for t in d.target]',
    'f.drop(columns=["target"]).to_csv(sys.argv[1], index=False)',
  ].join('\n');
  const run = spawnSync(venvPython, ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return path;
}

describe('schedule steps', () => {
  it.skipIf(!ready)(
    `a built-in recipe step registers its model, which the chain evaluates and promotes${reason}`,
    async () => {
      const { client } = bridge;
      const iris = irisCsv(join(work, 'iris.csv'));
      await client.api.createSchedule({
        body: {
          name: 'iris-weekly',
          cron: '0 3 * * 0',
          timezone: 'Europe/Berlin',
          steps: [
            { kind: 'recipe', recipe: 'number-classification', datasets: { train: iris }, hyperparameters: { label: 'species' } },
            { kind: 'evaluation', data: iris, label: 'species' },
            { kind: 'promote', alias: 'production', metric: 'macro.f1', threshold: 0.8 },
          ],
        },
      });
      await client.api.runSchedule({ params: { id: 'iris-weekly' } });
      const [run] = await untilRuns(client, 'iris-weekly', (runs) => runs.every(ended), 'the run to end', 240_000);
      expect(run?.state, JSON.stringify(run)).toBe('COMPLETE');
      // no model named: a built-in registers one named after the schedule
      expect(run?.steps[0]?.outcome).toMatch(/registered iris-weekly:1$/);
      expect(run?.steps[2]?.outcome).toMatch(/^macro\.f1 0\.\d+ >= 0\.8: iris-weekly:1 promoted to production$/);
      const training = await client.api.getTraining({ params: { id: run?.steps[0]?.resource?.id as string } });
      expect(training).toMatchObject({ recipe: 'number-classification', model: { name: 'iris-weekly', version: 1 } });
      expect((await client.api.getModel({ params: { id: 'iris-weekly@production' } })).version).toBe(1);
    },
    300_000,
  );

  it('a training step with source "latest" runs the code as saved now, "snapshot" the stored copy', async () => {
    const { client } = bridge;
    const dir = join(work, 'editing');
    const template = await modelTemplate(client, dir, 'editing-template');
    // the code changes after the template ran
    writeFileSync(join(dir, 'train.py'), 'print("the version saved later")\n');
    await client.api.createSchedule({
      body: {
        name: 'editing',
        every: '1h',
        paused: true,
        steps: [{ kind: 'training', training: template.id, source: 'latest' }],
      },
    });
    await client.api.createSchedule({
      body: {
        name: 'frozen',
        every: '1h',
        paused: true,
        steps: [{ kind: 'training', training: template.id, hyperparameters: { sleep: '0' } }],
      },
    });
    for (const name of ['editing', 'frozen']) await client.api.runSchedule({ params: { id: name } });
    const [latest] = await untilRuns(client, 'editing', (runs) => runs.every(ended), 'the latest run to end');
    const [snapshot] = await untilRuns(client, 'frozen', (runs) => runs.every(ended), 'the snapshot run to end');
    expect(await fullLog(client, latest?.steps[0]?.resource?.id as string)).toContain('the version saved later');
    expect(await fullLog(client, snapshot?.steps[0]?.resource?.id as string)).toContain('saved ');
    expect(await fullLog(client, snapshot?.steps[0]?.resource?.id as string)).not.toContain('the version saved later');
    const copy = await client.api.getTraining({ params: { id: snapshot?.steps[0]?.resource?.id as string } });
    expect(copy).toMatchObject({ copiedFrom: template.id, hyperparameters: { sleep: '0' }, tags: { schedule: 'frozen' } });
  }, 120_000);

  it('a training step by path submits the file as saved at each run; exactly one of training and path', async () => {
    const { client } = bridge;
    const dir = join(work, 'by-path');
    mkdirSync(dir, { recursive: true });
    const script = join(dir, 'fit.py');
    writeFileSync(script, 'print("the first save")\n');
    await client.api.createSchedule({
      body: {
        name: 'by-path',
        every: '1h',
        paused: true,
        steps: [{ kind: 'training', path: script, hyperparameters: { lr: '0.1' } }],
      },
    });
    // saved again after the schedule was made: the run takes it as it is then
    writeFileSync(script, 'print("saved before the run")\n');
    await client.api.runSchedule({ params: { id: 'by-path' } });
    const [run] = await untilRuns(client, 'by-path', (runs) => runs.every(ended), 'the path run to end');
    expect(run?.state, JSON.stringify(run)).toBe('COMPLETE');
    const id = run?.steps[0]?.resource?.id as string;
    expect(await fullLog(client, id)).toContain('saved before the run');
    expect(await client.api.getTraining({ params: { id } })).toMatchObject({
      experimentName: 'by-path',
      hyperparameters: { lr: '0.1' },
      tags: { schedule: 'by-path' },
    });
    // refused up front, naming the field, nothing made
    const steps: [Record<string, unknown>, string, number][] = [
      [{ kind: 'training', training: id, path: script }, 'steps.0.training', 400],
      [{ kind: 'training' }, 'steps.0.training', 400],
      [{ kind: 'training', path: 'fit.py' }, 'steps.0.path', 400],
      [{ kind: 'training', path: script, source: 'snapshot' }, 'steps.0.source', 400],
      [{ kind: 'training', path: join(dir, 'absent.py') }, 'steps.0.path', 404],
    ];
    for (const [step, field, status] of steps) {
      const error = await refusal(client.api.createSchedule({ body: { name: 'refused', every: '1h', steps: [step as never] } }));
      expect([error.status, error.field], error.message).toEqual([status, field]);
    }
    expect((await client.api.listSchedules({ query: {} })).items.map((s) => s.name)).not.toContain('refused');
  }, 120_000);
});
