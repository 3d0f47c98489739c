#!/usr/bin/env node
// Ray Serve stage benchmark (`npm run bench:ray-serve`). A measurement, not a test: it prints
// figures next to their aim, measured side by side in one run, and fails only on errors (a
// cluster that doesn't start, a request not answered 200).
//
// A real bridge starts a local two-node Ray cluster (`emkit cluster up`, 1 CPU per node) and
// serves a scikit-learn LogisticRegression (iris) as a stage on it: a Ray Serve application
// with 2 replicas. The same request then goes, in turns (ROUNDS rounds, so a slow spell of the
// machine falls on both):
//   - through the bridge's gateway (POST /inference/{endpoint}, the bridge token), and
//   - straight to Serve's HTTP proxy (POST {serveAddress}/emkit-{stage id}/predict),
// with a keep-alive node:http Agent: sequential requests on one connection for p50/p99, then
// CONNECTIONS connections for throughput. Aim: gateway overhead (p50 difference) under 1 ms.
//
// Needs the built bridge (`npm run build`) and Ray with Serve and scikit-learn in .venv.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { api, PYTHON, startBridge, stopBridge } from './bridge.mjs';

const ROUNDS = 3;
const SEQ_SAMPLES = 300;
const CONNECTIONS = 8;
const LOAD_MS = 2_000;
const AIM_OVERHEAD_MS = 1;
const BODY = Buffer.from(JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] }));

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-ray-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => Float64Array.from(xs).sort();
const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
const ms = (x) => `${x.toFixed(2)} ms`;

function post(agent, url, headers) {
  return new Promise((resolveAnswer, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode} ${Buffer.concat(chunks)}`));
        else resolveAnswer(Buffer.concat(chunks).toString());
      });
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function measure(url, headers) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  for (let i = 0; i < 30; i += 1) await post(agent, url, headers);
  const times = [];
  for (let i = 0; i < SEQ_SAMPLES; i += 1) {
    const t = performance.now();
    await post(agent, url, headers);
    times.push(performance.now() - t);
  }
  let done = 0;
  const end = performance.now() + LOAD_MS;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        await post(agent, url, headers);
        done += 1;
      }
    }),
  );
  agent.destroy();
  return { times, rate: done / (LOAD_MS / 1000) };
}

async function main() {
  const model = join(root, 'iris');
  const fit = spawnSync(PYTHON, [
    '-c',
    `import os, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
os.makedirs(${JSON.stringify(model)}, exist_ok=True)
joblib.dump(LogisticRegression(max_iter=500).fit(X, y), os.path.join(${JSON.stringify(model)}, "model.joblib"))`,
  ]);
  if (fit.status !== 0) throw new Error(`fitting the model failed: ${fit.stderr}`);

  const bridge = await startBridge(join(root, 'home'), ['--cluster-poll', '1']);
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
    await api(bridge, 'POST', '/models', { name: 'iris', artifactPath: model });
    await api(bridge, 'POST', '/endpoints', { name: 'iris', model: 'iris', cluster: 'bench', instanceCount: 2 });
    let stage;
    for (let i = 0; i < 300; i += 1) {
      stage = (await api(bridge, 'GET', '/endpoints/iris')).stages[0];
      if (stage.state === 'ACTIVE' || stage.state.endsWith('FAILED')) break;
      await sleep(1000);
    }
    if (stage.state !== 'ACTIVE') throw new Error(`the stage is ${stage.state}: ${stage.stateReason}`);

    const targets = {
      gateway: { url: `${bridge.url}/inference/iris`, headers: { authorization: `Bearer ${bridge.token}` } },
      'Serve proxy': { url: `${cluster.serveAddress}/emkit-${stage.id}/predict`, headers: {} },
    };
    const results = Object.fromEntries(Object.keys(targets).map((k) => [k, { times: [], rates: [] }]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, target] of Object.entries(targets)) {
        const r = await measure(target.url, target.headers);
        results[name].times.push(...r.times);
        results[name].rates.push(r.rate);
      }
    }
    const rows = Object.entries(results).map(([name, r]) => {
      const s = sorted(r.times);
      const rate = r.rates.reduce((a, b) => a + b, 0) / r.rates.length;
      return { name, p50: pct(s, 50), p99: pct(s, 99), rate };
    });
    process.stdout.write(`\nRay Serve stage (2 replicas, 2-node local cluster), ${ROUNDS} rounds, in turns:\n`);
    for (const row of rows) {
      process.stdout.write(
        `  ${row.name.padEnd(12)} p50 ${ms(row.p50).padStart(9)}  p99 ${ms(row.p99).padStart(9)}  ${Math.round(row.rate)} req/s (${CONNECTIONS} connections)\n`,
      );
    }
    const [gateway, direct] = rows;
    const overhead = gateway.p50 - direct.p50;
    process.stdout.write(
      `  gateway overhead p50: ${ms(overhead)} (aim < ${AIM_OVERHEAD_MS} ms: ${overhead < AIM_OVERHEAD_MS ? 'met' : 'NOT met'})\n`,
    );
    await api(bridge, 'DELETE', '/endpoints/iris');
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
