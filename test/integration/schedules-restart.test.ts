import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { ended, modelTemplate, runsOf, untilRuns } from '../support/schedules.js';

let bridge: TestBridge;
let work: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-schedule-restart-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('schedules across a bridge restart', () => {
  it('gives a schedule ONE catch-up run for the due times missed while the bridge was down, never a burst', async () => {
    const template = await modelTemplate(bridge.client, join(work, 'template'), 'catch-template');
    for (const [name, catchUp] of [
      ['catches-up', true],
      ['no-catch-up', false],
    ] as const) {
      await bridge.client.api.createSchedule({
        body: { name, every: '2s', catchUp, steps: [{ kind: 'training', training: template.id }] },
      });
    }
    await untilRuns(bridge.client, 'catches-up', (runs) => runs.some(ended), 'a first run');
    const home = bridge.home;
    await bridge.stop();
    const downAt = Date.now();
    // down for several due times of both schedules
    await sleep(7000);
    // the bridge is up from some moment inside startBridge: a due time after this one may be
    // run (or skipped) as usual by the new bridge, so only those before it were missed
    const upAt = Date.now();
    bridge = await startBridge({ home });

    const runs = await untilRuns(
      bridge.client,
      'catches-up',
      (all) => all.some((r) => r.trigger === 'catch-up' && r.state !== 'RUNNING'),
      'the catch-up run to end',
    );
    const missed = runs.filter((r) => Date.parse(r.dueAt) > downAt && Date.parse(r.dueAt) < upAt);
    expect(
      missed.map((r) => r.trigger),
      JSON.stringify(runs),
    ).toEqual(['catch-up']);
    expect(runs.filter((r) => r.trigger === 'catch-up')).toHaveLength(1);

    // the other schedule asked for none: nothing for the time it was down, and its clock goes on from now
    const other = await untilRuns(
      bridge.client,
      'no-catch-up',
      (all) => all.some((r) => Date.parse(r.dueAt) > upAt),
      'a due run after the start',
    );
    expect(other.filter((r) => r.trigger === 'catch-up')).toEqual([]);
    expect(other.filter((r) => Date.parse(r.dueAt) > downAt && Date.parse(r.dueAt) < upAt)).toEqual([]);
    for (const name of ['catches-up', 'no-catch-up']) await bridge.client.api.pauseSchedule({ params: { id: name } });
  }, 180_000);

  it('picks up a run the stopped bridge left going and ends it with its training', async () => {
    const template = await modelTemplate(bridge.client, join(work, 'long'), 'long-template', 4);
    await bridge.client.api.createSchedule({
      body: {
        name: 'outlives',
        every: '1h',
        paused: true,
        steps: [{ kind: 'training', training: template.id, model: 'outlived' }],
      },
    });
    const run = await bridge.client.api.runSchedule({ params: { id: 'outlives' } });
    await untilRuns(bridge.client, 'outlives', (all) => all[0]?.steps[0]?.resource !== null, 'the training to start');
    const home = bridge.home;
    await bridge.kill9();
    bridge = await startBridge({ home });
    const [after] = await untilRuns(bridge.client, 'outlives', (all) => all.every(ended), 'the run to end after the restart');
    expect(after).toMatchObject({ id: run.id, state: 'COMPLETE', trigger: 'manual' });
    expect(after?.steps[0]?.outcome).toMatch(/registered outlived:1$/);
    expect(await runsOf(bridge.client, 'outlives')).toHaveLength(1);
  }, 120_000);
});
