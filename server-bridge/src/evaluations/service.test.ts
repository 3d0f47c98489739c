import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationList, Model, ModelIterations } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEchoModel } from '../testing/echo-model.js';
import { type InProcessBridge, startInProcess } from '../testing/in-process.js';

type Refusal = { error: { code: string; message: string; field?: string } };

let bridge: InProcessBridge;
let model: Model;

beforeAll(async () => {
  bridge = await startInProcess();
  ({ model } = await createEchoModel(bridge, 'judged'));
});
afterAll(() => bridge?.close());

/** A refused create leaves no record and no folder. */
async function refused(body: object, status: number): Promise<Refusal['error']> {
  const answer = await bridge.call<Refusal>('POST', '/api/v1/evaluations', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const list = await bridge.call<EvaluationList>('GET', '/api/v1/evaluations');
  expect(list.body.total).toBe(0);
  const folder = join(bridge.home, 'evaluations');
  expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  // and the bridge goes on serving
  expect((await bridge.call('GET', '/api/v1/health')).status).toBe(200);
  return answer.body.error;
}

function csv(name: string, text = 'a,b,label\n1,2,0\n'): string {
  const path = join(bridge.work, name);
  writeFileSync(path, text);
  return path;
}

describe('creating an evaluation: what is refused before anything is stored', () => {
  it('a model that does not exist: 404', async () => {
    const error = await refused({ model: 'nope:3', data: csv('a.csv') }, 404);
    expect(error.message).toContain('nope:3');
  });

  it('a relative dataset path: 422 on data', async () => {
    const error = await refused({ model: 'judged', data: 'test.csv' }, 422);
    expect(error).toMatchObject({ code: 'unprocessable', field: 'data' });
    expect(error.message).toBe('the dataset path must be absolute, not "test.csv"');
  });

  it('a path that does not exist: 422', async () => {
    const error = await refused({ model: 'judged', data: join(bridge.work, 'missing.csv') }, 422);
    expect(error.message).toContain('does not exist');
  });

  it('a path inside the emkit home (its database, its token): 422', async () => {
    for (const path of [join(bridge.home, 'emkit.db'), join(bridge.home, 'token'), bridge.home]) {
      const error = await refused({ model: 'judged', data: path, format: 'csv' }, 422);
      expect(error.field).toBe('data');
      expect(error.message).toContain("emkit's own folder");
    }
  });

  it('a FIFO, and a link to /dev/zero: 422, without hanging the bridge', async () => {
    const fifo = join(bridge.work, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const link = join(bridge.work, 'zero.csv');
    symlinkSync('/dev/zero', link);
    for (const path of [fifo, link]) {
      const error = await refused({ model: 'judged', data: path }, 422);
      expect(error.message).toContain('neither a regular file nor a folder');
    }
  });

  it.skipIf(process.getuid?.() === 0)('a file the user cannot read: 422 (SKIPPED as root)', async () => {
    const path = csv('secret.csv');
    chmodSync(path, 0o000);
    try {
      const error = await refused({ model: 'judged', data: path }, 422);
      expect(error.message).toContain('permission denied');
    } finally {
      chmodSync(path, 0o600);
    }
  });

  it('an empty file: 422', async () => {
    const error = await refused({ model: 'judged', data: csv('empty.csv', '') }, 422);
    expect(error.message).toBe(`the dataset ${join(bridge.work, 'empty.csv')} is empty`);
  });

  it('a format that does not fit the path, or none to be told: 422 on format', async () => {
    const folder = join(bridge.work, 'classes');
    mkdirSync(folder);
    expect(await refused({ model: 'judged', data: folder, format: 'csv' }, 422)).toMatchObject({ field: 'format' });
    expect(await refused({ model: 'judged', data: csv('a.csv'), format: 'folder' }, 422)).toMatchObject({ field: 'format' });
    const error = await refused({ model: 'judged', data: csv('data.txt') }, 422);
    expect(error).toMatchObject({ field: 'format' });
    expect(error.message).toContain('give format');
  });

  it('an environment that does not exist: 404', async () => {
    await refused({ model: 'judged', data: csv('a.csv'), environment: 'nowhere' }, 404);
  });

  it('bad values: 400 naming the field', async () => {
    expect(await refused({ model: 'judged', data: csv('a.csv'), threshold: 1.5 }, 400)).toMatchObject({
      code: 'validation',
      field: 'threshold',
    });
    expect(await refused({ model: 'judged', data: csv('a.csv'), maxErrors: -1 }, 400)).toMatchObject({ field: 'maxErrors' });
    expect(await refused({ model: 'judged', data: csv('a.csv'), task: 'ranking' }, 400)).toMatchObject({ field: 'task' });
    expect(await refused({ model: 'judged', data: csv('a.csv'), labels: 'y' }, 400)).toMatchObject({ field: 'labels' });
    expect(await refused({ data: csv('a.csv') }, 400)).toMatchObject({ field: 'model' });
  });
});

describe('reading evaluations', () => {
  it('an unknown evaluation is 404 for get, stop, delete and log', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/evaluations/nope'],
      ['GET', '/api/v1/evaluations/nope?threshold=0.3'],
      ['POST', '/api/v1/evaluations/nope/stop'],
      ['DELETE', '/api/v1/evaluations/nope'],
      ['GET', '/api/v1/evaluations/nope/log'],
    ] as const) {
      const answer = await bridge.call<Refusal>(method, url);
      expect(answer.status, url).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    }
  });

  it('a threshold outside 0..1 is 400', async () => {
    const answer = await bridge.call<Refusal>('GET', '/api/v1/evaluations/nope?threshold=2');
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('threshold');
  });

  it('lists filter by model; an unknown model is 404', async () => {
    expect((await bridge.call<EvaluationList>('GET', '/api/v1/evaluations?model=judged')).body).toEqual({ items: [], total: 0 });
    expect((await bridge.call('GET', '/api/v1/evaluations?model=ghost')).status).toBe(404);
  });

  it("a model's iterations: every version, none evaluated yet; an unknown dataset hash is 404", async () => {
    const answer = await bridge.call<ModelIterations>('GET', '/api/v1/models/judged/evaluations');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      name: 'judged',
      dataset: null,
      datasets: [],
      iterations: [{ modelId: model.id, version: 1, aliases: [], evaluation: null }],
    });
    const sha = 'a'.repeat(64);
    expect((await bridge.call('GET', `/api/v1/models/judged/evaluations?dataset=${sha}`)).status).toBe(404);
    expect((await bridge.call('GET', '/api/v1/models/judged/evaluations?dataset=xyz')).status).toBe(400);
    expect((await bridge.call('GET', '/api/v1/models/ghost/evaluations')).status).toBe(404);
  });
});
