import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, EmkitClient } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayClient } from '../../server-bridge/src/clusters/ray-client.js';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeStage, IRIS_ROWS, infer, writeIrisClassifier } from '../support/endpoints.js';
import { hasProc } from '../support/processes.js';
import { pythonHas, venvPython } from '../support/trainings.js';

// A stage on a real (one-node) Ray cluster deactivated and activated: deactivate takes its
// Serve application off the cluster, activate deploys it again.
const hasRay = hasProc && pythonHas(venvPython, 'ray', 'sklearn', 'joblib');
const reason = hasRay ? '' : ' (SKIPPED: ray or scikit-learn is not installed in .venv — `npm run setup` installs them)';

let bridge: TestBridge;
let client: EmkitClient;
let cluster: Cluster;
let work: string;

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-ray-lifecycle-');
  bridge = await startBridge({ args: ['--python', venvPython, '--cluster-poll', '0.5'] });
  client = bridge.client;
  const up = await emkitCli(
    bridge,
    '--json',
    'cluster',
    'up',
    'rl',
    '--nodes',
    '1',
    '--cpus-per-node',
    '1',
    '--memory-mb',
    '512',
  );
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  cluster = JSON.parse(up.stdout) as Cluster;
  writeIrisClassifier(join(work, 'iris'));
  await client.api.createModel({ body: { name: 'iris', artifactPath: join(work, 'iris') } });
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  await client.api.deleteEndpoint({ params: { id: 'iris-rl' } }).catch(() => {});
  await client.api.deleteCluster({ params: { id: 'rl' } }).catch(() => {});
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
}, 120_000);

describe('the lifecycle of a stage on a Ray cluster', () => {
  it.skipIf(!hasRay)(
    `deactivate takes its Serve application off the cluster, activate deploys it again${reason}`,
    async () => {
      await client.api.createEndpoint({ body: { name: 'iris-rl', model: 'iris', stage: 'ray', cluster: 'rl' } });
      const stage = await activeStage(client, 'iris-rl', 'ray', 240_000);
      const app = `emkit-${stage.id}`;
      const expected = (await infer(bridge, '/inference/iris-rl', { instances: IRIS_ROWS })).body.predictions;
      expect(expected).toHaveLength(IRIS_ROWS.length);
      const ray = new RayClient({
        address: cluster.address,
        token: readFileSync(join(bridge.home, 'clusters', cluster.id, 'token'), 'utf8').trim(),
      });
      expect((await ray.serveApplications()).applications[app]?.status).toBe('RUNNING');

      const stopped = await client.api.deactivateEndpointStage({ params: { id: 'iris-rl', stage: 'ray' } });
      expect(stopped.state).toBe('INACTIVE');
      // Serve deletes an application behind the PUT's answer
      await waitFor(async () => !(await ray.serveApplications()).applications[app], 60_000, 'Serve to delete the application');
      const refused = await infer(bridge, '/inference/iris-rl', { instances: IRIS_ROWS });
      expect([refused.status, refused.body.error?.code]).toEqual([503, 'not_ready']);
      expect(refused.body.error?.message).toMatch(/INACTIVE/);

      const started = await client.api.activateEndpointStage({ params: { id: 'iris-rl', stage: 'ray' } });
      expect(started.state).toBe('DEPLOY IN PROGRESS');
      await activeStage(client, 'iris-rl', 'ray', 240_000);
      expect((await ray.serveApplications()).applications[app]?.status).toBe('RUNNING');
      const answer = await infer(bridge, '/inference/iris-rl', { instances: IRIS_ROWS });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.predictions).toEqual(expected);
    },
    600_000,
  );
});
