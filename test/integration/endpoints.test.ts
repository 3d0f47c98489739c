import { join } from 'node:path';
import { type EventMessage, EventStream, type InferenceLog } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import {
  activeEndpoint,
  activeStage,
  IRIS_ROWS,
  infer,
  sklearnPredictions,
  writeCustomModel,
  writeOnnxModel,
} from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { alive, pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib');
const hasOnnx = pythonHas(venvPython, 'onnx', 'onnxruntime');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)';
const noOnnx = hasOnnx ? '' : ' (SKIPPED: onnx and onnxruntime are not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  // a 1 MiB body limit, so the oversized case needs no large upload
  bridge = await startBridge({ args: ['--python', venvPython, '--max-inference-mb', '1'] });
  work = tempDir('emkit-endpoints-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const TRAIN = [
  'import os, joblib',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'X, y = load_iris(return_X_y=True)',
  'model = LogisticRegression(max_iter=500).fit(X, y)',
  'joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
].join('\n');

async function customModel(name: string, label: string, delayMs = 0) {
  const dir = writeCustomModel(join(work, `${name}-${label}`), label, delayMs);
  return bridge.client.api.createModel({ body: { name, artifactPath: dir } });
}

describe('endpoints', () => {
  it.skipIf(!hasSklearn)(
    `serve a model from a real training: predictions equal its own in Python at every path, each call logged and counted${noSklearn}`,
    async () => {
      const source = writeTree(join(work, 'iris-train'), { 'train.py': TRAIN });
      const submitted = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
      const training = await settledTraining(bridge.client, submitted.id);
      expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
      const model = await bridge.client.api.createModel({ body: { name: 'iris', training: training.id } });

      const created = await bridge.client.api.createEndpoint({ body: { name: 'iris-api', model: 'iris:1' } });
      expect(['CREATE REQUESTED', 'CREATE IN PROGRESS']).toContain(created.state);
      expect(created).toMatchObject({ url: '/inference/iris-api', defaultStage: 'default', hasApiKey: false });
      const endpoint = await activeEndpoint(bridge.client, 'iris-api');
      const [stage] = endpoint.stages;
      expect(stage).toMatchObject({
        name: 'default',
        default: true,
        state: 'ACTIVE',
        model: { id: model.id, name: 'iris', version: 1, framework: 'scikit-learn' },
        python: training.python,
      });
      expect(stage?.instances).toEqual([expect.objectContaining({ index: 0, state: 'READY', restarts: 0 })]);

      const expected = sklearnPredictions(model.artifactPath, IRIS_ROWS);
      const ids: string[] = [];
      for (const path of ['/inference/iris-api', '/inference/iris-api/default', '/v1/models/iris-api:predict']) {
        const answer = await infer(bridge, path, { instances: IRIS_ROWS });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.predictions).toEqual(expected);
        expect(answer.inferenceId).toMatch(/^[0-9a-f-]{36}$/);
        ids.push(answer.inferenceId as string);
      }
      // the typed client reaches the gateway too
      const viaClient = await bridge.client.api.infer({ params: { endpoint: 'iris-api' }, body: { instances: IRIS_ROWS } });
      expect(viaClient.predictions).toEqual(expected);

      const logs = await bridge.client.api.getEndpointLogs({ params: { id: 'iris-api' }, query: { inferenceId: ids[0] } });
      expect(logs.items.map((l) => l.action)).toEqual(['Inference.Request', 'Inference.Response']);
      expect(logs.items[1]).toMatchObject({
        category: 'easymaker.inference',
        endpointId: endpoint.id,
        endpointStageId: stage?.id,
        inferenceId: ids[0],
        modelName: 'iris:1',
        logLevel: 'INFO',
        status: 200,
      });
      expect(Date.parse(logs.items[0]?.time ?? '')).toBeGreaterThan(0);
      const all = await bridge.client.api.getEndpointLogs({ params: { id: 'iris-api' }, query: { limit: 100 } });
      expect(all.items).toHaveLength(8);

      const stats = await bridge.client.api.getEndpointStats({ params: { id: 'iris-api' } });
      const calls = stats.minutes.filter((m) => m.stage === 'default').reduce((n, m) => n + m.count, 0);
      expect(calls).toBe(4);
      expect(stats.minutes.every((m) => m.errors === 0 && (m.p50 ?? 0) > 0 && (m.p99 ?? 0) >= (m.p50 ?? 0))).toBe(true);
      expect(stats.inFlight).toEqual({ default: 0 });

      // bad input gets a 4xx that says why, and the worker goes on serving
      const malformed = await infer(bridge, '/inference/iris-api', null, { raw: '{"instances": [[5.1, 3.5' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error?.message).toMatch(/JSON/);
      const shape = await infer(bridge, '/inference/iris-api', { instances: [[5.1, 3.5]] });
      expect(shape.status).toBe(400);
      expect(shape.body.error?.message).toMatch(/features/);
      const notInstances = await infer(bridge, '/inference/iris-api', { rows: IRIS_ROWS });
      expect(notInstances.status).toBe(400);
      expect(notInstances.body.error?.message).toMatch(/instances/);
      // a bracket bomb is the caller's mistake, not the worker's 500
      const nested = await infer(bridge, '/inference/iris-api', null, {
        raw: `{"instances": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      });
      expect(nested.status).toBe(400);
      expect(nested.body.error?.code).toBe('bad_request');
      expect(nested.body.error?.message).toMatch(/nested too deeply/);
      const big = await infer(bridge, '/inference/iris-api', null, {
        raw: JSON.stringify({ instances: Array.from({ length: 80_000 }, () => IRIS_ROWS[0]) }),
      });
      expect(big.status).toBe(413);
      expect(big.body.error?.code).toBe('payload_too_large');
      const after = await infer(bridge, '/inference/iris-api', { instances: IRIS_ROWS.slice(0, 1) });
      expect(after.status).toBe(200);
      expect(after.body.predictions).toEqual(expected.slice(0, 1));

      const unknown = await infer(bridge, '/inference/nope', { instances: [] });
      expect(unknown.status).toBe(404);
      expect((await infer(bridge, '/inference/iris-api/nope', { instances: [] })).status).toBe(404);
      const anonymous = await infer(bridge, '/inference/iris-api', { instances: IRIS_ROWS }, { headers: { authorization: '' } });
      expect(anonymous.status).toBe(401);
      const warnings = await bridge.client.api.getEndpointLogs({ params: { id: 'iris-api' }, query: { level: 'WARNING' } });
      expect(warnings.items.map((l) => l.status)).toEqual([400, 400, 400, 400]);
    },
  );

  it.skipIf(!hasOnnx)(`serve an ONNX model and a custom predictor as two stages of one endpoint${noOnnx}`, async () => {
    const { W, B } = writeOnnxModel(join(work, 'linear'));
    const onnx = await bridge.client.api.createModel({ body: { name: 'linear', artifactPath: join(work, 'linear') } });
    expect(onnx.framework).toBe('onnx');
    await customModel('summer', 'custom');

    await bridge.client.api.createEndpoint({
      body: { name: 'mixed', model: 'summer', stage: 'custom', resourcePath: '/predict' },
    });
    await activeEndpoint(bridge.client, 'mixed');
    const stage = await bridge.client.api.createEndpointStage({
      params: { id: 'mixed' },
      body: { name: 'onnx', model: 'linear', instanceCount: 2 },
    });
    expect(['CREATE REQUESTED', 'CREATE IN PROGRESS']).toContain(stage.state);
    expect((await bridge.client.api.getEndpoint({ params: { id: 'mixed' } })).state).toBe('UPDATE IN PROGRESS');
    const ready = await activeStage(bridge.client, 'mixed', 'onnx');
    expect(ready.instances.map((i) => i.state)).toEqual(['READY', 'READY']);
    expect((await activeEndpoint(bridge.client, 'mixed')).stages.map((s) => s.name)).toEqual(['custom', 'onnx']);

    const rows = [
      [1, 2, 3, 4],
      [0.5, -1, 0, 2.25],
    ];
    const expected = rows.map((row) => B.map((b, j) => row.reduce((sum, x, i) => sum + x * (W[i]?.[j] ?? 0), b)));
    // both instances answer, in turn
    for (let i = 0; i < 4; i += 1) {
      const answer = await infer(bridge, '/inference/mixed/onnx', { instances: rows });
      expect(answer.status).toBe(200);
      const predictions = answer.body.predictions as number[][];
      predictions.forEach((row, r) => {
        row.forEach((value, j) => {
          expect(value).toBeCloseTo(expected[r]?.[j] as number, 5);
        });
      });
    }
    const custom = await infer(bridge, '/inference/mixed', { instances: rows });
    expect(custom.body.predictions).toEqual([
      ['custom', 10],
      ['custom', 1.75],
    ]);
    // the default stage at its resource path, and by name with it
    expect((await infer(bridge, '/inference/mixed/predict', { instances: rows })).body).toEqual(custom.body);
    expect((await infer(bridge, '/inference/mixed/custom/predict', { instances: rows })).body).toEqual(custom.body);
    expect((await infer(bridge, '/inference/mixed/onnx/predict', { instances: rows })).status).toBe(404);

    // every delete rule
    const servedModel = await refusal(bridge.client.api.deleteModel({ params: { id: 'linear' } }));
    expect(servedModel.status).toBe(409);
    expect(servedModel.message).toMatch(/stage "onnx" of endpoint "mixed"/);
    const defaultStage = await refusal(bridge.client.api.deleteEndpointStage({ params: { id: 'mixed', stage: 'custom' } }));
    expect(defaultStage.status).toBe(409);
    expect(defaultStage.message).toMatch(/default stage/);
    const withStages = await refusal(bridge.client.api.deleteEndpoint({ params: { id: 'mixed' } }));
    expect(withStages.status).toBe(409);
    expect(withStages.message).toMatch(/"onnx"/);

    const pids = ready.instances.map((i) => i.pid as number);
    await bridge.client.api.deleteEndpointStage({ params: { id: 'mixed', stage: 'onnx' } });
    expect(pids.some(alive)).toBe(false);
    expect((await infer(bridge, '/inference/mixed/onnx', { instances: rows })).status).toBe(404);
    await bridge.client.api.deleteModel({ params: { id: 'linear' } });

    const last = await bridge.client.api.getEndpoint({ params: { id: 'mixed' } });
    const customPid = last.stages[0]?.instances[0]?.pid as number;
    await bridge.client.api.deleteEndpoint({ params: { id: 'mixed' } });
    expect(alive(customPid)).toBe(false);
    expect((await refusal(bridge.client.api.getEndpoint({ params: { id: 'mixed' } }))).status).toBe(404);
    expect((await infer(bridge, '/inference/mixed', { instances: rows })).status).toBe(404);
    await bridge.client.api.deleteModel({ params: { id: 'summer' } });
  });

  it('takes an API key per endpoint, only for that endpoint; a new key retires the old one', async () => {
    await customModel('keyed', 'k');
    const created = await bridge.client.api.createEndpoint({ body: { name: 'keyed', model: 'keyed', apiKey: true } });
    expect(created.hasApiKey).toBe(true);
    const key = created.apiKey as string;
    expect(key).toMatch(/^emk_/);
    expect((await bridge.client.api.getEndpoint({ params: { id: 'keyed' } })).apiKey).toBeUndefined();
    await customModel('open', 'o');
    await bridge.client.api.createEndpoint({ body: { name: 'open', model: 'open' } });
    await activeEndpoint(bridge.client, 'keyed');
    await activeEndpoint(bridge.client, 'open');

    const body = { instances: [[1, 2]] };
    const withKey = { headers: { authorization: '', 'x-api-key': key } };
    expect((await infer(bridge, '/inference/keyed', body, withKey)).body.predictions).toEqual([['k', 3]]);
    expect((await infer(bridge, '/inference/keyed', body, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    expect((await infer(bridge, '/inference/open', body, withKey)).status).toBe(401);
    // the key is for inference alone, not for the management API
    const api = await fetch(`${bridge.url}/api/v1/endpoints`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(401);

    const rotated = await bridge.client.api.updateEndpoint({ params: { id: 'keyed' }, body: { apiKey: true } });
    expect(rotated.apiKey).toMatch(/^emk_/);
    expect((await infer(bridge, '/inference/keyed', body, withKey)).status).toBe(401);
    const fresh = { headers: { authorization: '', 'x-api-key': rotated.apiKey as string } };
    expect((await infer(bridge, '/inference/keyed', body, fresh)).status).toBe(200);
    const removed = await bridge.client.api.updateEndpoint({ params: { id: 'keyed' }, body: { apiKey: false } });
    expect(removed.hasApiKey).toBe(false);
    expect((await infer(bridge, '/inference/keyed', body, fresh)).status).toBe(401);

    for (const name of ['keyed', 'open']) await bridge.client.api.deleteEndpoint({ params: { id: name } });
  });

  it('refuses what the rules forbid with the right status, and records nothing for it', async () => {
    await customModel('rules', 'r');
    const before = (await bridge.client.api.listEndpoints({})).total;
    expect((await refusal(bridge.client.api.createEndpoint({ body: { name: 'x', model: 'no-such-model' } }))).status).toBe(404);
    const badName = await refusal(bridge.client.api.createEndpoint({ body: { name: 'Bad Name', model: 'rules' } }));
    expect(badName.status).toBe(400);
    expect(badName.field).toBe('name');
    const badCount = await refusal(bridge.client.api.createEndpoint({ body: { name: 'x', model: 'rules', instanceCount: 0 } }));
    expect(badCount.field).toBe('instanceCount');
    expect((await bridge.client.api.listEndpoints({})).total).toBe(before);

    await bridge.client.api.createEndpoint({ body: { name: 'rules', model: 'rules' } });
    expect((await refusal(bridge.client.api.createEndpoint({ body: { name: 'rules', model: 'rules' } }))).status).toBe(409);
    await activeEndpoint(bridge.client, 'rules');
    const twice = await refusal(
      bridge.client.api.createEndpointStage({ params: { id: 'rules' }, body: { name: 'default', model: 'rules' } }),
    );
    expect(twice.status).toBe(409);
    const already = await refusal(bridge.client.api.setDefaultStage({ params: { id: 'rules' }, body: { stage: 'default' } }));
    expect(already.status).toBe(409);
    const missing = await refusal(bridge.client.api.setDefaultStage({ params: { id: 'rules' }, body: { stage: 'nope' } }));
    expect(missing.status).toBe(404);

    // a stage whose model can't load: DEPLOY FAILED with the worker's words, and the endpoint UPDATE FAILED
    const broken = writeTree(join(work, 'broken'), { 'predict.py': 'import not_a_module_anywhere\n' });
    await bridge.client.api.createModel({ body: { name: 'broken', artifactPath: broken } });
    await bridge.client.api.createEndpointStage({ params: { id: 'rules' }, body: { name: 'broken', model: 'broken' } });
    const failed = await waitFor(
      async () => {
        const stage = await bridge.client.api.getEndpointStage({ params: { id: 'rules', stage: 'broken' } });
        return stage.state === 'DEPLOY FAILED' && stage;
      },
      60_000,
      'the broken stage to fail',
    );
    expect(failed.stateReason).toMatch(/ModuleNotFoundError/);
    const endpoint = await bridge.client.api.getEndpoint({ params: { id: 'rules' } });
    expect(endpoint.state).toBe('UPDATE FAILED');
    expect(endpoint.stateReason).toMatch(/stage "broken" is DEPLOY FAILED/);
    const notActive = await refusal(bridge.client.api.setDefaultStage({ params: { id: 'rules' }, body: { stage: 'broken' } }));
    expect(notActive.status).toBe(409);
    expect(notActive.message).toMatch(/DEPLOY FAILED/);
    // the default stage goes on serving
    expect((await infer(bridge, '/inference/rules', { instances: [[1]] })).status).toBe(200);
    await bridge.client.api.deleteEndpointStage({ params: { id: 'rules', stage: 'broken' } });
    expect((await bridge.client.api.getEndpoint({ params: { id: 'rules' } })).state).toBe('ACTIVE');

    // an endpoint whose only model can't load: CREATE FAILED
    await bridge.client.api.createEndpoint({ body: { name: 'doomed', model: 'broken' } });
    const doomed = await waitFor(
      async () => {
        const e = await bridge.client.api.getEndpoint({ params: { id: 'doomed' } });
        return e.state === 'CREATE FAILED' && e;
      },
      60_000,
      'the doomed endpoint to fail',
    );
    expect(doomed.stages[0]?.state).toBe('DEPLOY FAILED');
    expect((await infer(bridge, '/inference/doomed', { instances: [[1]] })).status).toBe(503);
    await bridge.client.api.deleteEndpoint({ params: { id: 'doomed' } });
    await bridge.client.api.deleteEndpoint({ params: { id: 'rules' } });
  });

  it('pushes inference log entries on the event stream to the clients that ask for them', async () => {
    await customModel('evented', 'e');
    await bridge.client.api.createEndpoint({ body: { name: 'evented', model: 'evented' } });
    await activeEndpoint(bridge.client, 'evented');
    // the shared client's stream, asking for them; and a plain subscriber that doesn't
    const logs: InferenceLog[] = [];
    const stream = new EventStream(bridge.client, { inference: (log) => logs.push(log) }, { WebSocket, inferences: true });
    const plain = new WebSocket(`${bridge.url.replace('http', 'ws')}/api/v1/events`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    const seenPlain: EventMessage[] = [];
    plain.on('message', (data) => seenPlain.push(JSON.parse(String(data)) as EventMessage));
    await new Promise((resolve) => plain.once('open', resolve));
    await waitFor(async () => stream.seq !== undefined, 10_000, 'the stream to connect');
    const answer = await infer(bridge, '/inference/evented', { instances: [[2, 2]] });
    const entries = await waitFor(async () => logs.length >= 2 && logs, 10_000, 'the inference entries on the event stream');
    expect(entries.map((e) => [e.inferenceId, e.action])).toEqual([
      [answer.inferenceId, 'Inference.Request'],
      [answer.inferenceId, 'Inference.Response'],
    ]);
    expect(seenPlain.some((m) => m.type === 'inference')).toBe(false);
    stream.close();
    plain.close();
    await bridge.client.api.deleteEndpoint({ params: { id: 'evented' } });
  });
});
