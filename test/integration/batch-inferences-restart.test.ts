import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type BatchInference, type ResourceEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { batchRunnersUnder, customModelFiles, readJsonl, settledBatch } from '../support/batch-inferences.js';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { venvPython, writeTree } from '../support/trainings.js';

// A batch scoring job runs detached and resumes from what it recorded: the bridge and the job's runner (with its
// workers) killed with kill -9 mid-job, the next bridge on the same home starts it again, and every row is in the
// output exactly once, in order. A stop ends it within moments keeping what was scored, in order.

const ROWS = 3000;
let bridge: TestBridge | undefined;
let work: string;

beforeAll(() => {
  work = tempDir('emkit-batch-restart-');
  writeCsv(
    join(work, 'rows.csv'),
    ['x', 'y'],
    Array.from({ length: ROWS }, (_, i) => [i, i % 7]),
  );
  writeTree(join(work, 'slow'), customModelFiles({ delaySeconds: 0.02 }));
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

function killGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

describe.each([1, 2])('kill -9 of the bridge and the runner mid-job, %i worker(s)', (instances) => {
  it('resumes on the next bridge and writes every row exactly once, in order', async () => {
    const first = await startBridge({ args: ['--python', venvPython] });
    const home = first.home;
    await first.client.api.createModel({ body: { name: 'slow', artifactPath: join(work, 'slow'), framework: 'custom' } });
    const output = join(work, `resumed-${instances}`);
    const created = await first.client.api.createBatchInference({
      body: { model: 'slow', input: join(work, 'rows.csv'), output, batchSize: 10, instances },
    });
    // well into the job: some batches recorded in its manifest, most not yet written
    const manifest = join(home, 'batch-inferences', created.id, 'manifest.jsonl');
    await waitFor(
      async () => existsSync(manifest) && readFileSync(manifest, 'utf8').split('\n').length > 3,
      120_000,
      'the job to record batches',
    );
    await first.kill9();
    const runners = batchRunnersUnder(home);
    expect(runners.length).toBeGreaterThan(0);
    killGroups(runners);
    await waitFor(async () => batchRunnersUnder(home).length === 0, 10_000, 'the runner to be gone');
    const partial = readFileSync(`${join(output, 'predictions.csv')}.partial`, 'utf8');
    const written = partial.trimEnd().split('\n').length - 1;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(ROWS);

    bridge = await startBridge({ home, args: ['--python', venvPython] });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.progress).toMatchObject({ done: ROWS, total: ROWS, errors: 0 });
    const lines = readFileSync(job.outputFile, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('key,x,y,prediction');
    const rows = lines.slice(1).map((line) => line.split(',').map(Number));
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(rows.every(([key, x, , prediction]) => x === key && prediction === key)).toBe(true);
    const log = await bridge.client.api.getBatchInferenceLog({ params: { id: created.id } });
    expect(log.text).toMatch(/resuming after batch \d+/);
    await bridge.stop();
    removeDir(home);
    bridge = undefined;
  }, 300_000);
});

describe('stop', () => {
  it('ends the job STOPPED within moments, keeping what was scored, in order', async () => {
    bridge = await startBridge({ args: ['--python', venvPython] });
    await bridge.client.api.createModel({ body: { name: 'slow', artifactPath: join(work, 'slow'), framework: 'custom' } });
    const created = await bridge.client.api.createBatchInference({
      body: {
        model: 'slow',
        input: join(work, 'rows.csv'),
        output: join(work, 'stopped'),
        format: 'jsonl',
        batchSize: 10,
        instances: 2,
      },
    });
    const client = bridge.client;
    const socket = new WebSocket(client.eventsUrl(), client.socketProtocols());
    const events: ResourceEvent[] = [];
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; event?: ResourceEvent };
      if (message.type === 'event' && message.event?.resource === 'batch-inferences') events.push(message.event);
    });
    await waitFor(
      async () => (await client.api.getBatchInference({ params: { id: created.id } })).progress.done >= 100,
      120_000,
      'the job to be under way',
    );
    // meanwhile the folder it writes into is its own: another job there is refused, even one writing another format
    const busy = await client.api
      .createBatchInference({ body: { model: 'slow', input: join(work, 'rows.csv'), output: created.output, format: 'csv' } })
      .catch((error: unknown) => error as ApiError);
    expect(busy).toBeInstanceOf(ApiError);
    expect((busy as ApiError).status).toBe(409);
    expect((busy as ApiError).message).toContain('is writing into');
    const stopping = await client.api.stopBatchInference({ params: { id: created.id } });
    expect(['STOP IN PROGRESS', 'STOPPED']).toContain(stopping.state);
    const job = await settledBatch(client, created.id, 30_000);
    expect(job.state).toBe('STOPPED');
    expect(existsSync(`${job.outputFile}.partial`)).toBe(false);
    const rows = readJsonl<{ key: number; prediction: number }>(job.outputFile);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(ROWS);
    expect(rows.map((r) => r.key)).toEqual(Array.from({ length: rows.length }, (_, i) => i));
    expect(rows.every((r) => r.prediction === r.key)).toBe(true);
    // the event stream follows it: progress that only grows, then one `finished`
    await waitFor(async () => events.some((e) => e.action === 'finished'), 10_000, 'the finished event');
    socket.close();
    const mine = events.filter((e) => e.id === created.id);
    const done = mine.filter((e) => e.action === 'updated').map((e) => (e.data as BatchInference).progress.done);
    expect(done.length).toBeGreaterThan(1);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(mine.filter((e) => e.action === 'finished').map((e) => (e.data as BatchInference).state)).toEqual(['STOPPED']);
    const home = bridge.home;
    // the runner writes STOPPED just before it exits, its workers already ended
    await waitFor(async () => batchRunnersUnder(home).length === 0, 10_000, 'the runner to exit');
  }, 180_000);
});

describe('a dataset as the input', () => {
  it('is pinned, and cannot be deleted while the job reads it', async () => {
    bridge = bridge ?? (await startBridge({ args: ['--python', venvPython] }));
    const client = bridge.client;
    await client.api.createModel({ body: { name: 'slow-d', artifactPath: join(work, 'slow'), framework: 'custom' } });
    await client.api.createDataset({ body: { name: 'numbers', path: join(work, 'rows.csv') } });
    const created = await client.api.createBatchInference({
      body: { model: 'slow-d', input: 'numbers', format: 'jsonl', batchSize: 10 },
    });
    expect(created.inputDataset).toBe('numbers:1');
    const refused = await client.api.deleteDataset({ params: { id: 'numbers' } }).catch((error: unknown) => error as ApiError);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(409);
    expect((refused as ApiError).message).toContain(`batch scoring ${created.name}`);
    await client.api.stopBatchInference({ params: { id: created.id } });
    expect((await settledBatch(client, created.id, 30_000)).state).toBe('STOPPED');
    await client.api.deleteDataset({ params: { id: 'numbers' } });
  }, 180_000);
});
