import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { ended, modelTemplate, runsOf, scoredCsv, untilRuns } from '../support/schedules.js';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-schedules-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The predictions of a batch job's output, in file order. */
function scoredRows(file: string): unknown[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.csv')) {
    const [header, ...rows] = text.trim().split('\n');
    const column = (header ?? '').split(',').indexOf('prediction');
    return rows.map((row) => Number(row.split(',')[column]));
  }
  return text
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { prediction: unknown }).prediction);
}

describe('a schedule runs its chain on its own clock', () => {
  it('retrains, evaluates, promotes only when the metric passes, re-scores; the history says which', async () => {
    const { client } = bridge;
    const template = await modelTemplate(client, join(work, 'template'), 'chain-template');
    // the model predicts x; the data's label equals x in 3 rows of 4: accuracy 0.75
    const data = scoredCsv(work, 3);
    // what the promoted model re-scores each run: 25 rows, each predicted as its own x
    const fresh = writeCsv(
      join(work, 'fresh.csv'),
      ['x'],
      Array.from({ length: 25 }, (_, i) => [i % 3]),
    );
    const rescore = {
      kind: 'batch',
      batch: { input: fresh, output: join(work, 'scores'), overwrite: true },
    } as const;
    const schedule = await client.api.createSchedule({
      body: {
        name: 'retrain',
        every: '2s',
        steps: [
          { kind: 'training', training: template.id, model: 'scored' },
          { kind: 'evaluation', data, label: 'label' },
          { kind: 'promote', alias: 'production', metric: 'accuracy', threshold: 0.7 },
          rescore,
        ],
      },
    });
    expect(schedule).toMatchObject({ state: 'ACTIVE', every: '2s', cron: null, overlap: 'skip', catchUp: true });
    expect(schedule.nextRuns).toHaveLength(5);

    const first = await untilRuns(client, 'retrain', (runs) => runs.some(ended), 'the first run to end');
    const run1 = first.find(ended);
    expect(run1, JSON.stringify(first)).toMatchObject({ number: 1, trigger: 'due', state: 'COMPLETE', reason: null });
    expect(run1?.steps.map((s) => [s.kind, s.state])).toEqual([
      ['training', 'COMPLETE'],
      ['evaluation', 'COMPLETE'],
      ['promote', 'COMPLETE'],
      ['batch', 'COMPLETE'],
    ]);
    expect(run1?.steps[2]?.outcome).toBe('accuracy 0.75 >= 0.7: scored:1 promoted to production');
    const trained = await client.api.getTraining({ params: { id: run1?.steps[0]?.resource?.id as string } });
    expect(trained).toMatchObject({ state: 'COMPLETE', copiedFrom: template.id, tags: { schedule: 'retrain' } });
    const evaluation = await client.api.getEvaluation({ params: { id: run1?.steps[1]?.resource?.id as string } });
    expect(evaluation).toMatchObject({ state: 'COMPLETE', model: { name: 'scored', version: 1 } });
    expect((await client.api.getModel({ params: { id: 'scored@production' } })).version).toBe(1);
    // re-scored with the promoted version, linked to its schedule, every row once and in order
    const job = await client.api.getBatchInference({ params: { id: run1?.steps[3]?.resource?.id as string } });
    expect(job).toMatchObject({ state: 'COMPLETE', schedule: schedule.id, model: { name: 'scored', version: 1 } });
    expect(scoredRows(job.outputFile)).toEqual(Array.from({ length: 25 }, (_, i) => i % 3));

    // a stricter gate: the next run makes a new version, which does not pass, and the alias stays on 1
    // (paused while it changes, so no run begun under the old steps is taken for one under the new)
    await client.api.pauseSchedule({ params: { id: 'retrain' } });
    await untilRuns(client, 'retrain', (runs) => !runs.some((r) => r.state === 'RUNNING'), 'the run going to end');
    // a run begun before the pause may have promoted its own version under the old gate: that one is production now
    const production = (await client.api.getModel({ params: { id: 'scored@production' } })).version;
    await client.api.updateSchedule({
      params: { id: 'retrain' },
      body: {
        steps: [
          { kind: 'training', training: template.id, model: 'scored' },
          { kind: 'evaluation', data, label: 'label' },
          { kind: 'promote', alias: 'production', metric: 'accuracy', threshold: 0.9 },
          rescore,
        ],
      },
    });
    const before = (await runsOf(client, 'retrain')).length;
    const resumed = await client.api.resumeSchedule({ params: { id: 'retrain' } });
    expect(resumed).toMatchObject({ state: 'ACTIVE', reason: null });
    // resumed from now: the first due time is an interval after the resume, not one missed while paused
    expect(Date.parse(resumed.nextRuns[0] as string) - Date.parse(resumed.updatedAt)).toBeGreaterThan(1000);
    const later = await untilRuns(
      client,
      'retrain',
      (runs) => runs.slice(before).some(ended),
      'a run under the stricter gate to end',
    );
    await client.api.pauseSchedule({ params: { id: 'retrain' } });
    const run2 = later.slice(before).find(ended);
    expect(run2, JSON.stringify(later)).toMatchObject({ state: 'COMPLETE', trigger: 'due' });
    expect(run2?.steps[2]?.outcome).toBe('not promoted: accuracy 0.75 >= 0.9 does not hold; production stays where it was');
    expect((await client.api.getModel({ params: { id: 'scored@production' } })).version).toBe(production);
    expect((await client.api.getModel({ params: { id: 'scored' } })).version).toBeGreaterThan(production);
    // the re-score still goes, with the version production names
    const job2 = await client.api.getBatchInference({ params: { id: run2?.steps[3]?.resource?.id as string } });
    expect(job2).toMatchObject({ state: 'COMPLETE', schedule: schedule.id, model: { name: 'scored', version: production } });
    expect(run2?.steps[3]?.outcome).toMatch(new RegExp(`with scored:${production}: 25 items scored`));

    // the history: numbered in order, newest first from the route; due times passed while a run went are SKIPPED
    const runs = await runsOf(client, 'retrain');
    expect(runs.map((r) => r.number)).toEqual(runs.map((_, i) => i + 1));
    for (const skipped of runs.filter((r) => r.state === 'SKIPPED')) {
      expect(skipped.reason).toMatch(/^run \d+ was still going$/);
      expect(skipped.steps.every((s) => s.state === 'SKIPPED' && s.resource === null)).toBe(true);
    }
    for (const run of runs.filter(ended)) {
      expect(Date.parse(run.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(run.startedAt as string));
    }
    const paused = await client.api.getSchedule({ params: { id: 'retrain' } });
    expect(paused).toMatchObject({ state: 'PAUSED', reason: null, nextRuns: [] });
    expect(paused.lastRun?.number).toBe(runs.at(-1)?.number);
  }, 240_000);
});
