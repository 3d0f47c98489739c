import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
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
