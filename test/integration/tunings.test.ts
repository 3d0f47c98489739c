import { join } from 'node:path';
import type { EventMessage, ResourceEvent, Training, TuningTrial } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { quadraticLoss, settledTuning, writeQuadratic } from '../support/tunings.js';

const hasCmaes = pythonHas(venvPython, 'cmaes');

let bridge: TestBridge;
let work: string;
let script: string;
/** every event of the bridge since the start, in order */
const events: ResourceEvent[] = [];
let socket: WebSocket;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-');
  script = writeQuadratic(join(work, 'quadratic'));
  socket = new WebSocket(bridge.client.eventsUrl(0), bridge.client.socketProtocols());
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as EventMessage;
    if (message.type === 'event') events.push(message.event);
  });
  await new Promise((resolve) => socket.once('open', resolve));
});

afterAll(async () => {
  socket?.close();
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The most trainings of one tuning that were running at once, replayed from the trainings' events in order. */
function mostAtOnce(tuningId: string): number {
  const active = new Set<string>();
  let most = 0;
  for (const event of events) {
    if (
      event.resource !== 'trainings' ||
      (event.action !== 'created' && event.action !== 'updated' && event.action !== 'finished')
    ) {
      continue;
    }
    const training = event.data as unknown as Training;
    if (training.tags['emkit.tuning'] !== tuningId) continue;
    if (['COMPLETE', 'FAIL TRAIN', 'STOPPED', 'CREATE FAILED'].includes(training.state)) active.delete(training.id);
    else active.add(training.id);
    most = Math.max(most, active.size);
  }
  return most;
}

describe('a tuning of real trainings', () => {
  it('searches at random, two trials at a time, each a training with the values as hyperparameters', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'random-quadratic',
        source: { path: script },
        space: { x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } },
        fixed: { steps: '3', pause: '0.02' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'random',
        maxTrials: 6,
        parallel: 2,
        seed: 7,
        // each trial's own rules, as a training's (the loss only falls: it never stops one early)
        earlyStopping: { metric: 'loss', mode: 'min', patience: 3 },
        trialMaxDurationSeconds: 120,
      },
    });
    expect(created).toMatchObject({ state: 'RUNNING', algorithm: 'random', pruner: 'none', maxTrials: 6, parallel: 2 });
    expect(created.objective).toEqual({ metric: 'loss', mode: 'min', aggregate: 'last', step: null });
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials).toEqual({ total: 6, running: 0, complete: 6, pruned: 0, failed: 0, stopped: 0 });

    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const trial of trials) {
      const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
      expect(training.name).toBe(`random-quadratic-t${trial.number}`);
      expect(training.tags).toEqual({ 'emkit.tuning': created.id, 'emkit.tuning.trial': String(trial.number) });
      expect(training.hyperparameters).toEqual({
        steps: '3',
        pause: '0.02',
        x: String(trial.params.x),
        y: String(trial.params.y),
      });
      expect(training.experimentName).toBe('default');
      expect(training.earlyStopping).toMatchObject({ metric: 'loss', mode: 'min', patience: 3 });
      expect(training.maxDurationSeconds).toBe(120);
      expect(training.state).toBe('COMPLETE');
      // the objective is the last point the script logged (float32 in the event file)
      expect(trial.value).toBeCloseTo(quadraticLoss(trial.params.x as number, trial.params.y as number, 3), 3);
      expect(trial.lastStep).toBe(2);
    }
    const best = trials.reduce((a, b) => ((b.value as number) < (a.value as number) ? b : a));
    expect(done.best).toMatchObject({ number: best.number, value: best.value, trainingName: best.trainingName });
    expect(Object.keys(done.importance ?? {}).sort()).toEqual(['x', 'y']);

    // parallel 2: never a third training at once, as the event stream saw them
    expect(mostAtOnce(created.id)).toBeLessThanOrEqual(2);
    expect(mostAtOnce(created.id)).toBeGreaterThanOrEqual(1);
    // every trial change was an event
    const trialEvents = events.filter((e) => e.resource === 'tunings' && e.id === created.id && e.action === 'trial');
    expect(new Set(trialEvents.map((e) => (e.data as unknown as TuningTrial).number)).size).toBe(6);
    expect(events.some((e) => e.resource === 'tunings' && e.id === created.id && e.action === 'finished')).toBe(true);

    const listed = await bridge.client.api.listTunings({});
    expect(listed.items.map((t) => t.name)).toContain('random-quadratic');
    const got = await bridge.client.api.getTuning({ params: { id: 'random-quadratic' } });
    expect(got.id).toBe(created.id);
  });

  it('covers a grid exactly once, two trials at a time, and no more trials than the grid has', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'grid-quadratic',
        source: { path: script },
        space: { x: { type: 'int', low: 0, high: 2 }, y: { type: 'choice', values: [-1, 0] } },
        fixed: { steps: '2', pause: '0.01' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'grid',
        maxTrials: 100,
        parallel: 2,
        seed: 1,
      },
    });
    // the grid's six points, not the hundred asked for
    expect(created.maxTrials).toBe(6);
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    const points = trials.map((t) => `${t.params.x},${t.params.y}`).sort();
    expect(points).toEqual(['0,-1', '0,0', '1,-1', '1,0', '2,-1', '2,0']);
    expect(trials.every((t) => t.state === 'COMPLETE')).toBe(true);
    // the minimum is on the grid: x = 2, y = -1
    expect(done.best?.params).toEqual({ x: 2, y: -1 });
    expect(mostAtOnce(created.id)).toBeLessThanOrEqual(2);
    // each point's training got it as its hyperparameters
    const training = await bridge.client.api.getTraining({ params: { id: done.best?.trainingId as string } });
    expect(training.hyperparameters).toMatchObject({ x: '2', y: '-1' });
  });

  it('stops: no trial starts any more, the running ones are stopped, the tuning ends STOPPED', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'stopped-quadratic',
        source: { path: script },
        space: { x: { type: 'uniform', low: -5, high: 5 } },
        // long enough to be running when it is stopped
        fixed: { steps: '600', pause: '0.1' },
        objective: { metric: 'loss', mode: 'min' },
        maxTrials: 10,
        parallel: 2,
      },
    });
    await waitFor(
      async () => {
        const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
        return trials.filter((t) => t.lastStep !== null).length === 2 ? trials : undefined;
      },
      60_000,
      'both trials to log',
    );
    const stopping = await bridge.client.api.stopTuning({ params: { id: created.id } });
    expect(['STOP IN PROGRESS', 'STOPPED']).toContain(stopping.state);
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state).toBe('STOPPED');
    expect(done.trials).toMatchObject({ total: 2, stopped: 2 });
    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    for (const trial of trials) {
      expect(trial.stateReason).toBe('the tuning was stopped');
      const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
      expect(training.state).toBe('STOPPED');
      expect(training.stateReason).toBe('the tuning was stopped');
    }
    const again = await refusal(bridge.client.api.stopTuning({ params: { id: created.id } }));
    expect(again.status).toBe(409);
  });

  it('copies a search as a new study of the same snapshot, is updated, and deleted with or without its trainings', async () => {
    const original = await bridge.client.api.getTuning({ params: { id: 'random-quadratic' } });
    const copy = await bridge.client.api.copyTuning({
      params: { id: original.id },
      body: { name: 'random-quadratic-again', maxTrials: 2, seed: 8 },
    });
    expect(copy).toMatchObject({ copiedFrom: original.id, maxTrials: 2, seed: 8, parallel: 2, algorithm: 'random' });
    expect(copy.space).toEqual(original.space);
    expect(copy.fixed).toEqual(original.fixed);
    expect(copy.source).toEqual(original.source);
    expect(copy.dir).not.toBe(original.dir);
    const done = await settledTuning(bridge.client, copy.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials.complete).toBe(2);

    const updated = await bridge.client.api.updateTuning({
      params: { id: copy.id },
      body: { description: 'the same search', tags: { team: 'ml' } },
    });
    expect(updated).toMatchObject({ description: 'the same search', tags: { team: 'ml' } });

    const trials = (await bridge.client.api.listTuningTrials({ params: { id: copy.id } })).items;
    await bridge.client.api.deleteTuning({ params: { id: copy.id }, query: { trainings: true } });
    expect((await refusal(bridge.client.api.getTuning({ params: { id: copy.id } }))).status).toBe(404);
    for (const trial of trials) {
      const gone = await refusal(bridge.client.api.getTraining({ params: { id: trial.trainingId as string } }));
      expect(gone.status).toBe(404);
    }
    expect(events.some((e) => e.resource === 'tunings' && e.id === copy.id && e.action === 'deleted')).toBe(true);

    // without ?trainings the trials' trainings stay
    const kept = (await bridge.client.api.listTuningTrials({ params: { id: 'grid-quadratic' } })).items;
    await bridge.client.api.deleteTuning({ params: { id: 'grid-quadratic' } });
    for (const trial of kept) {
      expect((await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } })).state).toBe('COMPLETE');
    }
  });

  it('within a time budget: no trial starts after it, the running ones are stopped', async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'time-boxed',
        source: { path: script },
        space: { x: { type: 'uniform', low: -5, high: 5 } },
        fixed: { steps: '8', pause: '0.1' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'random',
        maxTrials: 1000,
        maxDurationSeconds: 5,
      },
    });
    const done = await settledTuning(bridge.client, created.id);
    expect(['COMPLETE', 'FAILED']).toContain(done.state);
    expect(done.stateReason).toMatch(/^its time budget of 5s ran out/);
    expect(done.trials.total).toBeLessThan(1000);
    const deadline = Date.parse(done.startedAt as string) + 5000;
    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    for (const trial of trials) {
      expect(Date.parse(trial.startedAt as string)).toBeLessThanOrEqual(deadline);
      if (trial.state === 'STOPPED') expect(trial.stateReason).toBe("the tuning's time budget of 5s ran out");
      else expect(trial.state).toBe('COMPLETE');
    }
  });

  it.skipIf(!hasCmaes)(`searches with CMA-ES${hasCmaes ? '' : ' (skipped: cmaes is not in .venv)'}`, async () => {
    const created = await bridge.client.api.createTuning({
      body: {
        name: 'cmaes-quadratic',
        source: { path: script },
        space: { x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } },
        fixed: { steps: '2', pause: '0.01' },
        objective: { metric: 'loss', mode: 'min' },
        algorithm: 'cmaes',
        maxTrials: 4,
        parallel: 2,
        seed: 2,
      },
    });
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials.complete).toBe(4);
  });
});
