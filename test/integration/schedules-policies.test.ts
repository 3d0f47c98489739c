import { join } from 'node:path';
import type { ResourceEvent, Schedule, ScheduleStep } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { ended, modelTemplate, runsOf, scoredCsv, untilRuns } from '../support/schedules.js';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-schedule-policies-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The trainings a schedule's runs made, each with when it ran. */
async function trainingsOf(schedule: string) {
  const runs = await runsOf(bridge.client, schedule);
  const ids = runs.flatMap((r) => r.steps.flatMap((s) => (s.resource ? [s.resource.id] : [])));
  return Promise.all(ids.map((id) => bridge.client.api.getTraining({ params: { id } })));
}

describe('schedules: overlap, pause, a deleted target', () => {
  it('skips a due time while the last run still goes, so runs never overlap', async () => {
    const { client } = bridge;
    // each run trains for 3 s; due every second
    const template = await modelTemplate(client, join(work, 'slow'), 'slow-template', 3);
    await client.api.createSchedule({
      body: { name: 'busy', every: '1s', steps: [{ kind: 'training', training: template.id }] },
    });
    const runs = await untilRuns(
      client,
      'busy',
      (all) => all.filter(ended).length >= 2 && all.some((r) => r.state === 'SKIPPED'),
      'two runs to end with skipped due times between',
    );
    await client.api.pauseSchedule({ params: { id: 'busy' } });
    const skipped = runs.filter((r) => r.state === 'SKIPPED');
    expect(skipped[0]?.reason).toMatch(/^run \d+ was still going$/);
    expect(skipped[0]?.startedAt).toBeNull();
    // one at a time: each training a run made started after the one before it had ended
    await untilRuns(client, 'busy', (all) => !all.some((r) => r.state === 'RUNNING'), 'the last run to end');
    const trainings = (await trainingsOf('busy')).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (let i = 1; i < trainings.length; i++) {
      expect(Date.parse(trainings[i]?.createdAt as string)).toBeGreaterThanOrEqual(
        Date.parse(trainings[i - 1]?.endedAt as string),
      );
    }
  }, 180_000);

  it('queues one run, never more, with overlap: queue', async () => {
    const { client } = bridge;
    const template = await modelTemplate(client, join(work, 'queued'), 'queued-template', 3);
    await client.api.createSchedule({
      body: { name: 'queued', every: '1s', overlap: 'queue', steps: [{ kind: 'training', training: template.id }] },
    });
    const runs = await untilRuns(
      client,
      'queued',
      (all) => all.some(ended) && all.some((r) => r.state === 'SKIPPED'),
      'a run to end, one to be queued and others skipped',
    );
    await client.api.pauseSchedule({ params: { id: 'queued' } });
    // the run queued behind the first started as that one ended, and due times beyond it were skipped
    expect(runs[1]?.state).not.toBe('SKIPPED');
    expect(runs.find((r) => r.state === 'SKIPPED')?.reason).toMatch(/^run \d+ was still going and run \d+ was queued$/);
    const all = await untilRuns(
      client,
      'queued',
      (list) => !list.some((r) => r.state === 'RUNNING' || r.state === 'QUEUED'),
      'the queue to drain',
    );
    expect(all.filter((r) => r.state === 'COMPLETE').length).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('pauses and resumes: nothing starts while paused, and due times start again from the resume', async () => {
    const { client } = bridge;
    const template = await modelTemplate(client, join(work, 'pausing'), 'pausing-template');
    const created = await client.api.createSchedule({
      body: { name: 'pausing', every: '1s', paused: true, steps: [{ kind: 'training', training: template.id }] },
    });
    expect(created).toMatchObject({ state: 'PAUSED', nextRuns: [] });
    // a manual run goes even while paused
    const manual = await client.api.runSchedule({ params: { id: 'pausing' } });
    expect(manual).toMatchObject({ number: 1, trigger: 'manual', state: 'RUNNING' });
    await untilRuns(client, 'pausing', (runs) => runs.length === 1 && runs.every(ended), 'the manual run to end');
    // paused: no due run comes however long it waits (the manual run is the only one, and nothing is due)
    expect((await runsOf(client, 'pausing')).map((r) => r.trigger)).toEqual(['manual']);
    const resumed = await client.api.resumeSchedule({ params: { id: 'pausing' } });
    expect(resumed.state).toBe('ACTIVE');
    expect(resumed.nextRuns).toHaveLength(5);
    const runs = await untilRuns(client, 'pausing', (list) => list.some((r) => r.trigger === 'due' && ended(r)), 'a due run');
    await client.api.pauseSchedule({ params: { id: 'pausing' } });
    const due = runs.find((r) => r.trigger === 'due');
    expect(Date.parse(due?.dueAt as string)).toBeGreaterThan(Date.parse(resumed.updatedAt));
  }, 180_000);

  it('pauses a schedule whose target was deleted, with the reason, at its next due time', async () => {
    const { client } = bridge;
    const template = await modelTemplate(client, join(work, 'doomed'), 'doomed-template');
    await client.api.createSchedule({
      body: { name: 'orphan', every: '2s', steps: [{ kind: 'training', training: template.id }] },
    });
    await client.api.deleteTraining({ params: { id: template.id } });
    const paused = await waitFor(
      async () => {
        const schedule = await client.api.getSchedule({ params: { id: 'orphan' } });
        return schedule.state === 'PAUSED' ? schedule : undefined;
      },
      30_000,
      'the schedule to be paused',
    );
    expect(paused.reason).toMatch(/training "[^"]+" doesn't exist/);
    expect(paused.reason).toMatch(/steps\.0\.training/);
    expect(paused.nextRuns).toEqual([]);
    expect(await runsOf(client, 'orphan')).toEqual([]);
    // resuming it is refused while the target is still gone
    const error = await refusal(client.api.resumeSchedule({ params: { id: 'orphan' } }));
    expect(error).toMatchObject({ status: 404, field: 'steps.0.training' });
  }, 120_000);
});

describe('schedules: a step that fails', () => {
  it('fails the run with the step named, skips the later steps, and sends a finished event', async () => {
    const { client } = bridge;
    const events: ResourceEvent[] = [];
    const socket = new WebSocket(client.eventsUrl(), client.socketProtocols());
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; event?: ResourceEvent };
      if (message.type === 'event' && message.event) events.push(message.event);
    });
    await new Promise<void>((resolve) => socket.on('open', () => resolve()));
    const template = await modelTemplate(client, join(work, 'failing'), 'failing-template');
    const schedule = await client.api.createSchedule({
      body: {
        name: 'breaks',
        every: '1h',
        paused: true,
        steps: [
          { kind: 'training', training: template.id, model: 'breaks' },
          // the data has no column "nope": the evaluation is refused when the step starts it
          { kind: 'evaluation', data: scoredCsv(work, 2), label: 'nope' },
          { kind: 'promote', alias: 'production', metric: 'accuracy', threshold: 0.5 },
        ],
      },
    });
    await client.api.runSchedule({ params: { id: 'breaks' } });
    const [run] = await untilRuns(client, 'breaks', (runs) => runs.every(ended), 'the run to fail');
    expect(run).toMatchObject({ state: 'FAILED' });
    expect(run?.reason).toMatch(/^step 2 \(evaluation\): .*nope/);
    expect(run?.steps.map((s) => s.state)).toEqual(['COMPLETE', 'FAILED', 'SKIPPED']);
    expect(run?.steps[2]?.resource).toBeNull();
    const finished = await waitFor(
      async () => events.find((e) => e.resource === 'schedules' && e.action === 'finished' && e.id === schedule.id),
      10_000,
      'the finished event',
    );
    expect((finished.data as Schedule).lastRun).toMatchObject({ id: run?.id, state: 'FAILED' });
    socket.close();
  }, 120_000);
});

describe('schedules: bad input', () => {
  const steps: ScheduleStep[] = [{ kind: 'evaluation', model: 'nope', data: '/nope.csv' }];

  it('refuses an invalid cron expression, saying why', async () => {
    const error = await refusal(bridge.client.api.createSchedule({ body: { name: 'bad', cron: '61 * * * *', steps } }));
    expect(error).toMatchObject({ status: 400, code: 'validation', field: 'cron' });
    expect(error.message).toMatch(/invalid.*minute: 61/);
    const fields = await refusal(bridge.client.api.createSchedule({ body: { name: 'bad', cron: '* * *', steps } }));
    expect(fields.message).toMatch(/has 3 fields; give 5 .* or 6/);
    const preview = await refusal(bridge.client.api.previewSchedule({ body: { cron: '0 0 31 2 *' } }));
    expect(preview).toMatchObject({ status: 400, field: 'cron' });
    expect(preview.message).toMatch(/never comes due/);
  });

  it('refuses both cron and every, and neither', async () => {
    const both = await refusal(
      bridge.client.api.createSchedule({ body: { name: 'bad', cron: '* * * * *', every: '5m', steps } }),
    );
    expect(both).toMatchObject({ status: 400, field: 'every' });
    expect(both.message).toMatch(/not both/);
    const neither = await refusal(bridge.client.api.createSchedule({ body: { name: 'bad', steps } }));
    expect(neither).toMatchObject({ status: 400, field: 'cron' });
  });

  it('refuses an unknown time zone', async () => {
    const error = await refusal(
      bridge.client.api.createSchedule({ body: { name: 'bad', cron: '0 9 * * 1-5', timezone: 'Europe/Atlantis', steps } }),
    );
    expect(error).toMatchObject({ status: 400, field: 'timezone' });
    expect(error.message).toMatch(/not a known IANA time zone/);
  });

  it('names the step whose target is missing or cannot follow', async () => {
    const { client } = bridge;
    const missing = await refusal(
      client.api.createSchedule({
        body: { name: 'bad', every: '1h', steps: [{ kind: 'training', training: 'no-such-training' }] },
      }),
    );
    expect(missing).toMatchObject({ status: 404, field: 'steps.0.training' });
    const recipe = await refusal(
      client.api.createSchedule({
        body: { name: 'bad', every: '1h', steps: [{ kind: 'recipe', recipe: 'no-such', datasets: {} }] },
      }),
    );
    expect(recipe).toMatchObject({ status: 404, field: 'steps.0.recipe' });
    const template = await modelTemplate(client, join(work, 'plain'), 'plain-template');
    const noModel = await refusal(
      client.api.createSchedule({
        body: {
          name: 'bad',
          every: '1h',
          steps: [
            { kind: 'training', training: template.id },
            { kind: 'evaluation', data: join(work, 'x.csv') },
          ],
        },
      }),
    );
    expect(noModel).toMatchObject({ status: 422, field: 'steps.1.model' });
    const gate = await refusal(
      client.api.createSchedule({
        body: { name: 'bad', every: '1h', steps: [{ kind: 'promote', alias: 'production', metric: 'accuracy', threshold: 0.9 }] },
      }),
    );
    expect(gate).toMatchObject({ status: 422, field: 'steps.0.kind' });
    const input = await refusal(
      client.api.createSchedule({
        body: { name: 'bad', every: '1h', steps: [{ kind: 'batch', batch: { model: 'nope', input: join(work, 'none.csv') } }] },
      }),
    );
    expect(input).toMatchObject({ status: 404, field: 'steps.0.batch.model' });
    await client.api.createModel({ body: { name: 'scorer', training: template.id } });
    const gone = await refusal(
      client.api.createSchedule({
        body: { name: 'bad', every: '1h', steps: [{ kind: 'batch', batch: { model: 'scorer', input: join(work, 'none.csv') } }] },
      }),
    );
    expect(gone).toMatchObject({ status: 404, field: 'steps.0.batch.input' });
    // nothing was recorded by any refusal, and the bridge still serves
    const list = await client.api.listSchedules({ query: {} });
    expect(list.items.map((s) => s.name)).not.toContain('bad');
    expect((await client.api.health()).status).toBe('ok');
  });
});
