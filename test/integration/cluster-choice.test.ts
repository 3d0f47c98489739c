// The editors' "This machine" choice against a real bridge whose default cluster is one it can't
// reach: `cluster: null` says this machine outright, for trainings and stages, where leaving
// the field out means the default cluster. No Ray is needed: the default is an address nothing
// answers on.
import { join } from 'node:path';
import { ApiError, type Cluster } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, writeCustomModel } from '../support/endpoints.js';
import { settledTraining, writeTree } from '../support/trainings.js';

let bridge: TestBridge;
let work: string;

async function refusal(call: () => Promise<unknown>): Promise<ApiError> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  work = tempDir('emkit-cluster-choice-');
  bridge = await startBridge({ args: ['--cluster-poll', '0.5'] });
  const { client } = bridge;
  await client.api.createCluster({ body: { name: 'away', address: 'http://127.0.0.2:9' } });
  await waitFor(
    async () => (await client.api.getCluster({ params: { id: 'away' } })).state === 'UNREACHABLE',
    30_000,
    'the cluster to be UNREACHABLE',
  );
  const made = (await client.api.updateCluster({ params: { id: 'away' }, body: { default: true } })) as Cluster;
  expect(made.isDefault).toBe(true);
});

afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('"This machine" while the default cluster is unreachable', () => {
  it('a training left to the default is refused; one with cluster null runs here to COMPLETE', async () => {
    const { client } = bridge;
    const source = writeTree(join(work, 'train'), { 'train.py': 'print("ran here")\n' });
    const toDefault = await refusal(() => client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } }));
    expect(toDefault.status).toBe(409);
    expect(toDefault.message).toContain('"away" is UNREACHABLE');

    const here = await client.api.createTraining({ body: { source: { path: join(source, 'train.py') }, cluster: null } });
    expect(here).toMatchObject({ cluster: null, placement: [] });
    expect((await settledTraining(client, here.id)).state).toBe('COMPLETE');
  });

  it('a stage left to the default is refused; one with cluster null serves here; autoscaling here is 400', async () => {
    const { client } = bridge;
    await client.api.createModel({ body: { name: 'echo', artifactPath: writeCustomModel(join(work, 'echo'), 'here') } });
    const toDefault = await refusal(() => client.api.createEndpoint({ body: { name: 'echo-api', model: 'echo:1' } }));
    expect(toDefault.status).toBe(409);

    const scaledHere = await refusal(() =>
      client.api.createEndpoint({
        body: { name: 'echo-api', model: 'echo:1', cluster: null, autoscaling: { minReplicas: 1, maxReplicas: 2 } },
      }),
    );
    expect([scaledHere.status, scaledHere.field]).toEqual([400, 'autoscaling']);

    await client.api.createEndpoint({ body: { name: 'echo-api', model: 'echo:1', cluster: null } });
    const endpoint = await activeEndpoint(client, 'echo-api');
    expect(endpoint.stages[0]).toMatchObject({ cluster: null, autoscaling: null });
    expect((await client.api.listEndpoints({ query: {} })).items.map((e) => e.name)).toEqual(['echo-api']);
  });
});
