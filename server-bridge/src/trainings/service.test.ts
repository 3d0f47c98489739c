import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessBridge, startInProcess } from '../testing/in-process.js';

let bridge: InProcessBridge;
let script: string;

beforeAll(async () => {
  bridge = await startInProcess();
  mkdirSync(join(bridge.work, 'src'));
  script = join(bridge.work, 'src', 'train.py');
  writeFileSync(script, 'print("hello")\n');
});
afterAll(() => bridge?.close());

async function submit(name: string, extra: Record<string, unknown> = {}): Promise<{ training: Training; pid: number }> {
  const { status, body } = await bridge.call<Training>('POST', '/api/v1/trainings', {
    name,
    source: { path: script },
    ...extra,
  });
  expect(status).toBe(202);
  return { training: body, pid: bridge.executor.pidOf(body.dir) };
}

const settled = (training: Training) => ['COMPLETE', 'FAIL TRAIN', 'STOPPED', 'CREATE FAILED'].includes(training.state);

describe('a training, from submit to its end (fake supervisor)', () => {
  it('follows status.json: CREATE REQUESTED → RUNNING → COMPLETE, with the exit code and times', async () => {
    const { training, pid } = await submit('follows');
    expect(training.state).toBe('CREATE REQUESTED');

    bridge.executor.writeStatus(pid, { state: 'RUNNING' });
    const running = await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'RUNNING');
    expect(running.startedAt).not.toBeNull();

    bridge.executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0, endedAt: new Date().toISOString() });
    bridge.executor.exit(pid);
    const done = await bridge.until<Training>(`/api/v1/trainings/${training.id}`, settled);
    expect(done).toMatchObject({ state: 'COMPLETE', exitCode: 0 });
    expect(done.endedAt).not.toBeNull();
  });

  it('never goes back: a late status.json that says less than the record is ignored', async () => {
    const { training, pid } = await submit('no-going-back');
    bridge.executor.writeStatus(pid, { state: 'RUNNING' });
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'RUNNING');
    bridge.executor.writeStatus(pid, { state: 'CREATE IN PROGRESS' });
    await bridge.call('GET', `/api/v1/trainings/${training.id}`);
    const stopped = await bridge.call<Training>('POST', `/api/v1/trainings/${training.id}/stop`);
    expect(stopped.body.state).toBe('STOP IN PROGRESS');
    bridge.executor.writeStatus(pid, { state: 'STOPPED' });
    bridge.executor.exit(pid);
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'STOPPED');
  });

  it('is FAIL TRAIN, saying why, when the supervisor vanishes without a result', async () => {
    const { training, pid } = await submit('vanishes');
    bridge.executor.writeStatus(pid, { state: 'RUNNING' });
    bridge.executor.exit(pid);
    const done = await bridge.until<Training>(`/api/v1/trainings/${training.id}`, settled);
    expect(done.state).toBe('FAIL TRAIN');
    expect(done.stateReason).toContain('ended without a result');
    // the ranks it left are ended
    expect(bridge.executor.killed).toContain(pid + 1);
  });

  it('is CREATE FAILED, with the reason, when the supervisor cannot start', async () => {
    bridge.executor.failStart = 'could not start python: ENOENT';
    try {
      const { status, body } = await bridge.call<Training>('POST', '/api/v1/trainings', {
        name: 'cannot-start',
        source: { path: script },
      });
      expect(status).toBe(202);
      expect(body).toMatchObject({ state: 'CREATE FAILED', stateReason: 'could not start python: ENOENT' });
    } finally {
      bridge.executor.failStart = undefined;
    }
  });
});

describe('stopping and deleting', () => {
  it('asks the supervisor to stop; a second stop answers the same; a settled one gives 409', async () => {
    const { training, pid } = await submit('stop-me');
    bridge.executor.writeStatus(pid, { state: 'RUNNING' });
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'RUNNING');

    const first = await bridge.call<Training>('POST', `/api/v1/trainings/${training.id}/stop`);
    expect(first).toMatchObject({ status: 202, body: { state: 'STOP IN PROGRESS' } });
    expect(bridge.executor.stopRequests).toContain(pid);
    const again = await bridge.call<Training>('POST', `/api/v1/trainings/${training.id}/stop`);
    expect(again.body.state).toBe('STOP IN PROGRESS');

    bridge.executor.writeStatus(pid, { state: 'STOPPED', reason: 'stopped by request' });
    bridge.executor.exit(pid);
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'STOPPED');
    const late = await bridge.call<{ error: { code: string } }>('POST', `/api/v1/trainings/${training.id}/stop`);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('conflict');
  });

  it('refuses to delete a running training, then deletes it once settled', async () => {
    const { training, pid } = await submit('delete-me');
    const refused = await bridge.call<{ error: { message: string } }>('DELETE', `/api/v1/trainings/${training.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('stop it before deleting it');

    bridge.executor.writeStatus(pid, { state: 'FAIL TRAIN', exitCode: 1, reason: 'rank 0 exited with status 1' });
    bridge.executor.exit(pid);
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, settled);
    expect((await bridge.call('DELETE', `/api/v1/trainings/${training.id}`)).status).toBe(204);
    expect((await bridge.call('GET', `/api/v1/trainings/${training.id}`)).status).toBe(404);
  });

  it('refuses to delete a training a model comes from, until the model is deleted', async () => {
    const { training, pid } = await submit('has-model');
    writeFileSync(join(training.dir, 'model', 'model.joblib'), 'weights');
    bridge.executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0 });
    bridge.executor.exit(pid);
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, settled);
    const model = await bridge.call<{ id: string }>('POST', '/api/v1/models', {
      name: 'from-training',
      training: training.id,
      framework: 'scikit-learn',
      frameworkVersion: '1.5.0',
    });
    expect(model.status).toBe(201);

    const refused = await bridge.call<{ error: { message: string } }>('DELETE', `/api/v1/trainings/${training.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('delete the model first');
    expect((await bridge.call('DELETE', `/api/v1/models/${model.body.id}`)).status).toBe(204);
    expect((await bridge.call('DELETE', `/api/v1/trainings/${training.id}`)).status).toBe(204);
  });
});

describe('listing trainings', () => {
  it('pages with the schema defaults, filters by experiment and state, and 404s an unknown experiment', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await submit(name, { experiment: 'paging' });
    const all = await bridge.call<{ items: Training[]; total: number }>('GET', '/api/v1/trainings?experiment=paging');
    expect(all.body.total).toBe(3);
    expect(all.body.items.map((t) => t.name)).toEqual(['page-c', 'page-b', 'page-a']);
    const second = await bridge.call<{ items: Training[]; total: number }>(
      'GET',
      '/api/v1/trainings?experiment=paging&limit=1&offset=1',
    );
    expect(second.body).toMatchObject({ total: 3, items: [{ name: 'page-b' }] });
    const requested = await bridge.call<{ items: Training[] }>(
      'GET',
      '/api/v1/trainings?experiment=paging&state=CREATE%20REQUESTED',
    );
    expect(requested.body.items).toHaveLength(3);
    expect((await bridge.call('GET', '/api/v1/trainings?experiment=nope')).status).toBe(404);
    expect((await bridge.call('GET', '/api/v1/trainings?limit=0')).status).toBe(400);
  });
});

describe('a damaged status.json', () => {
  it('is told from a missing one: logged, and the training fails saying so rather than "killed"', async () => {
    const { training, pid } = await submit('damaged-status');
    bridge.executor.writeStatus(pid, { state: 'RUNNING' });
    await bridge.until<Training>(`/api/v1/trainings/${training.id}`, (t) => t.state === 'RUNNING');
    bridge.executor.writeStatus(pid, '{"state": "COMPL');
    bridge.executor.exit(pid);
    const done = await bridge.until<Training>(`/api/v1/trainings/${training.id}`, settled);
    expect(done.state).toBe('FAIL TRAIN');
    expect(done.stateReason).toMatch(/status\.json .*could not be read/);
    const line = await bridge.logged('status.json could not be read');
    expect(line).toMatchObject({ level: 40, training: 'damaged-status' });
  });
});
