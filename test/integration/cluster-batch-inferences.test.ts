import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type Cluster } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRunnersUnder, customModelFiles, readJsonl, settledBatch, writeTableAndModel } from '../support/batch-inferences.js';
import { emkitCli as emkit, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { hasProc } from '../support/processes.js';
import { pythonHas, venvPython, writeTree } from '../support/trainings.js';

// Batch scoring with its workers on one real two-node Ray cluster (1 CPU a node). A cluster started by a bridge
// ends with that bridge, so the cluster belongs to a second bridge (the owner) and the bridge under test adds it by
// address, token and Ray Client port, as a user adds one that runs elsewhere — then is killed with kill -9 (with the
// job's runner, as a restart of the machine would) mid-job and started again: every row exactly once, in order.
const hasRay = hasProc && pythonHas(venvPython, 'ray', 'sklearn', 'joblib');
const reason = hasRay ? '' : ' (SKIPPED: ray or scikit-learn is not installed in .venv — `npm run setup` installs them)';

const ROWS = 3000;
let owner: TestBridge;
let bridge: TestBridge | undefined;
let cluster: Cluster;
let work: string;
let home: string;

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-cluster-batch-');
  owner = await startBridge();
  const up = await emkit(owner, '--json', 'cluster', 'up', 'owned', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${nodeLogs(owner.home)}`);
  const owned = JSON.parse(up.stdout) as Cluster;
  const tokenFile = join(owner.home, 'clusters', owned.id, 'token');
  const clientPort = new URL(readFileSync(join(owner.home, 'clusters', owned.id, 'ray-client'), 'utf8').trim()).port;
  // usage rounds every second: a cluster worker's own samples show in a test's time
  bridge = await startBridge({ args: ['--python', venvPython, '--cluster-poll', '0.5', '--usage-interval', '1'] });
  home = bridge.home;
  const added = await emkit(
    bridge,
    '--json',
    'cluster',
    'add',
    'elsewhere',
    '--ray',
    owned.address,
    '--token-file',
    tokenFile,
    '--client-port',
    clientPort,
  );
  if (added.code !== 0) throw new Error(`emkit cluster add failed (${added.code}): ${added.stderr}\n${added.stdout}`);
  cluster = JSON.parse(added.stdout) as Cluster;
  writeTableAndModel(join(work, 'table.csv'), join(work, 'classifier'), join(work, 'expected.json'), ROWS);
  writeCsv(
    join(work, 'rows.csv'),
    ['x', 'y'],
    Array.from({ length: ROWS }, (_, i) => [i, i % 7]),
  );
  writeTree(join(work, 'slow'), customModelFiles({ delaySeconds: 0.05, failAt: 17 }));
  // ~30 s for the whole table: still running while the test reads its usage, then stops it
  writeTree(join(work, 'slower'), customModelFiles({ delaySeconds: 0.2 }));
  await bridge.client.api.createModel({
    body: { name: 'classifier', artifactPath: join(work, 'classifier'), framework: 'scikit-learn' },
  });
  await bridge.client.api.createModel({ body: { name: 'slow', artifactPath: join(work, 'slow'), framework: 'custom' } });
  await bridge.client.api.createModel({ body: { name: 'slower', artifactPath: join(work, 'slower'), framework: 'custom' } });
}, 400_000);

afterAll(async () => {
  if (!hasRay) return;
  await bridge?.stop();
  await owner?.client.api.deleteCluster({ params: { id: 'owned' } }).catch(() => {});
  await owner?.stop();
  for (const dir of [home, owner?.home, work]) removeDir(dir ?? '');
}, 60_000);

function killGroups(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

describe.skipIf(!hasRay)(`batch scoring on a Ray cluster${reason}`, () => {
  it('scores with 2 workers on the two nodes: the model’s own predict of every row, in order (CLI --cluster)', async () => {
    const live = bridge as TestBridge;
    const output = join(work, 'scored');
    const run = await emkit(
      live,
      '--json',
      'batch',
      'create',
      '--model',
      'classifier',
      '--input',
      join(work, 'table.csv'),
      '--output',
      output,
      '--instances',
      '2',
      '--batch-size',
      '500',
      '--format',
      'jsonl',
      '--cluster',
      'elsewhere',
      '--wait',
    );
    expect(run.code, run.stderr).toBe(0);
    const job = JSON.parse(run.stdout) as { id: string; state: string; cluster: string; outputFile: string };
    expect(job.state).toBe('COMPLETE');
    expect(job.cluster).toBe(cluster.id);
    const expected = JSON.parse(readFileSync(join(work, 'expected.json'), 'utf8')) as string[];
    const rows = readJsonl<{ key: number; prediction: string }>(job.outputFile);
    expect(rows.map((r) => r.key)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(rows.map((r) => r.prediction)).toEqual(expected);
    const log = await live.client.api.getBatchInferenceLog({ params: { id: job.id } });
    // the workers ran on the cluster's nodes (SPREAD: one each), not here
    expect(log.text).toMatch(/2 workers on cluster elsewhere: 127\.0\.0\.[23], 127\.0\.0\.[23]/);
  }, 400_000);

  it('refuses a cluster that does not exist (422)', async () => {
    const refused = await (bridge as TestBridge).client.api
      .createBatchInference({ body: { model: 'slow', input: join(work, 'rows.csv'), cluster: 'nowhere' } })
      .catch((error: unknown) => error as ApiError);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(422);
    expect((refused as ApiError).field).toBe('cluster');
  });

  it('kill -9 of the bridge and the runner mid-job: the next bridge resumes it on the cluster, every row once', async () => {
    const first = bridge as TestBridge;
    const output = join(work, 'resumed');
    const created = await first.client.api.createBatchInference({
      body: { model: 'slow', input: join(work, 'rows.csv'), output, batchSize: 20, instances: 1, cluster: 'elsewhere' },
    });
    const manifest = join(home, 'batch-inferences', created.id, 'manifest.jsonl');
    await waitFor(
      async () => existsSync(manifest) && readFileSync(manifest, 'utf8').split('\n').length > 3,
      300_000,
      'the job to record batches',
    );
    // a cluster in use stays
    const busy = await first.client.api.deleteCluster({ params: { id: 'elsewhere' } }).catch((e: unknown) => e as ApiError);
    expect((busy as ApiError).status).toBe(409);
    expect((busy as ApiError).message).toContain('batch scoring job');
    await first.kill9();
    killGroups(batchRunnersUnder(home));
    await waitFor(async () => batchRunnersUnder(home).length === 0, 10_000, 'the runner to be gone');

    bridge = await startBridge({ home, args: ['--python', venvPython, '--cluster-poll', '0.5'] });
    const job = await settledBatch(bridge.client, created.id, 400_000);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.progress).toMatchObject({ done: ROWS, total: ROWS, errors: 1 });
    const lines = readFileSync(job.outputFile, 'utf8').trimEnd().split('\n');
    const rows = lines.slice(1).map((line) => line.split(',').map(Number));
    const keys = Array.from({ length: ROWS }, (_, i) => i).filter((k) => k !== 17);
    expect(rows.map((r) => r[0])).toEqual(keys);
    expect(rows.every(([key, x, , prediction]) => x === key && prediction === key)).toBe(true);
    // the row the model raised on, with the model's words, in the errors file
    const errors = readJsonl<{ key: number; reason: string }>(job.errorsFile);
    expect(errors).toEqual([{ key: 17, reason: expect.stringContaining('broke on purpose') }]);
    const log = await bridge.client.api.getBatchInferenceLog({ params: { id: created.id } });
    expect(log.text).toMatch(/resuming after batch \d+/);
    expect(log.text.match(/1 workers on cluster elsewhere/g)?.length).toBeGreaterThanOrEqual(2);
  }, 900_000);

  it('stop ends it STOPPED, keeping what the cluster scored, in order; its worker on the cluster has a usage series', async () => {
    const live = bridge as TestBridge;
    const created = await live.client.api.createBatchInference({
      body: {
        model: 'slower',
        input: join(work, 'rows.csv'),
        output: join(work, 'stopped'),
        format: 'jsonl',
        batchSize: 20,
        cluster: 'elsewhere',
      },
    });
    await waitFor(
      async () => (await live.client.api.getBatchInference({ params: { id: created.id } })).progress.done >= 100,
      300_000,
      'the job to be under way',
    );
    // the worker runs on a node this machine's sidecar can't see: it samples itself and the runner passes it on
    const worker = await waitFor(
      async () => {
        const resources = await live.client.api.getBatchInferenceResources({ params: { id: created.id }, query: {} });
        return resources.processes.find((p) => p.process === 'worker 1' && p.samples.length > 0);
      },
      60_000,
      "the cluster worker's usage",
    );
    expect(worker.kind).toBe('batch-worker');
    // the actor's own process: a Python with pandas and the model loaded
    expect(worker.samples.at(-1)?.memoryMb).toBeGreaterThan(50);
    expect(worker.samples.at(-1)?.threads).toBeGreaterThan(0);
    await live.client.api.stopBatchInference({ params: { id: created.id } });
    const job = await settledBatch(live.client, created.id, 30_000);
    expect(job.state).toBe('STOPPED');
    const rows = readJsonl<{ key: number; prediction: number }>(job.outputFile);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(ROWS);
    expect(rows.every((r) => r.prediction === r.key)).toBe(true);
  }, 400_000);
});

/** The tail of each node's log of the clusters under a home: why a start failed. */
function nodeLogs(dir: string): string {
  const root = join(dir, 'logs', 'clusters');
  if (!existsSync(root)) return '(no node logs)';
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.log'))
    .map((name) => `--- ${name}\n${readFileSync(join(root, name), 'utf8').slice(-3000)}`)
    .join('\n');
}
