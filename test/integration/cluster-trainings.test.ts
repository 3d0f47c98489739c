import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { ApiError, type Cluster, type EmkitClient, type LogStreamMessage, type Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  freePorts,
  type LocalClusterPorts,
  nodeArguments,
  rayBinary,
  spawnNode,
} from '../../server-bridge/src/clusters/local-cluster.js';
import { RayClient } from '../../server-bridge/src/clusters/ray-client.js';
import { packageFolder } from '../../server-bridge/src/clusters/ray-package.js';
import { emkitCli, removeDir, repoRoot, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { hasProc, processTree } from '../support/processes.js';
import { fullLog, notebook, pythonHas, settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// Trainings on one real two-node Ray cluster (1 CPU a node), started once for the file with
// `emkit cluster up` through a real bridge, as a user starts one.
const hasRay = hasProc && pythonHas(venvPython, 'ray');
const hasTorch = hasRay && pythonHas(venvPython, 'torch');
const reason = hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)';
const torchReason = hasTorch ? '' : ' (SKIPPED: torch is not installed in .venv)';

let bridge: TestBridge;
let client: EmkitClient;
let cluster: Cluster;
let work: string;
/** the watcher of the node this file adds to its cluster, in place of one it lost */
let addedNode: number | undefined;

/** The CLI against this suite's bridge. */
const emkit = (...args: string[]) => emkitCli(bridge, ...args);

/** Every file under a folder, relative, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

const EASYMAKER = `
import json, os, sys, time
from emkit.tracking import SummaryWriter

print("argv", json.dumps(sys.argv[1:]), flush=True)
contract = {k: v for k, v in os.environ.items() if k.startswith("EM_")}
print("contract", json.dumps(contract, sort_keys=True), flush=True)
print("node", os.environ.get("EMKIT_NODE"), "private", "EMKIT_PUSH_TOKEN" in os.environ, flush=True)
writer = SummaryWriter()
for step in range(3):
    writer.add_scalar("loss", 1.0 / (step + 1), step)
writer.close()
import joblib
from sklearn.linear_model import LinearRegression
joblib.dump(LinearRegression().fit([[0], [1], [2]], [0, 2, 4]), os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))
with open(os.path.join(os.environ["EM_MODEL_DIR"], "params.json"), "w") as f:
    json.dump({"lr": os.environ["EM_HP_LEARNING_RATE"]}, f)
os.makedirs(os.path.join(os.environ["EM_CHECKPOINT_DIR"], "epoch-1"), exist_ok=True)
with open(os.path.join(os.environ["EM_CHECKPOINT_DIR"], "epoch-1", "state.txt"), "w") as f:
    f.write("step 3\\n")
print("done", flush=True)
`;

const ALL_REDUCE = `
import os, socket
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
rank = dist.get_rank()
value = torch.tensor([float(rank + 1)])
dist.all_reduce(value)
print(f"rank {rank} of {dist.get_world_size()} on {os.environ['EMKIT_NODE']} master {os.environ['MASTER_ADDR']} sum {value.item()}", flush=True)
dist.destroy_process_group()
`;

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-cluster-trainings-');
  // usage rounds every second: a rank's usage, pushed from its node, shows in a test's time
  bridge = await startBridge({ args: ['--cluster-poll', '0.5', '--usage-interval', '1'] });
  client = bridge.client;
  const up = await emkit('--json', 'cluster', 'up', 'rt', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  cluster = JSON.parse(up.stdout) as Cluster;
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  if (addedNode !== undefined) {
    try {
      process.kill(-addedNode, 'SIGKILL');
    } catch {
      // gone with the test that took it away
    }
  }
  await client.api.deleteCluster({ params: { id: 'rt' } }).catch(() => {});
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
}, 60_000);

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');

/** The watcher of this file's cluster's head node, found by its dashboard port. */
function headWatcher(): number | undefined {
  const port = new URL(cluster.address).port;
  return processTree(`--dashboard-port=${port}`).find((pid) => cmdline(pid).includes('emkit.ray_node'));
}

/**
 * The watcher of this file's cluster's second node (the leader of that node's process group),
 * found by the cluster's own temp dir, so no other cluster on the machine is touched.
 */
function workerWatcher(): number | undefined {
  const head = headWatcher();
  const headTemp = head === undefined ? undefined : cmdline(head).find((a) => a.startsWith('--temp-dir='));
  if (!headTemp) return undefined;
  const worker = `${dirname(headTemp)}/n1`;
  return processTree(worker).find((pid) => cmdline(pid).includes('emkit.ray_node') && cmdline(pid).includes(worker));
}

/**
 * A third node joins the cluster (127.0.0.4), as `emkit cluster up` starts its others, with
 * the cluster's token: what an operator does after losing one. Its watcher leads its group.
 */
async function addNode(): Promise<number> {
  const head = headWatcher();
  if (head === undefined) throw new Error("the cluster's head is not running");
  const arg = (name: string) =>
    cmdline(head)
      .find((a) => a.startsWith(`${name}=`))
      ?.slice(name.length + 1) as string;
  const [agentHttp, agentGrpc, metrics, runtimeEnv] = await freePorts(4);
  const node = { agentHttp, agentGrpc, metrics, runtimeEnv } as LocalClusterPorts['nodes'][number];
  const ports: LocalClusterPorts = { gcs: Number(arg('--port')), dashboard: 0, client: 0, serve: 0, nodes: [node, node, node] };
  const child = spawnNode({
    ray: rayBinary(venvPython) as string,
    args: nodeArguments(2, { nodes: 3, cpusPerNode: 1, memoryMbPerNode: 512 }, ports, dirname(arg('--temp-dir'))),
    tokenFile: join(bridge.home, 'clusters', cluster.id, 'token'),
    emkitImportPath: join(repoRoot, 'server-bridge', 'python', 'src'),
    logFile: join(work, 'node-2.log'),
  });
  if (child.pid === undefined) throw new Error('the third node could not start');
  return child.pid;
}

/** A push as a node sends it: raw bytes, with the credential given (if any). */
function push(training: Training, path: string, body: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      'content-type': path.startsWith('usage/') ? 'application/json' : 'application/octet-stream',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    // the path as given (no URL object, which would resolve "..")
    const address = new URL(bridge.url);
    const req = request(
      {
        host: address.hostname,
        port: address.port,
        path: `/api/v1/trainings/${training.id}/push/${path}`,
        method: path.startsWith('files/') ? 'PUT' : 'POST',
        headers,
        agent: false,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Only the training's own credential pushes, and only inside its folders. */
async function checkPushCredential(training: Training): Promise<void> {
  const own = readFileSync(join(training.dir, 'push-token'), 'utf8').trim();
  expect(statSync(join(training.dir, 'push-token')).mode & 0o777).toBe(0o600);
  expect(await push(training, 'logs/0', 'forged\n')).toBe(401);
  expect(await push(training, 'logs/0', 'forged\n', bridge.token)).toBe(401);
  expect(await push(training, 'logs/0', 'forged\n', 'f'.repeat(64))).toBe(401);
  expect(await push(training, 'files/model/..%2F..%2Fescaped.txt', 'x', own)).toBe(400);
  expect(await push(training, 'files/model/a/%2E%2E/%2E%2E/%2E%2E/escaped.txt', 'x', own)).toBe(400);
  expect(await push(training, 'files/elsewhere/a.txt', 'x', own)).toBe(400);
  expect(await push(training, 'logs/7', 'x', own)).toBe(400);
  const usage = JSON.stringify({
    pid: 1,
    cpuPercent: 1,
    memoryMb: 1,
    threads: 1,
    openFiles: 0,
    gpuPercent: null,
    gpuMemoryMb: null,
  });
  expect(await push(training, 'usage/0', usage, bridge.token)).toBe(401);
  expect(await push(training, 'usage/7', usage, own)).toBe(400);
  expect(await push(training, 'usage/0', usage.replace('"memoryMb":1', '"memoryMb":-1'), own)).toBe(400);
  expect(existsSync(join(training.dir, '..', 'escaped.txt'))).toBe(false);
  expect(await fullLog(client, training.id)).not.toContain('forged');
  // the credential is in no answer and no log of the bridge
  expect(JSON.stringify(await client.api.getTraining({ params: { id: training.id } }))).not.toContain(own);
  expect(bridge.output()).not.toContain(own);
}

describe('trainings on a real two-node Ray cluster', () => {
  it.skipIf(!hasRay)(
    `runs an EasyMaker-style script with the EM_* contract; its log, metrics, checkpoints and model come back${reason}`,
    async () => {
      const source = writeTree(join(work, 'easymaker'), { 'train.py': EASYMAKER, 'data/extra.txt': 'x\n' });
      // through the CLI, as a person submits it
      const cli = await emkit(
        '--json',
        'train',
        source,
        '--entry',
        'train.py',
        '--name',
        'on-ray',
        '--hp',
        'learning-rate=0.1',
        '--cluster',
        cluster.name,
      );
      expect(cli.code, cli.stderr).toBe(0);
      const submitted = JSON.parse(cli.stdout) as Training;
      expect(submitted).toMatchObject({ cluster: cluster.name, placementStrategy: 'SPREAD', python: 'python' });
      const done = await settledTraining(client, submitted.id, 180_000);
      const log = await fullLog(client, submitted.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      // where it ran, in the API record
      expect(done.placement).toEqual([
        { rank: 0, node: expect.stringMatching(/^127\.0\.0\.[23]$/), nodeId: expect.stringMatching(/^[0-9a-f]+$/) },
      ]);
      // which Python ran it, first in the log
      expect(log.split('\n')[0]).toBe("[emkit] runtime env: the nodes' own Python");
      expect(log).toContain('argv ["--learning-rate", "0.1"]');
      const contract = JSON.parse(/contract (.*)/.exec(log)?.[1] ?? '{}') as Record<string, string>;
      expect(contract).toMatchObject({
        EM_ENTRY_POINT: 'train.py',
        EM_HP_LEARNING_RATE: '0.1',
        EM_HPS: '{"learning-rate":"0.1"}',
        EM_DATASETS: '{}',
      });
      for (const key of ['EM_SOURCE_DIR', 'EM_MODEL_DIR', 'EM_CHECKPOINT_DIR', 'EM_TENSORBOARD_LOG_DIR']) {
        expect(contract[key], key).toMatch(/^\//);
      }
      // the folders are the node's own, not the bridge's
      expect(contract.EM_MODEL_DIR.startsWith(done.dir)).toBe(false);
      expect(log).toContain(`node ${done.placement[0].node} private False`);
      expect(log).toContain('done');
      // what the node wrote is in the training's own folders
      expect(JSON.parse(readFileSync(join(done.dir, 'model', 'params.json'), 'utf8'))).toEqual({ lr: '0.1' });
      expect(existsSync(join(done.dir, 'model', 'model.joblib'))).toBe(true);
      expect(readFileSync(join(done.dir, 'checkpoints', 'epoch-1', 'state.txt'), 'utf8')).toBe('step 3\n');
      expect(filesUnder(join(done.dir, 'tensorboard')).length).toBeGreaterThan(0);
      const metrics = await client.api.getTrainingMetrics({ params: { id: submitted.id }, query: {} });
      expect(JSON.stringify(metrics)).toContain('loss');
      // a model from it, as from a local training
      const model = await client.api.createModel({ body: { name: 'from-ray', training: 'on-ray' } });
      expect(model).toMatchObject({ name: 'from-ray', version: 1, framework: 'scikit-learn' });
      // a copy runs where its original ran, unless told: here, back on this machine
      const local = await client.api.copyTraining({ params: { id: 'on-ray' }, body: { cluster: null } });
      expect(local).toMatchObject({ cluster: null, placementStrategy: null, placement: [] });
      const localDone = await settledTraining(client, local.id);
      expect(localDone.state, localDone.stateReason ?? '').toBe('COMPLETE');
      expect(await fullLog(client, local.id)).toContain('argv ["--learning-rate", "0.1"]');
    },
    240_000,
  );

  it.skipIf(!hasTorch)(
    `places 2 ranks on 2 nodes (STRICT_SPREAD) doing a real gloo all_reduce, both logs live${reason}${torchReason}`,
    async () => {
      const source = writeTree(join(work, 'allreduce'), { 'ddp.py': ALL_REDUCE });
      const submitted = await client.api.createTraining({
        body: {
          source: { path: join(source, 'ddp.py') },
          instanceCount: 2,
          cluster: cluster.name,
          placementStrategy: 'STRICT_SPREAD',
        },
      });
      // both ranks' logs through the same WebSocket streams as a local training's
      const streams = [0, 1].map(
        (rank) =>
          new Promise<{ text: string; end: LogStreamMessage }>((resolve, reject) => {
            const socket = new WebSocket(client.trainingLogUrl(submitted.id, rank), client.socketProtocols());
            let text = '';
            socket.on('message', (data) => {
              const message = JSON.parse(String(data)) as LogStreamMessage;
              if (message.type === 'chunk') text += message.text;
              else {
                socket.close();
                resolve({ text, end: message });
              }
            });
            socket.on('error', reject);
          }),
      );
      const done = await settledTraining(client, submitted.id, 240_000);
      const logs = await Promise.all(streams);
      expect(done.state, `${done.stateReason}\n${logs.map((l) => l.text).join('\n')}`).toBe('COMPLETE');
      const nodes = done.placement.map((p) => p.node);
      expect(new Set(nodes).size).toBe(2);
      expect(nodes.sort()).toEqual(['127.0.0.2', '127.0.0.3']);
      const master = done.placement.find((p) => p.rank === 0)?.node;
      for (const rank of [0, 1]) {
        const node = done.placement.find((p) => p.rank === rank)?.node;
        expect(logs[rank].end).toMatchObject({ type: 'end', state: 'COMPLETE' });
        expect(logs[rank].text).toContain(`rank ${rank} of 2 on ${node} master ${master} sum 3.0`);
      }
    },
    300_000,
  );

  it.skipIf(!hasRay)(
    `runs on the default cluster when none is named; stops it: the job and the rank's process end within 10 s${reason}`,
    async () => {
      const source = writeTree(join(work, 'sleeper'), {
        // it holds 48 MB: its usage must show them
        'sleep.py': 'import os, time\nheld = b"x" * (48 * 1024 * 1024)\nprint("pid", os.getpid(), flush=True)\ntime.sleep(600)\n',
      });
      await client.api.updateCluster({ params: { id: cluster.name }, body: { default: true } });
      const submitted = await client.api
        .createTraining({ body: { source: { path: join(source, 'sleep.py') } } })
        .finally(() => client.api.updateCluster({ params: { id: cluster.name }, body: { default: false } }));
      expect(submitted.cluster).toBe(cluster.name);
      await trainingInState(client, submitted.id, 'RUNNING', 180_000);
      await checkPushCredential(submitted);
      const pid = Number(
        (await waitFor(async () => /pid (\d+)/.exec(await fullLog(client, submitted.id))?.[1], 60_000, 'the rank to start'))!,
      );
      // its rank's usage, sampled on its node and pushed back: rank 0's own process, with CPU and memory
      const rank0 = await waitFor(
        async () => {
          const resources = await client.api.getTrainingResources({ params: { id: submitted.id }, query: {} });
          return resources.processes.find((p) => p.process === 'rank 0' && p.samples.length >= 2);
        },
        60_000,
        "rank 0's usage",
      );
      expect(rank0).toMatchObject({ kind: 'rank', stage: null, pid });
      for (const sample of rank0?.samples ?? []) {
        expect(sample.memoryMb).toBeGreaterThan(48);
        expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
        expect(sample.threads).toBeGreaterThanOrEqual(1);
      }
      const summary = (await client.api.getTrainingResources({ params: { id: submitted.id }, query: {} })).summary;
      expect(summary.peakMemoryMb).toBeGreaterThan(48);
      const asked = Date.now();
      await client.api.stopTraining({ params: { id: submitted.id } });
      const stopped = await settledTraining(client, submitted.id, 30_000);
      expect(stopped.state).toBe('STOPPED');
      await waitFor(async () => !existsSync(`/proc/${pid}`), 10_000, 'the rank process to end');
      expect(Date.now() - asked).toBeLessThan(10_000);
    },
    240_000,
  );

  it.skipIf(!hasRay)(`refuses what can't run on a cluster, with JSON errors${reason}`, async () => {
    const source = writeTree(join(work, 'bad'), { 'x.py': 'print(1)\n' });
    const refused = async (body: object) => {
      try {
        await client.api.createTraining({ body: body as never });
      } catch (error) {
        if (error instanceof ApiError) return error;
        throw error;
      }
      throw new Error('it was accepted');
    };
    const unknown = await refused({ source: { path: join(source, 'x.py') }, cluster: 'nope' });
    expect([unknown.status, unknown.field, unknown.message]).toEqual([422, 'cluster', 'cluster "nope" doesn\'t exist']);
    const strategy = await refused({ source: { path: join(source, 'x.py') }, placementStrategy: 'PACK' });
    expect([strategy.status, strategy.field]).toEqual([422, 'placementStrategy']);
    // a training here has no node to lose
    const retries = await refused({ source: { path: join(source, 'x.py') }, maxRetries: 1 });
    expect([retries.status, retries.field]).toEqual([422, 'maxRetries']);
    const tooMany = await refused({ source: { path: join(source, 'x.py') }, cluster: cluster.name, maxRetries: 11 });
    expect([tooMany.status, tooMany.field]).toEqual([400, 'maxRetries']);
    const badStrategy = await refused({
      source: { path: join(source, 'x.py') },
      cluster: cluster.name,
      placementStrategy: 'ANY',
    });
    expect(badStrategy.status).toBe(400);
    expect((await client.api.listTrainings({ query: {} })).items.map((t: Training) => t.name)).not.toContain('x');
  });

  it.skipIf(!hasRay)(
    `runs a parameters notebook: its injected values, its EM_* folders, its executed copy back${reason}`,
    async () => {
      const source = writeTree(join(work, 'notebook'), {
        'train.ipynb': notebook([
          { source: 'epochs = 1\nlearning_rate = 0.5', tags: ['parameters'] },
          {
            source: [
              'import os',
              "open(os.path.join(os.environ['EM_MODEL_DIR'], 'params.txt'), 'w').write(f'{epochs} {learning_rate}')",
              "print('epochs', epochs, 'learning_rate', learning_rate, 'on', os.environ['EMKIT_NODE'])",
            ].join('\n'),
          },
        ]),
      });
      const submitted = await client.api.createTraining({
        body: {
          source: { path: join(source, 'train.ipynb') },
          hyperparameters: { epochs: '4', 'learning-rate': '0.25' },
          cluster: cluster.name,
        },
      });
      const done = await settledTraining(client, submitted.id, 180_000);
      const log = await fullLog(client, submitted.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      expect(readFileSync(join(done.dir, 'model', 'params.txt'), 'utf8')).toBe('4 0.25');
      // the executed notebook, with its outputs, in the training's artifacts as for a local one
      const executed = readFileSync(join(done.dir, 'artifacts', 'train.ipynb'), 'utf8');
      expect(executed).toContain(`epochs 4 learning_rate 0.25 on ${done.placement[0].node}`);
      expect(executed).toContain('injected-parameters');

      // a failing cell: FAIL TRAIN with the cell's error, as on this machine
      const broken = writeTree(join(work, 'broken'), {
        'broken.ipynb': notebook([{ source: "print('before')" }, { source: "raise ValueError('bad value 42')" }]),
      });
      const failing = await client.api.createTraining({
        body: { source: { path: join(broken, 'broken.ipynb') }, cluster: cluster.name },
      });
      const failed = await settledTraining(client, failing.id, 180_000);
      expect(failed.state).toBe('FAIL TRAIN');
      expect(failed.stateReason).toMatch(/^rank 0 exited with status \d+: /);
      expect(failed.stateReason).toContain('ValueError: bad value 42');
    },
    240_000,
  );

  it.skipIf(!hasRay)(
    `measures submit → first line of user code: here, on the cluster, and Ray's own job alone${reason}`,
    async () => {
      // the script prints the wall clock at its first line (one host: one clock); no timing is asserted
      const source = writeTree(join(work, 'first-line'), {
        'first.py': 'import time\nprint("first", time.time(), flush=True)\n',
      });
      const firstLine = (text: string) => Number(/first ([\d.]+)/.exec(text)?.[1]) * 1000;
      const viaBridge = async (body: object) => {
        const at = Date.now();
        const t = await client.api.createTraining({ body: { source: { path: join(source, 'first.py') }, ...body } });
        const done = await settledTraining(client, t.id, 120_000);
        expect(done.state).toBe('COMPLETE');
        return Math.round(firstLine(await fullLog(client, t.id)) - at);
      };
      const local = await viaBridge({});
      const onCluster = await viaBridge({ cluster: cluster.name });
      // Ray alone: the same folder as a package, `python first.py` as the entrypoint
      const token = readFileSync(join(bridge.home, 'clusters', cluster.id, 'token'), 'utf8').trim();
      const ray = new RayClient({ address: cluster.address, token });
      const pkg = await packageFolder(source);
      const at = Date.now();
      const workingDir = await ray.ensurePackage(pkg.name, pkg.zip);
      const job = await ray.submitJob({ entrypoint: 'python first.py', runtime_env: { working_dir: workingDir } });
      const rayAlone = Math.round(
        firstLine(
          await waitFor(
            async () => {
              const state = await ray.job(job.submission_id);
              return ['SUCCEEDED', 'FAILED', 'STOPPED'].includes(state.status) ? ray.jobLogs(job.submission_id) : undefined;
            },
            120_000,
            'the Ray job to end',
          ),
        ) - at,
      );
      process.stderr.write(
        `[cluster-trainings] submit → first line of user code: local ${local} ms, cluster ${onCluster} ms, ` +
          `Ray job alone ${rayAlone} ms (emkit's overhead on Ray: ${onCluster - rayAlone} ms)\n`,
      );
      for (const figure of [local, onCluster, rayAlone]) expect(figure).toBeGreaterThan(0);
    },
    240_000,
  );

  it.skipIf(!hasRay)(
    `installs the environment's pip requirements on the nodes as the Ray job's runtime env, and says so${reason}`,
    async () => {
      // a tiny pure-Python package from PyPI that the nodes' own Python lacks
      expect(pythonHas(venvPython, 'inflection')).toBe(false);
      const created = await client.api.createEnvironment({ body: { name: 'ray-pip', packages: ['inflection==0.5.1'] } });
      const environment = await waitFor(
        async () => {
          const e = await client.api.getEnvironment({ params: { id: created.id } });
          return e.state === 'CREATE IN PROGRESS' ? undefined : e;
        },
        240_000,
        'the environment to be built',
      );
      expect(environment.state, environment.stateReason ?? '').toBe('ACTIVE');
      const source = writeTree(join(work, 'with-pip'), {
        'camel.py': 'import inflection\nprint("camel", inflection.camelize("ray_pip"), flush=True)\n',
      });
      const submitted = await client.api.createTraining({
        body: { source: { path: join(source, 'camel.py') }, cluster: cluster.name, environment: 'ray-pip' },
      });
      // the record says which environment, run by the nodes (not this machine's folder of it)
      expect(submitted).toMatchObject({ environment: 'ray-pip', python: 'python', cluster: cluster.name });
      // Ray builds the virtualenv on the node first: minutes on a loaded machine
      const done = await settledTraining(client, submitted.id, 540_000);
      const log = await fullLog(client, submitted.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      expect(log.split('\n')[0]).toBe('[emkit] runtime env: pip ["inflection==0.5.1"] on the nodes');
      expect(log).toContain('camel RayPip');
    },
    840_000,
  );

  // these two last: they take nodes away from the file's cluster
  it.skipIf(!hasRay)(
    `starts a training again after a lost node when asked (--max-retries 1), and it ends COMPLETE${reason}`,
    async () => {
      const source = writeTree(join(work, 'retried'), {
        'retried.py': [
          'import os, time',
          'attempt = int(os.environ["EMKIT_ATTEMPT"])',
          'for i in range(600 if attempt == 1 else 2):',
          '    print("attempt", attempt, "tick", i, flush=True)',
          '    time.sleep(0.5)',
          'open(os.path.join(os.environ["EM_MODEL_DIR"], f"rank-{os.environ[\'RANK\']}.txt"), "w").write(str(attempt))',
          '',
        ].join('\n'),
      });
      const cli = await emkit(
        '--json',
        'train',
        join(source, 'retried.py'),
        '--cluster',
        cluster.name,
        '--instances',
        '2',
        '--strict-spread',
        '--max-retries',
        '1',
      );
      expect(cli.code, cli.stderr).toBe(0);
      const submitted = JSON.parse(cli.stdout) as Training;
      expect([submitted.maxRetries, submitted.attempt]).toEqual([1, 1]);
      const running = await waitFor(
        async () => {
          const t = await client.api.getTraining({ params: { id: submitted.id } });
          if (t.endedAt !== null) throw new Error(`it ended ${t.state} before the node was lost: ${t.stateReason}`);
          const ticked = async (rank: number) => (await fullLog(client, t.id, rank)).includes('attempt 1 tick 1');
          return t.state === 'RUNNING' && t.placement.length === 2 && (await ticked(0)) && (await ticked(1)) ? t : undefined;
        },
        180_000,
        'both ranks to run',
      );
      const lost = running.placement.find((p) => p.node === '127.0.0.3');
      expect(lost).toBeDefined();
      const watcher = workerWatcher();
      expect(watcher, 'the worker node is running').toBeDefined();
      process.kill(-(watcher as number), 'SIGKILL');
      // STRICT_SPREAD: the second start waits for a second node; one joins
      await waitFor(
        async () => (await client.api.getTraining({ params: { id: submitted.id } })).attempt === 2,
        120_000,
        'the second attempt',
      );
      addedNode = await addNode();
      const done = await settledTraining(client, submitted.id, 240_000);
      const separator = `----- emkit: rank ${lost?.rank}'s node 127.0.0.3 was lost`;
      expect(done.state, `${done.stateReason}\n${await fullLog(client, done.id, 0)}`).toBe('COMPLETE');
      expect([done.maxRetries, done.attempt]).toEqual([1, 2]);
      expect(done.placement.map((p) => p.node).sort()).toEqual(['127.0.0.2', '127.0.0.4']);
      for (const rank of [0, 1]) {
        const log = await fullLog(client, done.id, rank);
        // the same per-rank log: the first start's lines, the separator, the second start's
        expect(log.indexOf('attempt 1 tick 1')).toBeGreaterThanOrEqual(0);
        expect(log.indexOf(separator)).toBeGreaterThan(log.indexOf('attempt 1 tick 1'));
        expect(log).toContain('attempt 2 of 2 starts -----');
        expect(log.indexOf('attempt 2 tick 1')).toBeGreaterThan(log.indexOf(separator));
        expect(readFileSync(join(done.dir, 'model', `rank-${rank}.txt`), 'utf8')).toBe('2');
      }
    },
    420_000,
  );

  it.skipIf(!hasRay)(
    `ends a training FAIL TRAIN, naming the node, when a node is lost mid-training${reason}`,
    async () => {
      const source = writeTree(join(work, 'long'), {
        'long.py': 'import os, time\nfor i in range(600):\n    print("tick", i, flush=True)\n    time.sleep(0.5)\n',
      });
      const submitted = await client.api.createTraining({
        body: {
          source: { path: join(source, 'long.py') },
          instanceCount: 2,
          cluster: cluster.name,
          placementStrategy: 'STRICT_SPREAD',
        },
      });
      const running = await waitFor(
        async () => {
          const t = await client.api.getTraining({ params: { id: submitted.id } });
          if (t.endedAt !== null) throw new Error(`it ended ${t.state} before the node was lost: ${t.stateReason}`);
          return t.state === 'RUNNING' && t.placement.length === 2 && (await fullLog(client, t.id, 1)).includes('tick 1')
            ? t
            : undefined;
        },
        180_000,
        'both ranks to run',
      );
      expect(running.maxRetries).toBe(0);
      expect(running.placement.find((p) => p.node === '127.0.0.4')).toBeDefined();
      // each rank (an actor on its own node) samples its own process and pushes it
      const ranks = await waitFor(
        async () => {
          const { processes } = await client.api.getTrainingResources({ params: { id: submitted.id }, query: {} });
          const sampled = processes.filter((p) => p.kind === 'rank' && p.samples.length > 0);
          return sampled.length === 2 ? sampled : undefined;
        },
        60_000,
        "both ranks' usage",
      );
      expect(ranks.map((p) => p.process).sort()).toEqual(['rank 0', 'rank 1']);
      for (const rank of ranks) expect(rank.samples[0]?.memoryMb).toBeGreaterThan(0);
      // the added node's watcher leads the node's process group: the whole node goes at once
      expect(addedNode, 'the added node is running').toBeDefined();
      process.kill(-(addedNode as number), 'SIGKILL');
      const failed = await settledTraining(client, submitted.id, 120_000);
      expect(failed.state).toBe('FAIL TRAIN');
      expect(failed.stateReason).toMatch(/node 127\.0\.0\.4 was lost/);
      expect(failed.attempt).toBe(1);
      expect(await fullLog(client, submitted.id, 0)).toContain('tick 1');
    },
    300_000,
  );
});
