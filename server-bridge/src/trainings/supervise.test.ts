import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MetricsIngester } from '../metrics/ingest.js';
import { Store } from '../store/index.js';
import { FakeExecutor } from '../testing/in-process.js';
import { insertScriptTraining } from '../testing/training-rows.js';
import { trainingLayout } from './contract.js';
import { TrainingSupervision } from './supervise.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-supervise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the final metrics read when a training ends', () => {
  it('is logged and noted on the training when it fails, instead of being dropped', async () => {
    const store = new Store(join(dir, 'emkit.db'));
    const logged: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const metrics = {
      ingest: () => Promise.reject(new Error('EIO: i/o error, read')),
      forget: () => {},
    } as unknown as MetricsIngester;
    const executor = new FakeExecutor();
    const supervision = new TrainingSupervision(store, { executor, metrics, log, pollMs: 60_000 });

    const layout = trainingLayout(join(dir, 'run'));
    mkdirSync(layout.dir);
    const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
    const record = insertScriptTraining(store, { name: 'metrics-fail', experimentId, dir: layout.dir });
    const started = await supervision.launch(record, layout);
    const pid = started.supervisorPid as number;
    executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0 });
    await supervision.look(record.id);
    supervision.shutdown();

    const training = store.trainings.get(record.id);
    expect(training?.state).toBe('COMPLETE');
    expect(training?.stateReason).toContain('its final metrics could not be read: EIO: i/o error, read');
    expect(logged).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'reading the final metrics failed', training: 'metrics-fail' }),
    );
    store.close();
  });
});

describe('a training the platform stopped early', () => {
  const earlyStopped = { metric: 'val_loss', mode: 'min' as const, step: 7, best: 0.25, bestStep: 4 };
  const reason = 'early stopped at step 7; best val_loss=0.25 at step 4';

  async function stoppedEarly(name: string, store: Store, supervision: TrainingSupervision, executor: FakeExecutor) {
    const layout = trainingLayout(join(dir, name));
    mkdirSync(layout.dir);
    const experimentId =
      store.experiments.get('default')?.id ?? store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
    const record = insertScriptTraining(store, { name, experimentId, dir: layout.dir });
    const pid = (await supervision.launch(record, layout)).supervisorPid as number;
    const quality = { pairs: [], overfitting: null, plateau: null, nonFinite: [], earlyStopped };
    store.tx(() => store.trainings.update(record.id, { state: 'STOP IN PROGRESS', stateReason: reason, quality }));
    return { id: record.id, pid, executor };
  }

  const quietMetrics = { ingest: () => Promise.resolve(0), forget: () => {}, arrivals: () => 0 } as unknown as MetricsIngester;
  const log = pino({ level: 'silent' });

  it('settles COMPLETE with its reason when the supervisor reports STOPPED, or vanishes, or after a bridge restart', async () => {
    const store = new Store(join(dir, 'early.db'));
    const executor = new FakeExecutor();
    const supervision = new TrainingSupervision(store, { executor, metrics: quietMetrics, log, pollMs: 60_000 });

    const reported = await stoppedEarly('early-reported', store, supervision, executor);
    executor.writeStatus(reported.pid, { state: 'STOPPED', reason: reason });
    await supervision.look(reported.id);
    expect(store.trainings.get(reported.id)).toMatchObject({ state: 'COMPLETE', stateReason: reason });

    const vanished = await stoppedEarly('early-vanished', store, supervision, executor);
    executor.alive.delete(vanished.pid);
    await supervision.look(vanished.id);
    await supervision.look(vanished.id);
    expect(store.trainings.get(vanished.id)).toMatchObject({ state: 'COMPLETE', stateReason: reason });

    // a training left STOP IN PROGRESS by a bridge that went away: the next one picks it up
    const left = await stoppedEarly('early-restart', store, supervision, executor);
    supervision.shutdown();
    const next = new TrainingSupervision(store, { executor, metrics: quietMetrics, log, pollMs: 60_000 });
    executor.writeStatus(left.pid, { state: 'STOPPED', reason: 'stopped by request' });
    next.reconcile(); // it looks at once, in the background
    await next.look(left.id); // (a look already under way: this one returns)
    await vi.waitFor(() => expect(store.trainings.get(left.id)).toMatchObject({ state: 'COMPLETE', stateReason: reason }));
    next.shutdown();
    // each ended once, with a finished event carrying the early stop
    const finished = store.events
      .since(0, 1000)
      .filter((e) => e.action === 'finished')
      .map((e) => (e.data as { quality: { earlyStopped: unknown } }).quality.earlyStopped);
    expect(finished).toEqual([earlyStopped, earlyStopped, earlyStopped]);
    store.close();
  });
});

describe('looks that overlap', () => {
  it('settle a training once: one finished event, whoever looks (the exit callback, the timer, a restart)', async () => {
    const store = new Store(join(dir, 'overlap.db'));
    const executor = new FakeExecutor();
    // the final metrics read takes a while, as a real one does: a second look comes in meanwhile
    const metrics = {
      ingest: () => new Promise((resolve) => setTimeout(() => resolve(0), 20)),
      forget: () => {},
      arrivals: () => 0,
    } as unknown as MetricsIngester;
    const supervision = new TrainingSupervision(store, { executor, metrics, log: pino({ level: 'silent' }), pollMs: 60_000 });
    const layout = trainingLayout(join(dir, 'overlap'));
    mkdirSync(layout.dir);
    const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
    const record = insertScriptTraining(store, { name: 'overlap', experimentId, dir: layout.dir });
    const pid = (await supervision.launch(record, layout)).supervisorPid as number;
    executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0 });
    await Promise.all([supervision.look(record.id), supervision.look(record.id)]);
    supervision.shutdown();
    const finished = store.events.since(0, 1000).filter((e) => e.action === 'finished');
    expect(finished).toHaveLength(1);
    store.close();
  });
});
