#!/usr/bin/env node
// Cluster trainings benchmark (`npm run bench:ray-trainings`). A measurement, not a test: it
// prints figures next to their aim, measured side by side in one run, and fails only on errors.
//
// A real bridge starts a local two-node Ray cluster (`emkit cluster up`, 1 CPU per node). The
// same one-line script then runs, in turns (RUNS rounds, so a slow spell of the machine falls
// on all of them):
//   - as a local training (POST /api/v1/trainings),
//   - as a training on the cluster (the same, with `cluster`),
//   - as a Ray job alone over Ray's Jobs REST API, as the bridge submits (package check and
//     upload, POST /api/jobs/, `python first.py` as the entrypoint), and
//   - with Ray's own CLI, `ray job submit --working-dir DIR -- python first.py`.
// The script's first line appends time.time() to a file (one host: one clock): submit → that
// line is the figure. For the cluster training, also when the bridge had the line (the rank
// pushes its output; the WebSocket shows when it arrived). Aim: the cluster training under
// 300 ms over the Ray job alone.
//
// Needs the built bridge (`npm run build`) and Ray in .venv.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import yazl from 'yazl';
import { api, repo, startBridge, stopBridge } from './bridge.mjs';

const RAY = join(repo, '.venv', 'bin', 'ray');
const RUNS = Number(process.env.RUNS ?? 5);
const AIM_OVER_RAY_MS = 300;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-ray-trainings-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => performance.timeOrigin + performance.now();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const f = (x) => `${Math.round(x)} ms`.padStart(8);

const stamps = join(root, 'stamps');
const source = join(root, 'first');
mkdirSync(source);
writeFileSync(
  join(source, 'first.py'),
  `open(${JSON.stringify(stamps)}, "a").write(repr(__import__("time").time()) + "\\n")\nprint("first line", flush=True)\n`,
);
const lastStamp = () => Number(readFileSync(stamps, 'utf8').trim().split('\n').at(-1)) * 1000;

/** Ray's REST API over node:http (fetch gets 405 from Ray on POST/PUT: shared/RAY.md). */
function ray(cluster, token, method, path, body, type = 'application/json') {
  return new Promise((resolveAnswer, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers = { authorization: `Bearer ${token}` };
    if (payload) Object.assign(headers, { 'content-type': type, 'content-length': payload.length });
    const req = request(new URL(path, cluster.address), { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolveAnswer({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The folder as Ray's package (files at the zip's root), named after its hash, as the bridge makes it. */
async function zipFolder(dir) {
  const zip = new yazl.ZipFile();
  zip.addBuffer(readFileSync(join(dir, 'first.py')), 'first.py', { mtime: new Date('2000-01-01T00:00:00Z') });
  zip.end();
  const chunks = [];
  for await (const c of zip.outputStream) chunks.push(c);
  const bytes = Buffer.concat(chunks);
  return { name: `_ray_pkg_${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.zip`, bytes };
}

function run(command, args, env) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

/** When the bridge had rank 0's first line, over the training's log WebSocket. */
function firstChunk(bridge, id) {
  return new Promise((resolveAt, reject) => {
    const url = new URL(`${bridge.url}/api/v1/trainings/${id}/log/stream`);
    url.protocol = 'ws:';
    url.searchParams.set('rank', '0');
    // the token as the bridge takes it on a socket: a subprotocol (shared/src/api/socket-auth.ts)
    const socket = new WebSocket(url, ['emkit', `emkit.bearer.${Buffer.from(bridge.token).toString('base64url')}`]);
    let at;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'chunk' && at === undefined && message.text.includes('first line')) at = nowMs();
      if (message.type === 'end') socket.close();
    });
    socket.on('close', () => resolveAt(at));
    socket.on('error', reject);
  });
}

async function training(bridge, body) {
  const t0 = nowMs();
  const t = await api(bridge, 'POST', '/trainings', { source: { path: join(source, 'first.py') }, ...body });
  const seen = firstChunk(bridge, t.id);
  let done;
  for (;;) {
    done = await api(bridge, 'GET', `/trainings/${t.id}`);
    if (done.endedAt) break;
    await sleep(20);
  }
  if (done.state !== 'COMPLETE') throw new Error(`${done.name}: ${done.state} ${done.stateReason}`);
  const seenAt = await seen;
  return { first: lastStamp() - t0, seen: seenAt === undefined ? Number.NaN : seenAt - t0 };
}

async function rayRest(cluster, token) {
  const t0 = nowMs();
  const pkg = await zipFolder(source);
  const path = `/api/packages/gcs/${pkg.name}`;
  if ((await ray(cluster, token, 'GET', path)).status === 404) {
    const put = await ray(cluster, token, 'PUT', path, pkg.bytes, 'application/octet-stream');
    if (put.status !== 200) throw new Error(`package upload: ${put.status} ${put.text}`);
  }
  const job = await ray(cluster, token, 'POST', '/api/jobs/', {
    entrypoint: 'python first.py',
    runtime_env: { working_dir: `gcs://${pkg.name}` },
  });
  if (job.status !== 200) throw new Error(`job submit: ${job.status} ${job.text}`);
  const id = JSON.parse(job.text).submission_id;
  for (;;) {
    const state = JSON.parse((await ray(cluster, token, 'GET', `/api/jobs/${id}`)).text);
    if (['SUCCEEDED', 'FAILED', 'STOPPED'].includes(state.status)) {
      if (state.status !== 'SUCCEEDED') throw new Error(`Ray job ${id}: ${state.status} ${state.message}`);
      break;
    }
    await sleep(20);
  }
  return lastStamp() - t0;
}

async function rayCli(cluster, tokenFile) {
  const t0 = nowMs();
  await run(RAY, ['job', 'submit', '--address', cluster.address, '--working-dir', source, '--', 'python', 'first.py'], {
    RAY_AUTH_MODE: 'token',
    RAY_AUTH_TOKEN_PATH: tokenFile,
    RAY_USAGE_STATS_ENABLED: '0',
  });
  return lastStamp() - t0;
}

async function main() {
  const bridge = await startBridge(join(root, 'home'));
  try {
    let cluster = await api(bridge, 'POST', '/clusters', {
      name: 'bench',
      local: { nodes: 2, cpusPerNode: 1, memoryMbPerNode: 512 },
    });
    for (let i = 0; i < 300 && cluster.state === 'STARTING'; i += 1) {
      await sleep(1000);
      cluster = await api(bridge, 'GET', '/clusters/bench');
    }
    if (cluster.state !== 'REACHABLE') throw new Error(`the cluster is ${cluster.state}: ${cluster.stateReason}`);
    const tokenFile = join(bridge.home, 'clusters', cluster.id, 'token');
    const token = readFileSync(tokenFile, 'utf8').trim();

    const results = { local: [], cluster: [], seen: [], rest: [], cli: [] };
    // once each, untimed: the nodes' first workers and file caches
    await training(bridge, {});
    await training(bridge, { cluster: 'bench' });
    await rayRest(cluster, token);
    for (let i = 0; i < RUNS; i += 1) {
      results.local.push((await training(bridge, {})).first);
      const c = await training(bridge, { cluster: 'bench' });
      results.cluster.push(c.first);
      results.seen.push(c.seen);
      results.rest.push(await rayRest(cluster, token));
      results.cli.push(await rayCli(cluster, tokenFile));
    }
    const over = median(results.cluster) - median(results.rest);
    process.stdout.write(`\nsubmit → first line of user code, ${RUNS} runs each, in turns, medians (2-node local cluster):\n`);
    process.stdout.write(`  local training                     ${f(median(results.local))}\n`);
    process.stdout.write(`  cluster training                   ${f(median(results.cluster))}\n`);
    process.stdout.write(`    … that line at the bridge        ${f(median(results.seen))}\n`);
    process.stdout.write(`  Ray job alone (Jobs REST API)      ${f(median(results.rest))}\n`);
    process.stdout.write(`  Ray job alone (\`ray job submit\`)   ${f(median(results.cli))}\n`);
    process.stdout.write(
      `  emkit over Ray's REST job: ${f(over).trim()} (aim < ${AIM_OVER_RAY_MS} ms: ${over < AIM_OVER_RAY_MS ? 'met' : 'NOT met'})\n`,
    );
    process.stdout.write(
      `  all runs: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map(Math.round)])))}\n`,
    );
    await api(bridge, 'DELETE', '/clusters/bench');
  } finally {
    await stopBridge(bridge);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
