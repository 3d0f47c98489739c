import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, ExperimentComparison, Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessBridge, startInProcess } from '../testing/in-process.js';

let bridge: InProcessBridge;

beforeAll(async () => {
  bridge = await startInProcess();
});
afterAll(() => bridge?.close());

describe('experiments', () => {
  it('are created, found by id or name, updated, and a taken name gives 409', async () => {
    const created = await bridge.call<Experiment>('POST', '/api/v1/experiments', { name: 'tuning', description: 'lr sweep' });
    expect(created).toMatchObject({ status: 201, body: { name: 'tuning', description: 'lr sweep', state: 'ACTIVE' } });
    expect((await bridge.call<Experiment>('GET', `/api/v1/experiments/${created.body.id}`)).body.name).toBe('tuning');
    const updated = await bridge.call<Experiment>('PATCH', '/api/v1/experiments/tuning', { description: 'wider sweep' });
    expect(updated.body.description).toBe('wider sweep');
    const again = await bridge.call<{ error: { code: string } }>('POST', '/api/v1/experiments', { name: 'tuning' });
    expect(again.status).toBe(409);
    expect((await bridge.call('GET', '/api/v1/experiments/absent')).status).toBe(404);
  });

  it('is deleted only once it has no trainings', async () => {
    mkdirSync(join(bridge.work, 'src'), { recursive: true });
    const script = join(bridge.work, 'src', 'train.py');
    writeFileSync(script, 'print(1)\n');
    const submitted = await bridge.call<Training>('POST', '/api/v1/trainings', {
      source: { path: script },
      experiment: 'guarded',
    });
    expect(submitted.status).toBe(202);
    const refused = await bridge.call<{ error: { message: string } }>('DELETE', '/api/v1/experiments/guarded');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('experiment "guarded" has 1 training(s); delete them first');

    const pid = bridge.executor.pidOf(submitted.body.dir);
    bridge.executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0 });
    bridge.executor.exit(pid);
    await bridge.until<Training>(`/api/v1/trainings/${submitted.body.id}`, (t) => t.state === 'COMPLETE');
    expect((await bridge.call('DELETE', `/api/v1/trainings/${submitted.body.id}`)).status).toBe(204);
    expect((await bridge.call('DELETE', '/api/v1/experiments/guarded')).status).toBe(204);
    expect((await bridge.call('GET', '/api/v1/experiments/guarded')).status).toBe(404);
  });

  it('compares its trainings with when each started and ended, so the editors can show how long each ran', async () => {
    const script = join(bridge.work, 'src', 'fit.py');
    mkdirSync(join(bridge.work, 'src'), { recursive: true });
    writeFileSync(script, 'print(1)\n');
    const submitted = await bridge.call<Training>('POST', '/api/v1/trainings', {
      source: { path: script },
      experiment: 'timed',
      hyperparameters: { lr: '0.1' },
    });
    const pid = bridge.executor.pidOf(submitted.body.dir);
    bridge.executor.writeStatus(pid, { state: 'COMPLETE', exitCode: 0 });
    bridge.executor.exit(pid);
    const done = await bridge.until<Training>(`/api/v1/trainings/${submitted.body.id}`, (t) => t.state === 'COMPLETE');
    const comparison = await bridge.call<ExperimentComparison>('GET', '/api/v1/experiments/timed/comparison');
    expect(comparison.status).toBe(200);
    expect(comparison.body.trainings).toEqual([
      expect.objectContaining({
        id: done.id,
        hyperparameters: { lr: '0.1' },
        startedAt: done.startedAt,
        endedAt: done.endedAt,
      }),
    ]);
    expect(done.endedAt).not.toBeNull();
  });

  it('page newest first, with the schema defaults when limit and offset are left out', async () => {
    for (let i = 0; i < 105; i++) await bridge.call('POST', '/api/v1/experiments', { name: `bulk-${i}` });
    const first = await bridge.call<{ items: Experiment[]; total: number }>('GET', '/api/v1/experiments');
    expect(first.body.items).toHaveLength(100);
    expect(first.body.items[0]?.name).toBe('bulk-104');
    const rest = await bridge.call<{ items: Experiment[]; total: number }>('GET', '/api/v1/experiments?offset=100');
    expect(rest.body.total).toBe(first.body.total);
    expect(rest.body.items.length).toBe(first.body.total - 100);
  });
});

describe('every list route', () => {
  const routes = ['environments', 'experiments', 'trainings', 'models', 'endpoints', 'tensorboards'];

  it.each(routes)('%s: pages by limit and offset, answers { items, total }, refuses a limit out of range', async (route) => {
    const page = await bridge.call<{ items: unknown[]; total: number }>('GET', `/api/v1/${route}?limit=1&offset=0`);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(1);
    expect(typeof page.body.total).toBe('number');
    const tooMany = await bridge.call<{ error: { field: string } }>('GET', `/api/v1/${route}?limit=1001`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.field).toBe('limit');
  });
});
