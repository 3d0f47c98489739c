import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint, IRIS_ROWS, pythonJson, sklearnPredictions, writeCustomModel } from '../support/endpoints.js';
import { pythonHas, venvPython, writeTree } from '../support/trainings.js';

/*
 * KServe V1 and the Open Inference Protocol (V2) at the gateway, against a real bridge and
 * real workers: what a caller gets for bad tensors, unknown models, a stage not ready and a
 * missing API key. The happy paths with the real kserve client are in the Python tests
 * (server-bridge/python/tests/test_kserve_protocols.py).
 */

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-protocols-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

interface Answer {
  status: number;
  headers: Headers;
  body: {
    error?: { code: string; message: string; field?: string };
    outputs?: { name: string; shape: number[]; datatype: string; data: unknown[] }[];
    [key: string]: unknown;
  };
}

/** A call as any HTTP client makes it: the bridge token unless `headers` say otherwise. */
async function call(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(`${bridge.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Answer['body'] };
}

const irisTensor = (rows: number[][], extra: object = {}) => ({
  inputs: [{ name: 'x', shape: [rows.length, rows[0]?.length ?? 0], datatype: 'FP64', data: rows, ...extra }],
});

function writeIrisModel(dir: string): void {
  pythonJson(`
import json, os, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
os.makedirs(${JSON.stringify(dir)}, exist_ok=True)
joblib.dump(LogisticRegression(max_iter=500).fit(X, y), os.path.join(${JSON.stringify(dir)}, "model.joblib"))
print("{}")
`);
}

describe('KServe V1 and V2 at the gateway', () => {
  it.skipIf(!hasSklearn)(
    `a scikit-learn model: V2 tensors in and out, bad tensors refused with the field, counted and logged${noSklearn}`,
    async () => {
      writeIrisModel(join(work, 'iris'));
      const model = await bridge.client.api.createModel({ body: { name: 'iris', artifactPath: join(work, 'iris') } });
      await bridge.client.api.createEndpoint({ body: { name: 'iris-v2', model: 'iris' } });
      await activeEndpoint(bridge.client, 'iris-v2');
      const expected = sklearnPredictions(model.artifactPath, IRIS_ROWS);

      expect((await call('/v1/models')).body).toEqual({ models: ['iris-v2'] });
      expect((await call('/v1/models/iris-v2')).body).toEqual({ name: 'iris-v2', ready: true });
      expect((await call('/v2/models/iris-v2/ready')).body).toEqual({ name: 'iris-v2', ready: true });
      expect((await call('/v2/models/iris-v2')).body).toEqual({
        name: 'iris-v2',
        versions: ['default'],
        platform: 'scikit-learn',
        inputs: [],
        outputs: [],
      });
      for (const path of ['/v2/models/iris-v2/infer', '/v2/models/iris-v2/versions/default/infer']) {
        const answer = await call(path, { body: { id: 'req-1', ...irisTensor(IRIS_ROWS) } });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body).toEqual({
          model_name: 'iris-v2',
          model_version: 'default',
          id: 'req-1',
          outputs: [{ name: 'output-0', shape: [IRIS_ROWS.length], datatype: 'INT64', data: expected }],
        });
        expect(answer.headers.get('x-inference-id')).toMatch(/^[0-9a-f-]{36}$/);
      }

      const refused: [unknown, number, string | undefined][] = [
        [irisTensor(IRIS_ROWS, { shape: [5, 3] }), 400, 'inputs[0].data'],
        [irisTensor(IRIS_ROWS, { datatype: 'FLOAT64' }), 400, 'inputs[0].datatype'],
        [irisTensor([[5.1, 3.5, 'x', 0.2]]), 400, 'inputs[0].data[2]'],
        [{ instances: IRIS_ROWS }, 400, 'inputs'],
        ['{"inputs": [', 400, undefined],
      ];
      for (const [body, status, field] of refused) {
        const answer = await call('/v2/models/iris-v2/infer', { body });
        expect(answer.status, JSON.stringify(body)).toBe(status);
        expect(answer.body.error?.field).toBe(field);
        expect(answer.body.error?.code).toBe(field ? 'validation' : 'bad_request');
      }
      // a well-formed tensor the model itself can't take: the worker's own 400, passed on
      const features = await call('/v2/models/iris-v2/infer', { body: irisTensor([[5.1, 3.5]]) });
      expect(features.status).toBe(400);
      expect(features.body.error?.message).toMatch(/features/);
      // and the endpoint goes on serving
      const after = await call('/v2/models/iris-v2/infer', { body: irisTensor(IRIS_ROWS.slice(0, 1)) });
      expect(after.body.outputs?.[0]?.data).toEqual(expected.slice(0, 1));

      // the same stats and inference logs as /inference/...: refusals included
      const stats = await bridge.client.api.getEndpointStats({ params: { id: 'iris-v2' } });
      const minutes = stats.minutes.filter((m) => m.stage === 'default');
      expect(minutes.reduce((n, m) => n + m.count, 0)).toBe(2 + refused.length + 2);
      const logs = await bridge.client.api.getEndpointLogs({ params: { id: 'iris-v2' }, query: { level: 'WARNING' } });
      expect(logs.items.map((l) => l.status)).toEqual([400, 400, 400, 400, 400, 400]);
      const requests = await bridge.client.api.getEndpointLogs({ params: { id: 'iris-v2' }, query: { limit: 2 } });
      expect(requests.items[0]?.body).toMatch(/^POST \/v2\/models\/iris-v2\/infer \(\d+ bytes\)$/);
    },
  );

  it('unknown models and stages: 404 in the envelope, for V1 and V2 alike', async () => {
    for (const [path, method] of [
      ['/v1/models/nope', 'GET'],
      ['/v2/models/nope', 'GET'],
      ['/v2/models/nope/ready', 'GET'],
      ['/v2/models/nope/infer', 'POST'],
      ['/v2/models/nope/versions/default/infer', 'POST'],
    ] as const) {
      const answer = await call(path, { method, body: method === 'POST' ? irisTensor(IRIS_ROWS) : undefined });
      expect(answer.status, path).toBe(404);
      expect(answer.body.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('"nope"') });
    }
    await bridge.client.api.createModel({ body: { name: 'echo', artifactPath: writeCustomModel(join(work, 'echo'), 'e') } });
    await bridge.client.api.createEndpoint({ body: { name: 'echo', model: 'echo' } });
    await activeEndpoint(bridge.client, 'echo');
    for (const path of ['/v2/models/echo/versions/blue', '/v2/models/echo/versions/blue/ready']) {
      const answer = await call(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.error?.message).toContain('its versions: default');
    }
    // a model whose predictions are no one tensor ([label, sum] rows) is said so, not garbled
    const mixed = await call('/v2/models/echo/infer', {
      body: { inputs: [{ name: 'x', shape: [1, 2], datatype: 'INT32', data: [1, 2] }] },
    });
    expect(mixed.status).toBe(422);
    expect(mixed.body.error?.message).toMatch(/\/inference\/echo/);
    // and the stage's stats and inference log record the 422 the caller got, not the worker's 200
    const stats = await bridge.client.api.getEndpointStats({ params: { id: 'echo' } });
    const errors = stats.minutes.reduce((n, m) => n + m.errors, 0);
    expect([stats.minutes.reduce((n, m) => n + m.count, 0), errors]).toEqual([1, 1]);
    const responses = await bridge.client.api.getEndpointLogs({ params: { id: 'echo' }, query: { level: 'WARNING' } });
    expect(responses.items.map((l) => [l.status, l.inferenceId])).toEqual([[422, mixed.headers.get('x-inference-id')]]);
  });

  it('a stage with no READY worker: readiness and inference answer 503 with Retry-After at once', async () => {
    // a custom predictor that takes minutes to load: the stage exists, its worker isn't READY
    const dir = writeTree(join(work, 'slow'), {
      'predict.py': 'import time\n\ndef load():\n    time.sleep(600)\n\ndef predict(model, instances):\n    return instances\n',
    });
    await bridge.client.api.createModel({ body: { name: 'slow', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'slow', model: 'slow' } });
    try {
      for (const [path, method] of [
        ['/v1/models/slow', 'GET'],
        ['/v2/models/slow/ready', 'GET'],
        ['/v2/models/slow/versions/default/ready', 'GET'],
        ['/v2/models/slow/infer', 'POST'],
      ] as const) {
        const answer = await call(path, { method, body: method === 'POST' ? irisTensor(IRIS_ROWS) : undefined });
        expect(answer.status, path).toBe(503);
        expect(answer.body.error?.code).toBe('not_ready');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
      // the metadata is known before the workers are
      expect((await call('/v2/models/slow')).body).toMatchObject({ name: 'slow', platform: 'custom' });
    } finally {
      await bridge.client.api.deleteEndpoint({ params: { id: 'slow' } });
    }
  });

  it("the endpoint's API key or the bridge token: the V1 and V2 model routes take either, and nothing else", async () => {
    await bridge.client.api.createModel({ body: { name: 'keyed', artifactPath: writeCustomModel(join(work, 'keyed'), 'k') } });
    const created = await bridge.client.api.createEndpoint({ body: { name: 'keyed', model: 'keyed', apiKey: true } });
    await activeEndpoint(bridge.client, 'keyed');
    const key = { authorization: '', 'x-api-key': created.apiKey as string };
    const wrong = { authorization: '', 'x-api-key': 'emk_not-the-key' };
    const none = { authorization: '' };
    const tensor = { inputs: [{ name: 'a', shape: [1, 1], datatype: 'FP32', data: [1] }] };
    for (const [path, body] of [
      ['/v1/models/keyed', undefined],
      ['/v2/models/keyed', undefined],
      ['/v2/models/keyed/ready', undefined],
      ['/v2/models/keyed/infer', tensor],
      ['/v2/models/keyed/versions/default/infer', tensor],
    ] as const) {
      for (const headers of [none, wrong]) {
        const refused = await call(path, { body, headers });
        expect(refused.status, path).toBe(401);
        expect(refused.body.error?.code).toBe('unauthorized');
      }
      // the custom predictor answers [label, sum]: no tensor (422), but past the key check
      expect([200, 422], path).toContain((await call(path, { body, headers: key })).status);
      expect([200, 422], path).toContain((await call(path, { body })).status);
    }
    // another endpoint's key is not this one's
    expect((await call('/v2/models/echo/ready', { headers: key })).status).toBe(401);
    // the model list spans endpoints: the bridge token only
    expect((await call('/v1/models', { headers: key })).status).toBe(401);
    // the probes that name no model are open, like /api/v1/health
    for (const path of ['/', '/v2', '/v2/health/live', '/v2/health/ready']) {
      expect((await call(path, { headers: none })).status, path).toBe(200);
    }
    expect((await call('/v2/health/ready', { headers: none })).body).toEqual({ ready: true });
    expect((await call('/', { headers: none })).body).toEqual({ status: 'alive' });
  });
});
