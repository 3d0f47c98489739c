import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, EndpointStage } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayClient } from '../../server-bridge/src/clusters/ray-client.js';
import { emkitCli as emkit, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeStage, IRIS_ROWS, infer, writeIrisClassifier } from '../support/endpoints.js';
import { hasProc } from '../support/processes.js';
import { refusal } from '../support/refusal.js';
import { fullLog, pythonHas, settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// A cluster started by a bridge ends with that bridge, so the cluster here belongs to a second
// bridge (the owner) and the bridge under test adds it by address and token (and its Serve
// port), as a user adds a cluster that runs elsewhere — then is killed with `kill -9` while a
// training and two Ray Serve stages run there, and restarted.
const hasRay = hasProc && pythonHas(venvPython, 'ray', 'sklearn', 'joblib');
const reason = hasRay ? '' : ' (SKIPPED: ray or scikit-learn is not installed in .venv — `npm run setup` installs them)';

let owner: TestBridge;
let bridge: TestBridge;
let cluster: Cluster;
let ray: RayClient;
let work: string;

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-cluster-restart-');
  owner = await startBridge();
  const up = await emkit(owner, '--json', 'cluster', 'up', 'owned', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  const owned = JSON.parse(up.stdout) as Cluster;
  const token = readFileSync(join(owner.home, 'clusters', owned.id, 'token'), 'utf8').trim();
  ray = new RayClient({ address: owned.address, token });
  bridge = await startBridge({ args: ['--cluster-poll', '0.5'] });
  const servePort = Number(new URL(owned.serveAddress as string).port);
  cluster = await bridge.client.api.createCluster({ body: { name: 'elsewhere', address: owned.address, token, servePort } });
  await waitFor(
    async () => (await bridge.client.api.getCluster({ params: { id: cluster.name } })).state === 'REACHABLE',
    60_000,
    'the added cluster to be REACHABLE',
  );
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  // the stages' applications off the cluster before it goes (the bridge under test didn't start it)
  await bridge?.client.api.deleteEndpoint({ params: { id: 'iris' } }).catch(() => {});
  await bridge?.stop();
  await owner?.client.api.deleteCluster({ params: { id: 'owned' } }).catch(() => {});
  await owner?.stop();
  for (const dir of [bridge?.home, owner?.home, work]) removeDir(dir ?? '');
}, 60_000);

/** Each stage's application and its replicas' pids, as Serve itself says. */
async function serveSide(stages: EndpointStage[]): Promise<Record<string, { status: string; pids: number[] }>> {
  const details = await ray.serveApplications();
  return Object.fromEntries(
    Object.entries(details.applications).map(([name, app]) => [
      stages.find((s) => `emkit-${s.id}` === name)?.name ?? name,
      {
        status: app.status,
        pids: Object.values(app.deployments ?? {})
          .flatMap((d) => d.replicas ?? [])
          .map((r) => r.pid ?? 0)
          .sort(),
      },
    ]),
  );
}

describe('a cluster training, stages on Ray Serve, and a bridge killed with kill -9', () => {
  it.skipIf(!hasRay)(
    `the training ends COMPLETE with its full log and model, the stages serve on untouched, the cluster can't be removed meanwhile${reason}`,
    async () => {
      const { client } = bridge;
      // the training first: its rank holds a whole CPU of one node, the stages' replicas (0.1 CPU each) go beside it.
      // It waits after line 2 until the test opens its gate (a file: the nodes share this host), so it is
      // still running when the bridge is killed, however long the stages take to deploy.
      const gate = join(work, 'gate');
      const source = writeTree(join(work, 'steady'), {
        'steady.py': [
          'import os, time',
          'for i in range(16):',
          '    print("line", i, flush=True)',
          '    while i == 2 and not os.path.exists(os.environ["EM_HP_GATE"]):',
          '        time.sleep(0.2)',
          '    time.sleep(0.5)',
          'open(os.path.join(os.environ["EM_MODEL_DIR"], "weights.txt"), "w").write("trained\\n")',
          '',
        ].join('\n'),
      });
      const submitted = await client.api.createTraining({
        body: { source: { path: join(source, 'steady.py') }, cluster: cluster.name, hyperparameters: { gate } },
      });
      await trainingInState(client, submitted.id, 'RUNNING', 180_000);
      await waitFor(async () => (await fullLog(client, submitted.id)).includes('line 2'), 60_000, 'line 2');

      const expected = writeIrisClassifier(join(work, 'iris')).predictions;
      await client.api.createModel({ body: { name: 'iris', artifactPath: join(work, 'iris') } });
      await client.api.createEndpoint({ body: { name: 'iris', model: 'iris', stage: 'a', cluster: cluster.name } });
      await client.api.createEndpointStage({ params: { id: 'iris' }, body: { name: 'b', model: 'iris', cluster: cluster.name } });
      const stages = [await activeStage(client, 'iris', 'a', 240_000), await activeStage(client, 'iris', 'b', 240_000)];
      const before = await serveSide(stages);
      expect(Object.keys(before).sort()).toEqual(['a', 'b']);

      // a cluster in use can't be removed: 409 naming what runs there, by the API and the CLI; nothing changes
      const refused = await refusal(client.api.deleteCluster({ params: { id: cluster.name } }));
      expect([refused.status, refused.code]).toEqual([409, 'conflict']);
      expect(refused.message).toContain(`the training ${submitted.name} (stop them first)`);
      expect(refused.message).toContain('the stages iris/a, iris/b (delete them first)');
      const removed = await emkit(bridge, 'cluster', 'remove', cluster.name);
      expect(removed.code).not.toBe(0);
      expect(removed.stderr).toContain(`cluster "elsewhere" still runs the training ${submitted.name}`);
      expect((await client.api.getCluster({ params: { id: cluster.name } })).state).toBe('REACHABLE');
      expect((await client.api.getTraining({ params: { id: submitted.id } })).state).toBe('RUNNING');

      const { home, port } = bridge;
      await bridge.kill9();
      bridge = await startBridge({ home, port, args: ['--cluster-poll', '0.5'] });
      writeFileSync(gate, '');
      const done = await settledTraining(bridge.client, submitted.id, 180_000);
      const log = await fullLog(bridge.client, submitted.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      // the full log: emkit's line saying where it runs, then every line of the user code, none twice
      expect(log).toBe(
        `[emkit] runtime env: the nodes' own Python\n${Array.from({ length: 16 }, (_, i) => `line ${i}\n`).join('')}`,
      );
      expect(existsSync(join(done.dir, 'model', 'weights.txt'))).toBe(true);

      // the stages: ACTIVE again, answering through the gateway as before, on the same replicas
      // (Serve's config neither lost nor doubled by the stages coming back one after the other)
      for (const name of ['a', 'b']) {
        const stage = await activeStage(bridge.client, 'iris', name, 120_000);
        expect(stage.instances.map((i) => i.state)).toEqual(['READY']);
        const answer = await infer(bridge, `/inference/iris/${name}`, { instances: IRIS_ROWS });
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body.predictions).toEqual(expected);
      }
      expect(await serveSide(stages)).toEqual(before);
    },
    480_000,
  );
});
