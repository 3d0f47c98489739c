import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { ApiError, type Cluster, type EmkitClient } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RayClient } from '../../server-bridge/src/clusters/ray-client.js';
import { packageFolder } from '../../server-bridge/src/clusters/ray-package.js';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { hasProc, processTree } from '../support/processes.js';
import { alive, pythonHas, venvPython, writeTree } from '../support/trainings.js';

// One real two-node Ray cluster for the whole file, started the way a user starts one:
// `emkit cluster up` through a real bridge (each node its own `ray start`).
const hasRay = hasProc && pythonHas(venvPython, 'ray');
const reason = hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)';

let bridge: TestBridge;
let client: EmkitClient;
let cluster: Cluster;
let work: string;

/** The CLI against this suite's bridge. */
const emkit = (...args: string[]) => emkitCli(bridge, ...args);

const tokenOf = (c: Cluster) => readFileSync(join(bridge.home, 'clusters', c.id, 'token'), 'utf8').trim();

/** GET on Ray's dashboard with no token at all: what anyone on the network would get. */
function statusWithoutToken(address: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${address}${path}`, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The watcher of the head node: the leader of the head's process group. */
function headWatcher(c: Cluster): { pid: number; tempDir: string } {
  const port = new URL(c.address).port;
  for (const pid of processTree(`--dashboard-port=${port}`)) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.includes('emkit.ray_node')) continue;
    const tempArg = cmdline.find((a) => a.startsWith('--temp-dir=')) as string;
    return { pid, tempDir: dirname(tempArg.slice('--temp-dir='.length)) };
  }
  throw new Error(`no head node of ${c.address} is running`);
}

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-clusters-');
  bridge = await startBridge({ args: ['--cluster-poll', '0.5'] });
  client = bridge.client;
  const up = await emkit('--json', 'cluster', 'up', 'it', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  cluster = JSON.parse(up.stdout) as Cluster;
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  // whatever a failed test left: the nodes go with the cluster, then the bridge
  await client.api.deleteCluster({ params: { id: 'it' } }).catch(() => {});
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
}, 60_000);

describe('clusters: a real two-node Ray cluster', () => {
  it.skipIf(!hasRay)(`emkit cluster up shows it REACHABLE with its two ALIVE nodes and their CPUs${reason}`, async () => {
    expect(cluster).toMatchObject({ name: 'it', kind: 'ray', state: 'REACHABLE', rayVersion: expect.stringMatching(/^2\./) });
    expect(cluster.address).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(cluster.local).toEqual({ nodes: 2, cpusPerNode: 1, memoryMbPerNode: 512 });
    expect(cluster.nodes.map((n) => [n.address, n.head, n.state, n.cpus, n.gpus])).toEqual([
      ['127.0.0.2', true, 'ALIVE', 1, 0],
      ['127.0.0.3', false, 'ALIVE', 1, 0],
    ]);
    expect(cluster.nodes.every((n) => n.memoryBytes === 512 * 1024 * 1024)).toBe(true);
    // the table a person reads
    const table = await emkit('cluster', 'list');
    expect(table.stdout).toMatch(/it\s+REACHABLE\s+http:\/\/127\.0\.0\.2:\d+\s+2\.\S+\s+2\/2 alive\s+2/);
    // the local machine stays the default target until a cluster is made the default
    expect(cluster.isDefault).toBe(false);
  });

  it.skipIf(!hasRay)(`needs its token, which no answer of the bridge and no log shows${reason}`, async () => {
    const token = tokenOf(cluster);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(bridge.home, 'clusters', cluster.id, 'token')).mode & 0o777).toBe(0o600);
    // Ray itself refuses a request without it…
    expect(await statusWithoutToken(cluster.address, '/api/version')).toBe(401);
    expect(await statusWithoutToken(cluster.address, '/api/jobs/')).toBe(401);
    await expect(new RayClient({ address: cluster.address }).nodes()).rejects.toMatchObject({ status: 401 });
    // …and takes it from whoever has it
    expect((await new RayClient({ address: cluster.address, token }).version()).ray_version).toBe(cluster.rayVersion);
    const answers = JSON.stringify([
      await client.api.getCluster({ params: { id: 'it' } }),
      await client.api.listClusters({}),
      (await emkit('--json', 'cluster', 'get', 'it')).stdout,
    ]);
    expect(answers).toContain('"hasToken":true');
    expect(answers).not.toContain(token);
    expect(readFileSync(join(bridge.home, 'logs', 'bridge.log'), 'utf8')).not.toContain(token);
    expect(bridge.output()).not.toContain(token);
  });

  it.skipIf(!hasRay)(
    `runs a job through the bridge's Ray client: a folder uploaded as a package, its logs back${reason}`,
    async () => {
      const source = writeTree(join(work, 'job'), {
        'hello.py': 'import os, socket\nprint("hello from", os.environ["GREETING"], "at", socket.gethostname())\n',
        'data/note.txt': 'beside it\n',
      });
      const ray = new RayClient({ address: cluster.address, token: tokenOf(cluster) });
      const pkg = await packageFolder(source);
      expect(pkg.name).toMatch(/^_ray_pkg_[0-9a-f]{32}\.zip$/);
      expect((await packageFolder(source)).name).toBe(pkg.name);
      const workingDir = await ray.ensurePackage(pkg.name, pkg.zip);
      expect(await ray.hasPackage(pkg.name)).toBe(true);
      const submitted = await ray.submitJob({
        entrypoint: 'python hello.py && cat data/note.txt',
        submission_id: `emkit-test-${Date.now()}`,
        runtime_env: { working_dir: workingDir, env_vars: { GREETING: 'the cluster' } },
      });
      const done = await waitFor(
        async () => {
          const job = await ray.job(submitted.submission_id);
          return ['SUCCEEDED', 'FAILED', 'STOPPED'].includes(job.status) ? job : undefined;
        },
        120_000,
        'the job to end',
      );
      const logs = await ray.jobLogs(submitted.submission_id);
      expect(done.status, logs).toBe('SUCCEEDED');
      expect(logs).toContain('hello from the cluster at');
      expect(logs).toContain('beside it');
      // an ended job can be stopped no more, and is forgotten on request
      expect(await ray.stopJob(submitted.submission_id)).toEqual({ stopped: false });
      expect(await ray.deleteJob(submitted.submission_id)).toBe(true);
    },
  );

  it.skipIf(!hasRay)(`answers bad input with clear JSON errors and keeps serving${reason}`, async () => {
    const refused = async (call: Promise<unknown>) => {
      try {
        await call;
      } catch (error) {
        if (error instanceof ApiError) return error;
        throw error;
      }
      throw new Error('it was accepted');
    };
    for (const address of ['ftp://127.0.0.2:8265', 'http://127.0.0.2:8265/api', 'http://user:pw@host:8265', 'not a url']) {
      const error = await refused(client.api.createCluster({ body: { name: 'bad', address } }));
      expect([error.status, error.code, error.field], address).toEqual([400, 'validation', 'address']);
    }
    const badPort = await refused(client.api.createCluster({ body: { name: 'bad', address: 'http://127.0.0.2:70000' } }));
    expect([badPort.status, badPort.field]).toEqual([400, 'address']);
    const both = await refused(
      client.api.createCluster({ body: { name: 'bad', address: 'http://127.0.0.2:1', local: { nodes: 1 } } }),
    );
    expect([both.status, both.message]).toEqual([400, expect.stringMatching(/either `address`.*or `local`/)]);
    const neither = await refused(client.api.createCluster({ body: { name: 'bad' } }));
    expect(neither.status).toBe(400);
    const duplicate = await refused(client.api.createCluster({ body: { name: 'it', address: 'http://127.0.0.2:1' } }));
    expect([duplicate.status, duplicate.code, duplicate.message]).toEqual([
      409,
      'conflict',
      'a cluster named "it" already exists',
    ]);
    for (const call of [
      () => client.api.getCluster({ params: { id: 'nope' } }),
      () => client.api.deleteCluster({ params: { id: 'nope' } }),
      () => client.api.updateCluster({ params: { id: 'nope' }, body: { default: true } }),
      () => client.api.stopCluster({ params: { id: 'nope' } }),
    ]) {
      const error = await refused(call());
      expect([error.status, error.code, error.message]).toEqual([404, 'not_found', 'cluster "nope" doesn\'t exist']);
    }
    const cli = await emkit('cluster', 'get', 'nope');
    expect([cli.code, cli.stderr.trim()]).toEqual([4, 'emkit: cluster "nope" doesn\'t exist']);
    expect((await client.api.listClusters({})).items.map((c) => c.name)).toEqual(['it']);

    // nothing listens there: UNREACHABLE with the reason, at once, and the bridge goes on
    const nowhere = await client.api.createCluster({ body: { name: 'nowhere', address: 'http://127.0.0.2:9/' } });
    expect([nowhere.address, nowhere.hasToken]).toEqual(['http://127.0.0.2:9', false]);
    const unreachable = await waitFor(
      async () => {
        const c = await client.api.getCluster({ params: { id: 'nowhere' } });
        return c.state === 'UNREACHABLE' ? c : undefined;
      },
      20_000,
      'the cluster to show UNREACHABLE',
    );
    expect(unreachable.stateReason).toMatch(/not reachable \(ECONNREFUSED\)/);
    const notLocal = await refused(client.api.startCluster({ params: { id: 'nowhere' } }));
    expect([notLocal.status, notLocal.message]).toEqual([409, expect.stringMatching(/added by its address/)]);

    // one default at a time; false gives it back to this machine
    expect((await client.api.updateCluster({ params: { id: 'nowhere' }, body: { default: true } })).isDefault).toBe(true);
    expect((await client.api.updateCluster({ params: { id: 'it' }, body: { default: true } })).isDefault).toBe(true);
    const defaults = (await client.api.listClusters({})).items.filter((c) => c.isDefault).map((c) => c.name);
    expect(defaults).toEqual(['it']);
    const local = await emkit('cluster', 'default', '--local');
    expect(local.code).toBe(0);
    expect((await client.api.listClusters({})).items.some((c) => c.isDefault)).toBe(false);
    await client.api.deleteCluster({ params: { id: 'nowhere' } });
    expect((await client.api.getCluster({ params: { id: 'it' } })).state).toBe('REACHABLE');
  });

  it.skipIf(!hasRay)(
    `serves the cluster's Ray dashboard through the bridge's proxy, with Ray's token added there${reason}`,
    async () => {
      const token = tokenOf(cluster);
      const page = `/clusters/${cluster.id}/dashboard/`;
      const bearer = { authorization: `Bearer ${bridge.token}` };
      // no bridge token, a wrong one, or a page of another origin: refused before Ray is asked
      expect((await fetch(`${bridge.url}${page}`)).status).toBe(401);
      expect((await fetch(`${bridge.url}${page}api/v0/nodes`)).status).toBe(401);
      expect((await fetch(`${bridge.url}${page}?token=wrong`)).status).toBe(401);
      expect((await fetch(`${bridge.url}${page}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      const foreign = await fetch(`${bridge.url}${page}api/v0/nodes`, { headers: { ...bearer, origin: 'http://evil.example' } });
      expect(foreign.status).toBe(403);
      expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('forbidden');

      // what the CLI prints: the bridge's address with a one-time ticket, never a token
      const printed = await emkit('cluster', 'dashboard', 'it');
      expect(printed.code, printed.stderr).toBe(0);
      const url = printed.stdout.trim();
      expect(url).toMatch(new RegExp(`^${bridge.url}${page}\\?ticket=[\\w-]+$`));
      expect(url).not.toContain(token);
      expect(url).not.toContain(bridge.token);

      // a browser tab: the ticket → a session cookie for this dashboard, and out of the address bar
      const opened = await fetch(url, { redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('location')).toBe(page);
      const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^emkit_session=/);
      expect(opened.headers.get('set-cookie')).toContain(`Path=/clusters/${cluster.id}/dashboard;`);
      // spent: the same address opens nothing a second time
      expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);

      // the dashboard's page, its script (a relative path), and its API, as the page calls them
      const index = await fetch(`${bridge.url}${page}`, { headers: { cookie } });
      expect(index.status).toBe(200);
      const html = await index.text();
      expect(html).toContain('<title>Ray Dashboard</title>');
      const script = /src="\.\/(static\/js\/main\.[0-9a-f]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const js = await fetch(`${bridge.url}${page}${script}`, { headers: { cookie } });
      expect([js.status, js.headers.get('content-type')]).toEqual([200, expect.stringMatching(/javascript/)]);
      await js.arrayBuffer();
      const nodes = await fetch(`${bridge.url}${page}api/v0/nodes?limit=100`, { headers: { cookie } });
      expect(nodes.status).toBe(200);
      // Ray sets no cookie of its own on the bridge's origin
      expect(nodes.headers.get('set-cookie')).toBeNull();
      const listed = (await nodes.json()) as { data: { result: { result: { node_ip: string; state: string }[] } } };
      expect(listed.data.result.result.map((n) => [n.node_ip, n.state]).sort()).toEqual([
        ['127.0.0.2', 'ALIVE'],
        ['127.0.0.3', 'ALIVE'],
      ]);
      // with the bridge's token instead of a session (a script, the CLI), by name as well as id
      const version = await fetch(`${bridge.url}/clusters/it/dashboard/api/version`, { headers: bearer });
      expect(((await version.json()) as { ray_version: string }).ray_version).toBe(cluster.rayVersion);
      // the session opens this dashboard only
      expect((await fetch(`${bridge.url}/tensorboard/${cluster.id}/`, { headers: { cookie } })).status).toBe(401);
      expect((await fetch(`${bridge.url}/api/v1/clusters`, { headers: { cookie } })).status).toBe(401);

      // no such cluster: 404, as JSON, from the route and the proxy alike
      const missing = await fetch(`${bridge.url}/clusters/nope/dashboard/api/version`, { headers: bearer });
      expect([missing.status, await missing.json()]).toEqual([
        404,
        { error: { code: 'not_found', message: 'cluster "nope" doesn\'t exist' } },
      ]);
      await expect(client.clusterDashboardUrl('nope')).rejects.toMatchObject({ status: 404 });
      expect(readFileSync(join(bridge.home, 'logs', 'bridge.log'), 'utf8')).not.toContain(token);
    },
  );

  it.skipIf(!hasRay)(`shows UNREACHABLE within seconds when the head stops, and the bridge keeps serving${reason}`, async () => {
    const head = headWatcher(cluster);
    const before = processTree(head.tempDir);
    expect(before.length).toBeGreaterThan(4);
    const stopped = Date.now();
    process.kill(-head.pid, 'SIGKILL');
    const unreachable = await waitFor(
      async () => {
        const c = await client.api.getCluster({ params: { id: 'it' } });
        return c.state === 'UNREACHABLE' ? c : undefined;
      },
      20_000,
      'the cluster to show UNREACHABLE',
    );
    process.stderr.write(`[clusters] UNREACHABLE ${Date.now() - stopped} ms after the head was killed\n`);
    expect(unreachable.stateReason).toMatch(/not reachable/);
    expect(unreachable.nodes.every((n) => !n.alive)).toBe(true);
    // its dashboard through the proxy: a clear 503 at once, for a script and for a browser tab
    const dashboard = await fetch(`${bridge.url}/clusters/it/dashboard/api/v0/nodes`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect(dashboard.status).toBe(503);
    expect(await dashboard.json()).toEqual({
      error: {
        code: 'not_ready',
        message: expect.stringMatching(/^cluster "it" is UNREACHABLE \(.*not reachable.*\): its dashboard/),
      },
    });
    const tab = await fetch(`${bridge.url}/clusters/it/dashboard/`, {
      headers: { authorization: `Bearer ${bridge.token}`, accept: 'text/html' },
    });
    expect([tab.status, tab.headers.get('content-type')]).toEqual([503, 'text/html; charset=utf-8']);
    expect(await tab.text()).toContain('is UNREACHABLE');
    await expect(client.clusterDashboardUrl('it')).rejects.toMatchObject({ status: 503, code: 'not_ready' });
    expect((await fetch(`${bridge.url}/api/v1/health`)).ok).toBe(true);
    expect((await client.api.listClusters({})).total).toBe(1);

    // down: every process of the cluster gone, the worker's included, found by what it was
    const downAt = Date.now();
    const down = await emkit('cluster', 'down', 'it');
    process.stderr.write(`[clusters] down took ${Date.now() - downAt} ms\n`);
    expect([down.code, down.stdout.trim()]).toEqual([0, 'cluster it stopped']);
    expect(before.filter(alive)).toEqual([]);
    expect(processTree(head.tempDir)).toEqual([]);
    expect(existsSync(head.tempDir)).toBe(false);
    expect((await client.api.getCluster({ params: { id: 'it' } })).state).toBe('STOPPED');

    const removed = await emkit('cluster', 'remove', 'it');
    expect(removed.code).toBe(0);
    expect(existsSync(join(bridge.home, 'clusters', cluster.id))).toBe(false);
  });
});

describe('a local cluster where the bridge has no Ray', () => {
  it.skipIf(!hasProc)('is refused with a clear error saying how to install it, and nothing is left', async () => {
    // an interpreter with no `ray` beside it, as a bridge on a plain python3 has
    const bin = join(tempDir('emkit-noray-'), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'python3'));
    const plain = await startBridge({ args: ['--python', join(bin, 'python3')] });
    try {
      const refused = await plain.client.api
        .createCluster({ body: { name: 'try', local: { nodes: 2 } } })
        .then(() => undefined)
        .catch((error: unknown) => error as ApiError);
      expect([refused?.status, refused?.code]).toEqual([422, 'unprocessable']);
      expect(refused?.message).toContain(`Ray isn't installed in the bridge's Python environment (${join(bin, 'python3')})`);
      expect(refused?.message).toContain('pip install "ray[default]~=2.60.0"');
      expect((await plain.client.api.listClusters({})).total).toBe(0);
      expect(existsSync(join(plain.home, 'clusters'))).toBe(false);
    } finally {
      await plain.stop();
      removeDir(plain.home);
      removeDir(dirname(bin));
    }
  });
});
