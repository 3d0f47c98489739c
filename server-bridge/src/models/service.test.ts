import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { createEchoModel } from '../testing/echo-model.js';
import { type InProcessBridge, startInProcess } from '../testing/in-process.js';

let bridge: InProcessBridge;

beforeAll(async () => {
  bridge = await startInProcess();
});
afterAll(() => bridge?.close());

describe('the model delete rule', () => {
  it('refuses to delete a model version a stage serves, naming the stage, and deletes it once nothing does', async () => {
    const { model, artifact } = await createEchoModel(bridge, 'served');

    // a stage serving it, written as the endpoint service records one (deploying a worker adds nothing here)
    const store = new Store(join(bridge.home, 'emkit.db'));
    const stage = store.tx(() => {
      const endpoint = store.endpoints.insert({ name: 'api', description: '', apiKeyHash: null, tags: {} });
      return store.endpoints.insertStage(endpoint.id, {
        name: 'prod',
        description: '',
        instanceCount: 1,
        resourcePath: artifact,
        python: 'python3',
        modelId: model.id,
        clusterId: null,
        autoscaling: null,
      });
    });
    try {
      const refused = await bridge.call<{ error: { code: string; message: string } }>('DELETE', `/api/v1/models/${model.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toBe(
        'model "served" version 1 is served by stage "prod" of endpoint "api"; delete that stage or endpoint first',
      );
      expect((await bridge.call('GET', `/api/v1/models/${model.id}`)).status).toBe(200);

      store.tx(() => store.endpoints.deleteStage(stage.id));
      expect((await bridge.call('DELETE', `/api/v1/models/${model.id}`)).status).toBe(204);
      expect((await bridge.call('GET', `/api/v1/models/${model.id}`)).status).toBe(404);
    } finally {
      store.close();
    }
  });
});
