#!/usr/bin/env node
// Foundation benchmark of the server-bridge (`npm run bench`). A measurement, not a test:
// it prints figures next to their aims and never fails on them.
//
//   (a) start-to-healthy: spawn `emkit serve` on a fresh home, time to the first 200 of
//       /api/v1/health (polled every 5 ms); the same for a bare node:http server, for scale
//   (b) 10,000 experiments, then sequential GET latencies of the list and of one experiment
//   (c) the bridge's RSS right after start and idle after the load
//
// Needs the built bridge (`npx tsc -b`). Node built-ins and global fetch only.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(repo, 'server-bridge', 'dist', 'emkit.mjs');
const NODE = process.execPath;

const START_RUNS = 5;
const EXPERIMENTS = 10_000;
const CREATE_CONCURRENCY = 50;
const WARMUP = 200;
const SAMPLES = 2_000;
const POLL_MS = 5;
const START_TIMEOUT_MS = 30_000;
const IDLE_WAIT_MS = 3_000;
// V8 gives back the young generation a burst grew only once it sees the allocation rate drop, which it judges over
// 5 s: the bridge collects after 5.5 s without a request (server-bridge/src/runtime/idle-gc.ts). Idle RSS is read
// at 3 s, as before, and again once that has had its chance.
const QUIET_WAIT_MS = 8_000;

const AIM_START_MS = 500;
const AIM_LIST_P99_MS = 20;
const AIM_IDLE_RSS_MB = 100;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-'));
const children = new Set();

// ---------------------------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** nearest-rank percentile of an ascending array */
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];
const median = (xs) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const mb = (kb) => kb / 1024;

function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** A child process with its stdout lines watched and the tail of its stderr kept for errors. */
function launch(args, env = {}) {
  const child = spawn(NODE, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, EMKIT_HOME: '', EMKIT_URL: '', EMKIT_TOKEN: '', ...env },
  });
  children.add(child);
  let stdout = '';
  let stderrTail = '';
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  exited.then(() => children.delete(child));
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
  });
  return {
    child,
    exited,
    stdout: () => stdout,
    stderrTail: () => stderrTail,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * Spawn, then poll every POLL_MS: first for the URL (the line the process prints once it
 * listens), then for a 200 from the health route. Returns the ms from spawn to that 200.
 */
async function startAndTime(args, urlFrom, env) {
  const t0 = performance.now();
  const proc = launch(args, env);
  const deadline = t0 + START_TIMEOUT_MS;
  let url;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${args.join(' ')} exited while starting:\n${proc.stdout()}${proc.stderrTail()}`);
    }
    if (performance.now() > deadline) {
      await proc.stop();
      throw new Error(`${args.join(' ')} wasn't healthy within ${START_TIMEOUT_MS} ms`);
    }
    url ??= urlFrom(proc.stdout());
    if (url) {
      try {
        const response = await fetch(`${url}/api/v1/health`);
        await response.arrayBuffer();
        if (response.status === 200) return { proc, url, ms: performance.now() - t0 };
      } catch {
        // not listening yet
      }
    }
    await sleep(POLL_MS);
  }
}

const bridgeUrl = (stdout) => /emkit bridge (http:\/\/\S+)/.exec(stdout)?.[1];
const bareUrl = (stdout) => {
  const port = /^(\d+)$/m.exec(stdout)?.[1];
  return port && `http://127.0.0.1:${port}`;
};

let homes = 0;
function bridgeArgs() {
  const home = join(root, `home-${homes++}`);
  return { home, args: [MAIN_JS, 'serve', '--home', home, '--port', '0', '--kernels-dir', join(home, 'kernels')] };
}

const BARE_ARGS = [
  '-e',
  "require('http').createServer((q,s)=>s.end('ok')).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
];

function describe(label, xs) {
  const s = sorted(xs);
  return `${label.padEnd(34)} p50 ${ms(pct(s, 50)).padStart(9)}   p99 ${ms(pct(s, 99)).padStart(9)}   max ${ms(s[s.length - 1]).padStart(9)}`;
}

// ---------------------------------------------------------------------------------------------
// (a) start-to-healthy

async function measureStarts(label, makeArgs, urlFrom) {
  const times = [];
  const stops = [];
  // one unmeasured start first, so the page cache is as warm for the first sample as the last
  for (let i = 0; i <= START_RUNS; i++) {
    const { proc, ms: took } = await startAndTime(makeArgs(), urlFrom);
    const t = performance.now();
    const { code } = await proc.stop();
    if (i > 0) {
      times.push(took);
      stops.push(performance.now() - t);
    }
    if (code !== 0 && code !== null && label === 'bridge') throw new Error(`the bridge exited with ${code} on SIGTERM`);
  }
  return { times, stops };
}

// ---------------------------------------------------------------------------------------------
// (b) load

async function call(base, token, path, init = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });
  const body = await response.arrayBuffer();
  return { status: response.status, body };
}

async function createExperiments(base, token, count, concurrency) {
  let next = 0;
  const latencies = [];
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const name = `bench-${String(i).padStart(5, '0')}`;
      const t = performance.now();
      const { status, body } = await call(base, token, '/api/v1/experiments', {
        method: 'POST',
        body: JSON.stringify({ name, description: `benchmark experiment ${i}` }),
      });
      latencies.push(performance.now() - t);
      if (status !== 201) throw new Error(`creating ${name}: HTTP ${status} ${Buffer.from(body).toString()}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

async function latency(base, token, pathFor) {
  for (let i = 0; i < WARMUP; i++) {
    const { status } = await call(base, token, pathFor(i));
    if (status !== 200) throw new Error(`GET ${pathFor(i)}: HTTP ${status}`);
  }
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) {
    const path = pathFor(WARMUP + i);
    const t = performance.now();
    const { status } = await call(base, token, path);
    samples.push(performance.now() - t);
    if (status !== 200) throw new Error(`GET ${path}: HTTP ${status}`);
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(MAIN_JS)) {
    console.error(`bench: ${MAIN_JS} doesn't exist; build first (npm run build)`);
    process.exitCode = 1;
    return;
  }
  console.log(`emkit foundation benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`temp dir ${root}\n`);

  // (a)
  console.log(
    `(a) start-to-healthy: spawn → first 200 of /api/v1/health, polled every ${POLL_MS} ms; ${START_RUNS} runs after 1 warm-up`,
  );
  const bare = await measureStarts('bare', () => BARE_ARGS, bareUrl);
  const bridge = await measureStarts('bridge', () => bridgeArgs().args, bridgeUrl);
  const bridgeMedian = median(bridge.times);
  const bareMedian = median(bare.times);
  console.log(`    bare node http   median ${ms(bareMedian).padStart(9)}   min ${ms(Math.min(...bare.times)).padStart(9)}`);
  console.log(
    `    emkit bridge     median ${ms(bridgeMedian).padStart(9)}   min ${ms(Math.min(...bridge.times)).padStart(9)}   ` +
      `(runs: ${bridge.times.map((t) => t.toFixed(0)).join(', ')} ms)`,
  );
  console.log(`    ratio bridge / bare node http (medians): ${(bridgeMedian / bareMedian).toFixed(2)}×`);
  console.log(`    bridge SIGTERM → exit: median ${ms(median(bridge.stops))}\n`);

  // (b) + (c)
  const { home, args } = bridgeArgs();
  const { proc, url: base, ms: startMs } = await startAndTime(args, bridgeUrl);
  const pid = proc.child.pid;
  const runtime = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8'));
  if (runtime.pid !== pid) throw new Error(`runtime.json names pid ${runtime.pid}, the spawned bridge is ${pid}`);
  const token = runtime.token;
  await sleep(200);
  const rssStart = rssKb(pid);
  console.log(`(b) load — bridge pid ${pid}, healthy after ${ms(startMs)}`);

  const created = await createExperiments(base, token, EXPERIMENTS, CREATE_CONCURRENCY);
  const createdSorted = sorted(created.latencies);
  console.log(
    `    created ${EXPERIMENTS} experiments with ${CREATE_CONCURRENCY} concurrent requests in ${created.seconds.toFixed(2)} s ` +
      `(${Math.round(EXPERIMENTS / created.seconds)} req/s; per request p50 ${ms(pct(createdSorted, 50))}, p99 ${ms(pct(createdSorted, 99))})`,
  );
  const status = JSON.parse(Buffer.from((await call(base, token, '/api/v1/status')).body).toString());
  if (status.counts.experiments !== EXPERIMENTS) {
    throw new Error(`status counts ${status.counts.experiments} experiments, expected ${EXPERIMENTS}`);
  }
  const rssLoaded = rssKb(pid);

  console.log(`    sequential GETs, ${SAMPLES} samples after ${WARMUP} warm-ups (client-side, keep-alive, body read):`);
  const list100 = await latency(base, token, () => '/api/v1/experiments');
  console.log(`    ${describe('GET /experiments (limit 100)', list100)}`);
  const list1000 = await latency(base, token, () => '/api/v1/experiments?limit=1000');
  console.log(`    ${describe('GET /experiments?limit=1000', list1000)}`);
  const one = await latency(base, token, (i) => `/api/v1/experiments/bench-${String((i * 7919) % EXPERIMENTS).padStart(5, '0')}`);
  console.log(`    ${describe('GET /experiments/{name}', one)}\n`);

  await sleep(IDLE_WAIT_MS);
  const rssIdle = rssKb(pid);
  await sleep(QUIET_WAIT_MS - IDLE_WAIT_MS);
  const rssQuiet = rssKb(pid);
  console.log(`(c) memory (VmRSS of pid ${pid})`);
  console.log(`    right after start             ${mb(rssStart.rss).toFixed(1).padStart(7)} MB`);
  console.log(`    after creating ${EXPERIMENTS}      ${mb(rssLoaded.rss).toFixed(1).padStart(7)} MB`);
  console.log(
    `    idle ${IDLE_WAIT_MS / 1000} s after the GETs       ${mb(rssIdle.rss).toFixed(1).padStart(7)} MB   (peak VmHWM ${mb(rssIdle.hwm).toFixed(1)} MB)`,
  );
  console.log(`    idle ${QUIET_WAIT_MS / 1000} s after the GETs       ${mb(rssQuiet.rss).toFixed(1).padStart(7)} MB\n`);

  const t = performance.now();
  const { code } = await proc.stop();
  const stopMs = performance.now() - t;

  const list99 = pct(sorted(list100), 99);
  const rows = [
    ['start-to-healthy (median of 5)', `< ${AIM_START_MS} ms`, ms(bridgeMedian), bridgeMedian < AIM_START_MS],
    ['GET /experiments p99 (limit 100)', `< ${AIM_LIST_P99_MS} ms`, ms(list99), list99 < AIM_LIST_P99_MS],
    [
      `idle RSS (10k exp., ${QUIET_WAIT_MS / 1000} s quiet)`,
      `< ${AIM_IDLE_RSS_MB} MB`,
      `${mb(rssQuiet.rss).toFixed(1)} MB`,
      mb(rssQuiet.rss) < AIM_IDLE_RSS_MB,
    ],
  ];
  console.log('summary');
  console.log(`    ${'measure'.padEnd(34)}${'aim'.padEnd(12)}${'figure'.padEnd(12)}`);
  for (const [name, aim, figure, met] of rows) {
    console.log(`    ${name.padEnd(34)}${aim.padEnd(12)}${figure.padEnd(12)}${met ? 'met' : 'MISSED'}`);
  }
  console.log(
    `    (also: bridge / bare node start ${(bridgeMedian / bareMedian).toFixed(2)}×, list limit=1000 p99 ${ms(pct(sorted(list1000), 99))}, ` +
      `get-one p99 ${ms(pct(sorted(one), 99))}, RSS after start ${mb(rssStart.rss).toFixed(1)} MB, ` +
      `stop after the load ${ms(stopMs)} exit ${code})`,
  );
}

async function cleanup() {
  await Promise.all(
    [...children].map(async (child) => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
      clearTimeout(timer);
    }),
  );
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
