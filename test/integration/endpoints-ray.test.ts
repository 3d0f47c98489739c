import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, EmkitClient } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayClient } from '../../server-bridge/src/clusters/ray-client.js';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import {
  activeEndpoint,
  activeStage,
  type InferenceAnswer,
  IRIS_ROWS,
  infer,
  writeIrisClassifier,
} from '../support/endpoints.js';
import { hasProc, processTree } from '../support/processes.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, venvPython } from '../support/trainings.js';

// Stages on one real two-node Ray cluster for the whole file, started as a user starts one
// (`emkit cluster up`, each node its own `ray start`, 1 CPU each): a scikit-learn model as a
// Ray Serve application with two replicas, behind the same gateway as local stages.
const hasRay = hasProc && pythonHas(venvPython, 'ray', 'sklearn', 'joblib');
const reason = hasRay ? '' : ' (SKIPPED: ray or scikit-learn is not installed in .venv — `npm run setup` installs them)';

let bridge: TestBridge;
let client: EmkitClient;
let cluster: Cluster;
let work: string;
let expected: number[];
let apiKey: string;

/** The CLI against this suite's bridge. */
const emkit = (...args: string[]) => emkitCli(bridge, ...args);

/** Callers that each send one request after another until stopped, as the resilience tests do. */
function load(path: string, callers: number, headers: Record<string, string> = {}) {
  const answers: (InferenceAnswer & { sentAt: number })[] = [];
  let running = true;
  const loops = Array.from({ length: callers }, async (_, caller) => {
    while (running) {
      const sentAt = Date.now();
      const row = IRIS_ROWS[caller % IRIS_ROWS.length] as number[];
      const answer = await infer(bridge, path, { instances: [row] }, { timeoutMs: 20_000, headers }).catch(
        (error: Error): InferenceAnswer => ({
          status: 0,
          body: { error: { code: 'client', message: error.message } },
          inferenceId: null,
          ms: 0,
        }),
      );
      answers.push({ ...answer, sentAt });
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** The IPv4 (dotted) and IPv6 (hex) addresses something listens on at `port`, from /proc/net. */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, hexPort] = (local ?? '').split(':');
      if (!address || !hexPort || state !== '0A' || Number.parseInt(hexPort, 16) !== port) continue;
      const bytes = address.length === 8 ? (address.match(/../g) as string[]) : [];
      found.push(
        bytes.length === 4
          ? bytes
              .map((b) => Number.parseInt(b, 16))
              .reverse()
              .join('.')
          : address,
      );
    }
  }
  return found;
}

/** The watcher of the head node: the leader of the head's process group. */
function headWatcher(c: Cluster): number {
  const port = new URL(c.address).port;
  for (const pid of processTree(`--dashboard-port=${port}`)) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (cmdline.includes('emkit.ray_node')) return pid;
  }
  throw new Error(`no head node of ${c.address} is running`);
}

// usage rounds every second: the replicas' own samples, pushed from their nodes, show in a test's time
const BRIDGE_ARGS = ['--python', venvPython, '--cluster-poll', '0.5', '--max-inference-mb', '1', '--usage-interval', '1'];

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-ray-stages-');
  bridge = await startBridge({ args: BRIDGE_ARGS });
  client = bridge.client;
  const up = await emkit('--json', 'cluster', 'up', 'rs', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  cluster = JSON.parse(up.stdout) as Cluster;
  expected = writeIrisClassifier(join(work, 'iris')).predictions;
  await client.api.createModel({ body: { name: 'iris', artifactPath: join(work, 'iris') } });
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  // the endpoint first (its stage is on the cluster), then the cluster's nodes, then the bridge
  await client.api.deleteEndpoint({ params: { id: 'iris' } }).catch(() => {});
  await client.api.deleteCluster({ params: { id: 'rs' } }).catch(() => {});
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
}, 120_000);

describe('stages on a real two-node Ray cluster', () => {
  it.skipIf(!hasRay)(
    `a scikit-learn model as a Ray Serve stage with 2 replicas answers through the gateway as the model itself does${reason}`,
    async () => {
      expect(cluster.state).toBe('REACHABLE');
      expect(cluster.serveAddress).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const created = await client.api.createEndpoint({ body: { name: 'iris', model: 'iris', stage: 'here', apiKey: true } });
      apiKey = created.apiKey as string;
      await activeEndpoint(client, 'iris');
      expect(created.stages[0]?.cluster).toBeNull();

      const added = await emkit(
        '--json',
        'endpoint',
        'stage',
        'add',
        'iris',
        'ray',
        '--model',
        'iris',
        '--cluster',
        'rs',
        '--instances',
        '2',
      );
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.parse(added.stdout)).toMatchObject({ name: 'ray', cluster: 'rs', instanceCount: 2, autoscaling: null });
      const stage = await activeStage(client, 'iris', 'ray', 240_000);
      expect(stage.instances.map((i) => i.state)).toEqual(['READY', 'READY']);

      // the same contract as a local stage: the model's own predictions, an inference id, the key
      const answer = await infer(bridge, '/inference/iris/ray', { instances: IRIS_ROWS });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.predictions).toEqual(expected);
      expect(answer.inferenceId).toMatch(/^[0-9a-f-]{36}$/);
      const here = await infer(bridge, '/inference/iris/here', { instances: IRIS_ROWS });
      expect(here.body.predictions).toEqual(answer.body.predictions);
      const byKey = await fetch(`${bridge.url}/inference/iris/ray`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ instances: IRIS_ROWS }),
      });
      expect(byKey.status).toBe(200);
      const noAuth = await fetch(`${bridge.url}/inference/iris/ray`, { method: 'POST', body: '{"instances":[]}' });
      expect(noAuth.status).toBe(401);
      // Serve's own proxy (README: Serve's proxy is behind neither emkit's auth nor Ray's): on a
      // local cluster it listens on the head's loopback address alone, and answers without a token
      const proxy = new URL(cluster.serveAddress as string);
      expect(listeners(Number(proxy.port))).toEqual(['127.0.0.2']);
      const direct = await fetch(`${proxy.origin}/emkit-${stage.id}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ instances: IRIS_ROWS }),
      });
      expect([direct.status, ((await direct.json()) as { predictions: number[] }).predictions]).toEqual([200, expected]);

      // the model's refusal passes through as the local worker's would; too large never leaves the bridge
      const bad = await infer(bridge, '/inference/iris/ray', null, { raw: 'not json' });
      expect([bad.status, bad.body.error?.code]).toEqual([400, 'bad_request']);
      const huge = await infer(bridge, '/inference/iris/ray', null, { raw: `{"instances":[${'1,'.repeat(600_000)}1]}` });
      expect(huge.status).toBe(413);

      // counted and logged like any stage
      const logs = await client.api.getEndpointLogs({ params: { id: 'iris' }, query: { stage: 'ray' } });
      expect(
        logs.items.some((l) => l.inferenceId === answer.inferenceId && l.action === 'Inference.Response' && l.status === 200),
      ).toBe(true);
      // three calls reached the stage (the model's answer, the key's, the bad body); 401 and 413 never did
      const stats = await client.api.getEndpointStats({ params: { id: 'iris' }, query: { stage: 'ray' } });
      expect(stats.minutes.reduce((n, m) => n + m.count, 0)).toBe(3);
      expect(stats.minutes.every((m) => m.stage === 'ray')).toBe(true);

      // a stage on a cluster that doesn't exist, or bounds the wrong way round: refused, nothing kept
      const missing = await refusal(
        client.api.createEndpointStage({ params: { id: 'iris' }, body: { name: 'nope', model: 'iris', cluster: 'absent' } }),
      );
      expect(missing.status).toBe(404);
      const bounds = await refusal(
        client.api.createEndpointStage({
          params: { id: 'iris' },
          body: { name: 'nope', model: 'iris', cluster: 'rs', autoscaling: { minReplicas: 3, maxReplicas: 1 } },
        }),
      );
      expect([bounds.status, bounds.field]).toEqual([400, 'autoscaling']);
      const local = await refusal(
        client.api.createEndpointStage({
          params: { id: 'iris' },
          body: { name: 'nope', model: 'iris', autoscaling: { minReplicas: 1, maxReplicas: 2 } },
        }),
      );
      expect([local.status, local.field]).toEqual([400, 'autoscaling']);
      expect((await client.api.getEndpoint({ params: { id: 'iris' } })).stages.map((s) => s.name)).toEqual(['here', 'ray']);
      // a second stage on the same cluster, autoscaled: Serve gets both applications in its config,
      // and deleting one PUTs the other unchanged (still RUNNING, still answering)
      await client.api.createEndpointStage({
        params: { id: 'iris' },
        body: { name: 'auto', model: 'iris', cluster: 'rs', autoscaling: { minReplicas: 1, maxReplicas: 2 } },
      });
      const auto = await activeStage(client, 'iris', 'auto', 240_000);
      expect(auto.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 2 });
      expect((await infer(bridge, '/inference/iris/auto', { instances: IRIS_ROWS })).body.predictions).toEqual(expected);
      const ray = new RayClient({
        address: cluster.address,
        token: readFileSync(join(bridge.home, 'clusters', cluster.id, 'token'), 'utf8').trim(),
      });
      const both = await ray.serveApplications();
      expect(Object.keys(both.applications).sort()).toEqual([`emkit-${auto.id}`, `emkit-${stage.id}`].sort());
      await client.api.deleteEndpointStage({ params: { id: 'iris', stage: 'auto' } });
      // Serve deletes an application behind the PUT's answer
      const left = await waitFor(
        async () => {
          const details = await ray.serveApplications();
          return !details.applications[`emkit-${auto.id}`] && details;
        },
        60_000,
        "Serve to delete the autoscaled stage's application",
      );
      expect(Object.keys(left.applications)).toEqual([`emkit-${stage.id}`]);
      expect(left.applications[`emkit-${stage.id}`]?.status).toBe('RUNNING');
      expect((await infer(bridge, '/inference/iris/ray', { instances: IRIS_ROWS })).status).toBe(200);

      // a cluster with a stage on it can't be removed from under it
      expect((await refusal(client.api.deleteCluster({ params: { id: 'rs' } }))).status).toBe(409);
    },
    300_000,
  );

  it.skipIf(!hasRay)(
    `the default switches from the local stage to the Ray stage under load with no failed request${reason}`,
    async () => {
      const traffic = load('/inference/iris', 4);
      await waitFor(async () => traffic.answers.length >= 40, 20_000, 'traffic on the local stage');
      const switched = await client.api.setDefaultStage({ params: { id: 'iris' }, body: { stage: 'ray' } });
      const switchedAt = Date.now();
      expect(switched.defaultStage).toBe('ray');
      await waitFor(async () => traffic.answers.filter((a) => a.sentAt > switchedAt).length >= 40, 30_000, 'traffic on ray');
      const answers = await traffic.stop();
      const failed = answers.filter((a) => a.status !== 200);
      expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
      process.stderr.write(`[ray stages] ${answers.length} requests across the switch, none failed\n`);

      const settled = await waitFor(
        async () => {
          const endpoint = await client.api.getEndpoint({ params: { id: 'iris' } });
          return endpoint.stages.length === 1 && endpoint.state === 'ACTIVE' && endpoint;
        },
        30_000,
        'the local stage to be released',
      );
      expect(settled.stages.map((s) => [s.name, s.default, s.cluster])).toEqual([['ray', true, 'rs']]);
      const stats = await client.api.getEndpointStats({ params: { id: 'iris' } });
      expect(new Set(stats.minutes.map((m) => m.stage))).toEqual(new Set(['auto', 'here', 'ray']));
    },
  );

  it.skipIf(!hasRay)(
    `the Ray stage's replicas sample themselves on their nodes; one over the stage's memory limit is replaced${reason}`,
    async () => {
      // each replica pushes its own process's usage (this machine's sidecar can't see the nodes): a series per replica
      const replicaSeries = async () =>
        (await client.api.getEndpointResources({ params: { id: 'iris' }, query: { stage: 'ray' } })).processes.filter(
          (p) => p.process.startsWith('replica ') && p.samples.length > 0,
        );
      const first = await waitFor(
        async () => {
          const series = await replicaSeries();
          return series.length >= 2 && series;
        },
        60_000,
        "the replicas' usage",
      );
      const stage = await client.api.getEndpointStage({ params: { id: 'iris', stage: 'ray' } });
      const ray = new RayClient({
        address: cluster.address,
        token: readFileSync(join(bridge.home, 'clusters', cluster.id, 'token'), 'utf8').trim(),
      });
      const replicas = Object.values(
        (await ray.serveApplications()).applications[`emkit-${stage.id}`]?.deployments ?? {},
      ).flatMap((d) => d.replicas ?? []);
      // named by Serve's replica ids, with the pid of the replica's own process on its node
      expect(first.map((p) => p.process).sort()).toEqual(replicas.map((r) => `replica ${r.replica_id}`).sort());
      for (const series of first) {
        expect([series.kind, series.stage]).toEqual(['worker', 'ray']);
        expect(series.pid).toBe(replicas.find((r) => `replica ${r.replica_id}` === series.process)?.pid);
        const last = series.samples.at(-1);
        expect(last?.memoryMb).toBeGreaterThan(50); // a Python with scikit-learn and the model loaded
        expect(last?.threads).toBeGreaterThan(1);
      }

      // the push route takes the stage's own credential (not the bridge's token), for a replica Serve lists now
      const endpoint = await client.api.getEndpoint({ params: { id: 'iris' } });
      const own = createHmac('sha256', bridge.token).update(`serve-replica-usage:${stage.id}`).digest('hex');
      const sample = JSON.stringify({
        pid: 1,
        cpuPercent: 1,
        memoryMb: 1,
        threads: 1,
        openFiles: 0,
        gpuPercent: null,
        gpuMemoryMb: null,
      });
      const push = (replica: string, token: string) =>
        fetch(`${bridge.url}/api/v1/endpoints/${endpoint.id}/stages/ray/push/usage/${replica}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: sample,
        });
      const known = replicas[0]?.replica_id as string;
      expect((await push(known, bridge.token)).status).toBe(401);
      const unknown = await push('not-a-replica', own);
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { error: { field: string } }).error.field).toBe('replica');

      // a limit under what a replica holds: the stage's log says so, Serve's check fails it and a new replica takes over
      await client.api.updateEndpointStage({ params: { id: 'iris', stage: 'ray' }, body: { memoryLimitMb: 64 } });
      const said = await waitFor(
        async () =>
          (await client.api.getEndpointLogs({ params: { id: 'iris' }, query: { stage: 'ray' } })).items.find(
            (l) => l.action === 'Stage.Worker',
          ),
        60_000,
        "the stage's log to say a replica went over its limit",
      );
      expect(said.body).toMatch(
        /^replica \S+ went over the stage's memory limit of 64 MB \(rss \d+ MB\): Ray Serve replaces it$/,
      );
      const before = new Set(replicas.map((r) => r.replica_id));
      await waitFor(
        async () => {
          const now = Object.values((await ray.serveApplications()).applications[`emkit-${stage.id}`]?.deployments ?? {});
          return now.flatMap((d) => d.replicas ?? []).some((r) => !before.has(r.replica_id));
        },
        120_000,
        'Serve to start a replica in place of one over the limit',
      );
      // the limit lifted: the replicas are told with no redeploy, and the stage serves on
      await client.api.updateEndpointStage({ params: { id: 'iris', stage: 'ray' }, body: { memoryLimitMb: null } });
      await waitFor(
        async () => {
          const s = await client.api.getEndpointStage({ params: { id: 'iris', stage: 'ray' } });
          const answer = await infer(bridge, '/inference/iris/ray', { instances: IRIS_ROWS }, { timeoutMs: 10_000 });
          return s.state === 'ACTIVE' && s.instances.every((i) => i.state === 'READY') && answer.status === 200;
        },
        180_000,
        'the stage to serve again with the limit lifted',
      );
    },
    400_000,
  );

  it.skipIf(!hasRay)(`the cluster's head stopped: requests to its stage answer 503 at once${reason}`, async () => {
    process.kill(-headWatcher(cluster), 'SIGKILL');
    await waitFor(
      async () => (await client.api.getCluster({ params: { id: 'rs' } })).state === 'UNREACHABLE',
      20_000,
      'the cluster to show UNREACHABLE',
    );
    for (const path of ['/inference/iris', '/inference/iris/ray']) {
      const answer = await infer(bridge, path, { instances: IRIS_ROWS }, { timeoutMs: 5_000 });
      expect([answer.status, answer.body.error?.code]).toEqual([503, 'not_ready']);
      expect(answer.body.error?.message).toContain('its Ray cluster is UNREACHABLE');
      expect(answer.inferenceId).toBeTruthy();
    }
    // the bridge goes on serving everything else
    expect((await fetch(`${bridge.url}/api/v1/health`)).ok).toBe(true);
  });

  it.skipIf(!hasRay)(
    `a restarted bridge whose local cluster stopped with it says so on the stage, DEPLOY FAILED, and answers 503${reason}`,
    async () => {
      await bridge.stop();
      bridge = await startBridge({ home: bridge.home, args: BRIDGE_ARGS });
      client = bridge.client;
      const stage = await waitFor(
        async () => {
          const s = await client.api.getEndpointStage({ params: { id: 'iris', stage: 'ray' } });
          return s.state === 'DEPLOY FAILED' && s;
        },
        30_000,
        'the stage on the stopped cluster to be DEPLOY FAILED',
      );
      expect(stage.stateReason).toContain('its Ray cluster "rs" is STOPPED');
      const answer = await infer(bridge, '/inference/iris', { instances: IRIS_ROWS }, { timeoutMs: 5_000 });
      expect(answer.status).toBe(503);
    },
    60_000,
  );
});
