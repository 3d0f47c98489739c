#!/usr/bin/env node
// Serving benchmark (`npm run bench:serving`). A measurement, not a test: it prints figures
// next to their aims, measured side by side in one run, and never fails on them (only on
// errors: a target that doesn't start, a request that isn't answered 200 with the model's
// prediction).
//
// One scikit-learn model (a LogisticRegression fitted on iris), made at the start with the
// project's .venv, served four ways:
//   - one emkit model worker, called straight at its Unix socket (POST /predict), as the
//     bridge calls its workers; and, for scale, through a bare 20-line node:http proxy in
//     front of that socket (the least any Node gateway costs here)
//   - the bridge's inference gateway in front of an endpoint with 1 instance, and in front
//     of a stage with 2 (POST /inference/{endpoint}[/{stage}], with the bridge token)
//   - `mlflow models serve` (its default: 1 uvicorn worker) on the same model saved with
//     mlflow.sklearn.save_model (POST /invocations). Not -w 2: in its multi-process mode
//     uvicorn binds a socket without IPPROTO_TCP, so asyncio never sets TCP_NODELAY on its
//     connections and every keep-alive answer waits ~40 ms for a delayed ACK; that is all a
//     row for it would measure.
// and measured the same way for all: a keep-alive node:http Agent; sequential requests on
// one connection for latency (p50/p99), then CONNECTIONS connections for throughput, with
// the CPU time each request costs the load generator, the gateway and the model's processes
// (from /proc: on 2 cores they compete, and that decides the throughput). Targets take
// turns in ROUNDS rounds, so that a slow spell of the machine falls on all.
//
//   (a) gateway overhead: gateway p50 − direct p50 (aim < 0.5 ms)
//   (b) throughput through the gateway with 1 and with 2 instances
//   (c) against MLflow: emkit gateway throughput / MLflow's (aim ≥ 2×) at no worse p99
//
// Needs the built bridge (`npm run build`) and the project's .venv with scikit-learn and
// mlflow in it (`npm run setup`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(repo, 'server-bridge', 'dist', 'emkit.mjs');
const VENV_BIN = join(repo, '.venv', 'bin');
const PYTHON = join(VENV_BIN, 'python');
const MLFLOW = join(VENV_BIN, 'mlflow');
const PYTHONPATH = join(repo, 'server-bridge', 'python', 'src');

const ROUNDS = 4;
const SEQ_WARMUP = 50; // per round, on the round's fresh connection
const SEQ_SAMPLES = 500; // per round: 2,000 in all
const CONNECTIONS = 8;
const LOAD_MS = 1_500; // per round: 6 s in all
const LOAD_WARMUP_MS = 200; // per round, before counting
const START_TIMEOUT_MS = 120_000;

const AIM_OVERHEAD_MS = 0.5;
const AIM_VS_MLFLOW = 2;

const INSTANCE = [5.1, 3.5, 1.4, 0.2];
const BODY = Buffer.from(JSON.stringify({ instances: [INSTANCE] }));

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-serving-'));
const children = new Set();

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => Float64Array.from(xs).sort();
/** nearest-rank percentile of an ascending array */
const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const rate = (x) => `${Math.round(x).toLocaleString('en')}/s`;
const ratio = (x) => `${x.toFixed(2)}×`;

/** A child process in its own process group, the tail of its output kept for errors. */
function launch(label, command, args, { env = {}, cwd = root, onStdout } = {}) {
  const child = spawn(command, args, {
    cwd,
    detached: true, // its own group: `mlflow models serve` runs uvicorn in a child of its own
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk).slice(-4000);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    keep(chunk);
    onStdout?.(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  exited.then(() => children.delete(child));
  return {
    label,
    child,
    exited,
    tail: () => tail,
    alive: () => child.exitCode === null && child.signalCode === null,
    failed: () => new Error(`${label} exited (${child.exitCode ?? child.signalCode}) while starting:\n${tail}`),
  };
}

async function stop(child, grace = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), grace);
  await exited;
  clearTimeout(timer);
}

function run(label, command, args, options) {
  const proc = launch(label, command, args, options);
  return proc.exited.then(({ code, signal }) => {
    if (code !== 0) throw new Error(`${label} failed (${code ?? signal}):\n${proc.tail()}`);
  });
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// the model

const MAKE_MODELS = `
import os, sys, warnings
warnings.filterwarnings("ignore")
import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
emkit_dir, mlflow_dir = sys.argv[1], sys.argv[2]
os.makedirs(emkit_dir)
joblib.dump(model, os.path.join(emkit_dir, "model.joblib"))
import mlflow.sklearn
# cloudpickle, not mlflow 3's default skops: skops imports every scikit-learn estimator (and
# torch) when it saves and loads, which costs ~10 s at both ends and nothing per request
mlflow.sklearn.save_model(model, mlflow_dir, pip_requirements=["scikit-learn"],
                          serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE)
print(int(model.predict([${JSON.stringify(INSTANCE)}])[0]))
`;

async function makeModels() {
  const emkitDir = join(root, 'model-emkit');
  const mlflowDir = join(root, 'model-mlflow');
  writeFileSync(join(root, 'make_models.py'), MAKE_MODELS);
  let out = '';
  await run('making the models', PYTHON, [join(root, 'make_models.py'), emkitDir, mlflowDir], {
    onStdout: (chunk) => {
      out += chunk;
    },
  });
  const expected = Number(out.trim().split('\n').at(-1));
  if (!Number.isInteger(expected)) throw new Error(`making the models printed no prediction: ${out}`);
  return { emkitDir, mlflowDir, expected };
}

// ---------------------------------------------------------------------------------------------
// the servers

async function startWorker(modelDir) {
  let out = '';
  let ready;
  const proc = launch(
    'the emkit worker',
    PYTHON,
    ['-m', 'emkit.serving', '--model-dir', modelDir, '--framework', 'scikit-learn', '--socket', join(root, 'w.sock')],
    {
      env: { PYTHONPATH },
      onStdout: (chunk) => {
        out += chunk;
        const line = /^EMKIT_WORKER_READY (\{.*\})$/m.exec(out)?.[1];
        if (line && !ready) ready = JSON.parse(line);
      },
    },
  );
  const deadline = performance.now() + START_TIMEOUT_MS;
  while (!ready) {
    if (!proc.alive()) throw proc.failed();
    if (performance.now() > deadline) throw new Error(`the emkit worker wasn't ready within ${START_TIMEOUT_MS} ms`);
    await sleep(20);
  }
  return { proc, socketPath: ready.socket };
}

/**
 * For scale: the least a Node gateway does, as a separate process (20 lines of node:http:
 * read the body, POST it to the worker over a keep-alive Agent, send the answer back; no
 * auth, no routing, no logs). What emkit's gateway adds over it is emkit's own.
 */
const PROXY = `
const http = require('node:http');
const upstream = process.argv[1]; // the worker's Unix socket
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { 'content-type': 'application/json', 'content-length': body.length };
    const up = http.request({ socketPath: upstream, method: 'POST', path: '/predict', agent, headers }, (r) => {
      const out = [];
      r.on('data', (c) => out.push(c));
      r.on('end', () => {
        const answer = Buffer.concat(out);
        res.writeHead(r.statusCode, { 'content-type': 'application/json', 'content-length': answer.length });
        res.end(answer);
      });
    });
    up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    up.end(body);
  });
}).listen(0, '127.0.0.1', function () { console.log('PORT ' + this.address().port); });
`;

async function startProxy(upstreamSocket) {
  let out = '';
  const proc = launch('the reference proxy', process.execPath, ['-e', PROXY, upstreamSocket], {
    onStdout: (chunk) => {
      out += chunk;
    },
  });
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!proc.alive()) throw proc.failed();
    if (performance.now() > deadline) throw new Error(`the reference proxy didn't start:\n${proc.tail()}`);
    const port = /^PORT (\d+)$/m.exec(out)?.[1];
    if (port) return { proc, port: Number(port) };
    await sleep(20);
  }
}

async function startMlflow(modelDir) {
  const port = await freePort();
  const args = ['models', 'serve', '-m', modelDir, '--env-manager', 'local', '--host', '127.0.0.1', '-p', String(port)];
  const proc = launch('mlflow models serve', MLFLOW, args, {
    // uvicorn (and gunicorn) are found on the PATH
    env: { PATH: `${VENV_BIN}:${process.env.PATH}`, MLFLOW_TRACKING_URI: `file://${join(root, 'mlruns')}` },
  });
  const t0 = performance.now();
  for (;;) {
    if (!proc.alive()) throw proc.failed();
    if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`${proc.label} wasn't up within ${START_TIMEOUT_MS} ms`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ping`);
      await response.arrayBuffer();
      if (response.status === 200) return { proc, port, startMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
}

async function startBridge() {
  const home = join(root, 'home');
  let out = '';
  const proc = launch(
    'the bridge',
    process.execPath,
    [MAIN_JS, 'serve', '--home', home, '--port', '0', '--kernels-dir', join(home, 'k'), '--python', PYTHON],
    {
      env: { PATH: `${VENV_BIN}:${process.env.PATH}`, EMKIT_HOME: '', EMKIT_URL: '', EMKIT_TOKEN: '' },
      onStdout: (chunk) => {
        out += chunk;
      },
    },
  );
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    if (!proc.alive()) throw proc.failed();
    if (performance.now() > deadline) throw new Error(`the bridge didn't start:\n${proc.tail()}`);
    const url = /emkit bridge (http:\/\/\S+)/.exec(out)?.[1];
    if (url && existsSync(join(home, 'runtime.json'))) {
      const { token } = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8'));
      const { port } = new URL(url);
      return { proc, url, port: Number(port), token };
    }
    await sleep(50);
  }
}

async function api(bridge, method, path, body) {
  const response = await fetch(`${bridge.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bridge.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) {
    const hint =
      response.status === 404 && path.startsWith('/api/v1/endpoints')
        ? ' (this bridge has no endpoints API: build the current tree with `npm run build`)'
        : '';
    throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}${hint}`);
  }
  return text ? JSON.parse(text) : null;
}

/** Poll until `get()` is ACTIVE; a *FAILED state is an error with its reason. */
async function untilActive(what, get) {
  const deadline = performance.now() + START_TIMEOUT_MS;
  for (;;) {
    const resource = await get();
    if (resource.state === 'ACTIVE') return resource;
    if (resource.state.endsWith('FAILED')) throw new Error(`${what} is ${resource.state}: ${resource.stateReason}`);
    if (performance.now() > deadline) throw new Error(`${what} wasn't ACTIVE within ${START_TIMEOUT_MS} ms (${resource.state})`);
    await sleep(50);
  }
}

/** The model in the bridge's registry, an endpoint (1 instance) and a stage "two" (2 instances). */
async function deploy(bridge, modelDir) {
  const t0 = performance.now();
  const model = await api(bridge, 'POST', '/api/v1/models', {
    name: 'iris-logreg',
    artifactPath: modelDir,
    framework: 'scikit-learn',
  });
  await api(bridge, 'POST', '/api/v1/endpoints', { name: 'bench', model: model.id, instanceCount: 1 });
  const endpoint = await untilActive('endpoint "bench"', () => api(bridge, 'GET', '/api/v1/endpoints/bench'));
  const oneMs = performance.now() - t0;
  const t1 = performance.now();
  await api(bridge, 'POST', '/api/v1/endpoints/bench/stages', { name: 'two', model: model.id, instanceCount: 2 });
  const stage = await untilActive('stage "two"', () => api(bridge, 'GET', '/api/v1/endpoints/bench/stages/two'));
  const twoMs = performance.now() - t1;
  const ready = stage.instances.filter((i) => i.state === 'READY').length;
  if (ready !== 2) throw new Error(`stage "two" is ACTIVE with ${ready} READY instances, not 2`);
  return { endpoint, stage, oneMs, twoMs };
}

// ---------------------------------------------------------------------------------------------
// CPU time, from /proc: what each request costs whom, the figure 2 cores make matter

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** /proc/PID/stat's fields after the command name (field 3, the state, first); null once it's gone */
function stat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** user + system CPU ms of these processes so far */
function cpuMs(pids) {
  let ticks = 0;
  for (const pid of pids) {
    const fields = stat(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLK_TCK;
}

/** every process in a process group (`mlflow models serve` and the uvicorn it runs) */
function group(pgid) {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => Number(stat(pid)?.[2]) === pgid);
}

// ---------------------------------------------------------------------------------------------
// load

/** One POST; resolves to the predicted class, or rejects on anything but 200 with a prediction. */
function post(target, agent) {
  return new Promise((resolvePost, reject) => {
    const req = request(
      {
        agent,
        ...target.address,
        method: 'POST',
        path: target.path,
        headers: { ...target.headers, 'content-type': 'application/json', 'content-length': BODY.length },
      },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let prediction;
          try {
            prediction = JSON.parse(text).predictions?.[0];
          } catch {
            // said below
          }
          if (response.statusCode !== 200 || prediction !== target.expected) {
            reject(new Error(`${target.label}: POST ${target.path} answered ${response.statusCode} ${text.slice(0, 300)}`));
          } else {
            resolvePost(prediction);
          }
        });
      },
    );
    req.on('error', (error) => reject(new Error(`${target.label}: POST ${target.path}: ${error.message}`)));
    req.end(BODY);
  });
}

/** Sequential requests on one keep-alive connection: SEQ_WARMUP, then SEQ_SAMPLES timed. */
async function sequential(target) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < SEQ_WARMUP; i++) await post(target, agent);
    for (let i = 0; i < SEQ_SAMPLES; i++) {
      const t = performance.now();
      await post(target, agent);
      target.seq.push(performance.now() - t);
    }
  } finally {
    agent.destroy();
  }
}

/** CONNECTIONS closed loops for LOAD_WARMUP_MS + LOAD_MS; counts what completes in the last LOAD_MS. */
async function concurrent(target) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const pids = { front: target.cpu.front, back: await target.cpu.back() };
  const before = { client: process.cpuUsage(), front: cpuMs(pids.front), back: cpuMs(pids.back) };
  const start = performance.now();
  const from = start + LOAD_WARMUP_MS;
  const until = from + LOAD_MS;
  let done = 0;
  let all = 0;
  const loop = async () => {
    for (;;) {
      const t = performance.now();
      if (t >= until) return;
      await post(target, agent);
      all++;
      const end = performance.now();
      if (t >= from && end <= until) target.load.push(end - t);
      if (end > from && end <= until) done++;
    }
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  } finally {
    agent.destroy();
  }
  const client = process.cpuUsage(before.client);
  target.cpu.client += (client.user + client.system) / 1000;
  target.cpu.frontMs += cpuMs(pids.front) - before.front;
  target.cpu.backMs += cpuMs(pids.back) - before.back;
  target.cpu.requests += all;
  target.done += done;
  target.loadMs += LOAD_MS;
}

function summarize(target) {
  const seq = sorted(target.seq);
  const load = sorted(target.load);
  return {
    ...target,
    p50: pct(seq, 50),
    p99: pct(seq, 99),
    loadP50: pct(load, 50),
    loadP99: pct(load, 99),
    rps: target.done / (target.loadMs / 1000),
    // µs of CPU per request, in the concurrent phase: the load generator, the gateway, the model server
    cpuClient: (target.cpu.client * 1000) / target.cpu.requests,
    cpuFront: target.cpu.front.length ? (target.cpu.frontMs * 1000) / target.cpu.requests : null,
    cpuBack: (target.cpu.backMs * 1000) / target.cpu.requests,
  };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  for (const [path, what] of [
    [MAIN_JS, 'the built bridge: run `npm run build`'],
    [PYTHON, 'the project .venv: run `npm run setup`'],
    [MLFLOW, 'mlflow in .venv (requirements-dev.txt): run `npm run setup`'],
  ]) {
    if (!existsSync(path)) throw new Error(`missing ${path}: ${what}`);
  }
  const t0 = performance.now();
  console.log(`emkit serving benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);

  const { emkitDir, mlflowDir, expected } = await makeModels();
  console.log(`model: LogisticRegression on iris, made in ${ms(performance.now() - t0)}; body ${BODY} → class ${expected}`);

  // everything starts at once; the measuring waits for all of it
  const t1 = performance.now();
  const [worker, mlflow, gateway] = await Promise.all([
    startWorker(emkitDir).then(async (w) => ({ ...w, proxy: await startProxy(w.socketPath) })),
    startMlflow(mlflowDir),
    startBridge().then(async (bridge) => ({ bridge, ...(await deploy(bridge, emkitDir)) })),
  ]);
  const { bridge } = gateway;
  console.log(
    `started in ${ms(performance.now() - t1)}: endpoint ACTIVE ${ms(gateway.oneMs)} after POST /models, stage "two" ${ms(gateway.twoMs)} ` +
      `after its POST; mlflow models serve answered /ping ${ms(mlflow.startMs)} after its start`,
  );

  const auth = { authorization: `Bearer ${bridge.token}` };
  // the stage's workers as they are when measured (a restarted one has a new pid)
  const stagePids = (name) => async () => {
    const stage = await api(bridge, 'GET', `/api/v1/endpoints/bench/stages/${name}`);
    return stage.instances.map((i) => i.pid).filter((pid) => pid !== null);
  };
  const defaultStage = gateway.endpoint.defaultStage ?? 'default';
  /** `at`: a port on 127.0.0.1, or the path of a Unix socket */
  const target = (label, at, path, headers, front, back) => ({
    label,
    address: typeof at === 'number' ? { host: '127.0.0.1', port: at } : { socketPath: at },
    path,
    headers,
    expected,
    seq: [],
    load: [],
    done: 0,
    loadMs: 0,
    cpu: { front, back, client: 0, frontMs: 0, backMs: 0, requests: 0 },
  });
  const workerPid = () => [worker.proc.child.pid];
  const direct = target('emkit worker, direct (POST /predict)', worker.socketPath, '/predict', {}, [], workerPid);
  const proxy = target(
    '  bare node:http proxy → that worker',
    worker.proxy.port,
    '/predict',
    {},
    [worker.proxy.proc.child.pid],
    workerPid,
  );
  const gw1 = target(
    'emkit gateway, 1 instance',
    bridge.port,
    '/inference/bench',
    auth,
    [bridge.proc.child.pid],
    stagePids(defaultStage),
  );
  const gw2 = target(
    'emkit gateway, 2 instances (stage)',
    bridge.port,
    '/inference/bench/two',
    auth,
    [bridge.proc.child.pid],
    stagePids('two'),
  );
  const ml = target('mlflow models serve (1 worker)', mlflow.port, '/invocations', {}, [], () => group(mlflow.proc.child.pid));
  const targets = [direct, proxy, gw1, gw2, ml];

  console.log(
    `\nmeasuring: ${ROUNDS} rounds, targets in turn; each round ${SEQ_SAMPLES} sequential requests on 1 keep-alive connection ` +
      `(after ${SEQ_WARMUP} untimed), then ${CONNECTIONS} connections for ${LOAD_MS / 1000} s (after ${LOAD_WARMUP_MS} ms untimed)`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    // a different order each round, so no target always follows the same one
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const t of order) await sequential(t);
    for (const t of order) await concurrent(t);
  }

  const [d, px, g1, g2, m] = targets.map(summarize);

  // --- report ---------------------------------------------------------------------------------
  const w = 37;
  const col = (x, n = 10) => String(x).padStart(n);
  const us = (x) => (x === null ? '—' : `${Math.round(x)}`);
  const signed = (x) => `${x < 0 ? '−' : '+'}${ms(Math.abs(x))}`;
  console.log(
    `\n${''.padEnd(w)}${col('1 connection', 20)}${col(`${CONNECTIONS} connections`, 33)}${col('CPU µs / request', 27)}\n` +
      `${'target'.padEnd(w)}${col('p50')}${col('p99')}${col('requests', 13)}${col('p50')}${col('p99')}` +
      `${col('client', 9)}${col('gateway', 9)}${col('model', 9)}`,
  );
  for (const r of [d, px, g1, g2, m]) {
    console.log(
      `${r.label.padEnd(w)}${col(ms(r.p50))}${col(ms(r.p99))}${col(rate(r.rps), 13)}${col(ms(r.loadP50))}${col(ms(r.loadP99))}` +
        `${col(us(r.cpuClient), 9)}${col(us(r.cpuFront), 9)}${col(us(r.cpuBack), 9)}`,
    );
  }
  console.log(
    `(CPU per request: of the load generator, of the bridge or proxy, and of the model's processes, ` +
      `in the ${CONNECTIONS}-connection phase; ${cpus().length} cores share all three)`,
  );
  const overhead = g1.p50 - d.p50;
  console.log(
    `\n(a) gateway overhead, 1 connection: p50 ${signed(overhead)}, p99 ${signed(g1.p99 - d.p99)} over the worker direct`,
  );
  console.log(`    throughput through the gateway / direct (${CONNECTIONS} connections): ${ratio(g1.rps / d.rps)}`);
  console.log(
    `    for scale, a bare node:http proxy in front of the worker: p50 ${signed(px.p50 - d.p50)}, throughput ${ratio(px.rps / d.rps)}; ` +
      `the gateway over that proxy: p50 ${signed(g1.p50 - px.p50)}, throughput ${ratio(g1.rps / px.rps)}, ` +
      `CPU ${us(g1.cpuFront)} vs ${us(px.cpuFront)} µs per request`,
  );
  console.log(
    `(b) gateway throughput, 2 instances / 1 instance: ${ratio(g2.rps / g1.rps)}  (${rate(g2.rps)} vs ${rate(g1.rps)})`,
  );
  const perRequest = (r) => r.cpuClient + r.cpuFront + r.cpuBack;
  const ceiling = (r) => (cpus().length * 1e6) / perRequest(r);
  console.log(
    `    CPU per request, load generator + gateway + model: ${us(perRequest(g1))} µs (2 instances: ${us(perRequest(g2))} µs), ` +
      `so ${cpus().length} cores serve at most ~${rate(ceiling(g1))} (~${rate(ceiling(g2))}) whatever the instances; ` +
      `measured ${Math.round((100 * g1.rps) / ceiling(g1))} % (${Math.round((100 * g2.rps) / ceiling(g2))} %) of that` +
      `${g2.rps >= 0.8 * ceiling(g2) ? ': a second instance needs cores to spare' : ''}`,
  );
  console.log(
    `(c) emkit gateway / mlflow models serve, 1 worker each: throughput ${ratio(g1.rps / m.rps)}; ` +
      `p99 ${ms(g1.p99)} vs ${ms(m.p99)} on 1 connection, ${ms(g1.loadP99)} vs ${ms(m.loadP99)} at ${CONNECTIONS} connections; ` +
      `p50 ${ms(g1.p50)} vs ${ms(m.p50)}`,
  );

  const p99NoWorse = g1.p99 <= m.p99 && g1.loadP99 <= m.loadP99;
  const rows = [
    ['gateway overhead p50', `< ${AIM_OVERHEAD_MS} ms`, ms(overhead), overhead < AIM_OVERHEAD_MS],
    ['gateway / mlflow throughput', `≥ ${AIM_VS_MLFLOW}×`, ratio(g1.rps / m.rps), g1.rps / m.rps >= AIM_VS_MLFLOW],
    ['gateway p99 vs mlflow p99', 'no worse', `${ms(g1.p99)} / ${ms(g1.loadP99)}`, p99NoWorse],
  ];
  console.log('\nsummary (1 instance vs 1 mlflow worker; p99 sequential / under load)');
  console.log(`    ${'measure'.padEnd(32)}${'aim'.padEnd(12)}${'figure'.padEnd(22)}`);
  for (const [name, aim, figure, met] of rows) {
    console.log(`    ${name.padEnd(32)}${aim.padEnd(12)}${figure.padEnd(22)}${met ? 'met' : 'MISSED'}`);
  }
  console.log(`\nwhole bench ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function cleanup() {
  await Promise.all([...children].map((child) => stop(child)));
  rmSync(root, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
