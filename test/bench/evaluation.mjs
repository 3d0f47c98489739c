#!/usr/bin/env node
// Evaluation benchmark (`npm run bench:evaluation`). A measurement, not a test: it prints figures next to their
// aims, measured side by side in one run, and fails only on errors (an evaluation that isn't COMPLETE, figures
// that differ from the plain run's).
//
// One scikit-learn model (a LogisticRegression on 20 features) and a held-out CSV of 200,000 rows, made at the
// start with the project's .venv. Two ways to judge it, taking turns for ROUNDS rounds so that a slow spell of
// the machine falls on both:
//   - plain: one Python process that reads the CSV with pandas, calls predict_proba, and computes the figures
//     emkit reports with sklearn.metrics (accuracy, per-class precision/recall/F1/support, macro and weighted,
//     the confusion matrix, average precision, ROC AUC, the precision-recall curves); the process's wall time,
//     interpreter start and imports included
//   - emkit: POST /api/v1/evaluations, then GET until COMPLETE (the bridge's check of the data, the detached
//     runner in the model's python, batch by batch, its result and curves files)
//   (a) emkit / plain, the median of each (aim < 1.3×); also their CPU time (from /proc: the plain process, and
//       the bridge with the processes it started and reaped), which others' work on the machine sways less
//   (b) GET /api/v1/evaluations/{id}?threshold=t, 500 calls with thresholds spread over 0..1 after one call that
//       loads the curves: p50 / p99 (aim < 20 ms)
//
// Needs the built bridge (`npm run build`) and the project's .venv with scikit-learn and pandas (`npm run setup`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(repo, 'server-bridge', 'dist', 'emkit.mjs');
const PYTHON = join(repo, '.venv', 'bin', 'python');

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const THRESHOLD_CALLS = 500;
const AIM_RATIO = 1.3;
const AIM_THRESHOLD_MS = 20;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-evaluation-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (s, p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/**
 * CPU time (ms) of a process and of the children it has reaped (utime, stime, cutime, cstime of /proc/PID/stat):
 * the bridge's, with its check and runner processes; this script's, with the plain Python it ran. Less swayed than
 * wall time by others' work on a busy machine.
 */
/** How many children a process has now (/proc/PID/task/TID/children). */
function bridgeChildren(pid) {
  let count = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    count += readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).length;
  }
  return count;
}

function cpuMs(pid, which = 'all') {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  const children = Number(fields[13]) + Number(fields[14]);
  return (which === 'own' ? own : which === 'children' ? children : own + children) * TICK_MS;
}

function python(code, args = []) {
  const file = join(root, `script-${Math.random().toString(36).slice(2)}.py`);
  writeFileSync(file, code);
  const run = spawnSync(PYTHON, [file, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python failed (${run.status}):\n${run.stderr}`);
  return run.stdout;
}

const MAKE = `
import os, sys, joblib, numpy as np, pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
X, y = make_classification(n_samples=${ROWS} + 20000, n_features=20, n_informative=8, random_state=0)
model = LogisticRegression(max_iter=500).fit(X[:20000], y[:20000])
os.makedirs(sys.argv[1])
joblib.dump(model, os.path.join(sys.argv[1], "model.joblib"))
frame = pd.DataFrame(X[20000:], columns=[f"f{i}" for i in range(20)])
frame["label"] = y[20000:]
frame.to_csv(sys.argv[2], index=False)
`;

// the same figures as emkit's result, the plain way
const PLAIN = `
import json, sys, joblib, numpy as np, pandas as pd
from sklearn import metrics
model = joblib.load(sys.argv[1])
frame = pd.read_csv(sys.argv[2])
y = frame.pop("label").to_numpy()
proba = model.predict_proba(frame.to_numpy())
classes = model.classes_
pred = classes[np.argmax(proba, axis=1)]
figures = {"accuracy": metrics.accuracy_score(y, pred)}
p, r, f, s = metrics.precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
for kind in ("macro", "weighted"):
    metrics.precision_recall_fscore_support(y, pred, labels=classes, average=kind, zero_division=0)
metrics.confusion_matrix(y, pred, labels=classes)
for i, c in enumerate(classes):
    metrics.average_precision_score(y == c, proba[:, i])
    metrics.roc_auc_score(y == c, proba[:, i])
    metrics.precision_recall_curve(y == c, proba[:, i], drop_intermediate=False)
figures["rocAuc"] = metrics.roc_auc_score(y, proba[:, 1])
print(json.dumps(figures))
`;

async function startBridge(home) {
  const child = spawn(
    process.execPath,
    // debug: the bridge logs each request with the milliseconds it took, the server's own share of a call
    [MAIN_JS, 'serve', '--home', home, '--port', '0', '--python', PYTHON, '--log-level', 'debug'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PATH: `${join(repo, '.venv', 'bin')}:${process.env.PATH}` },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bridge exited: ${stderr}`);
    if (performance.now() > deadline) throw new Error(`the bridge did not start: ${stderr}`);
    const file = join(home, 'runtime.json');
    if (existsSync(file)) {
      try {
        const info = JSON.parse(readFileSync(file, 'utf8'));
        if (info.pid === child.pid) return { child, url: info.url, token: info.token };
      } catch {
        // half-written
      }
    }
    await sleep(50);
  }
}

async function main() {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);
  const modelDir = join(root, 'model');
  const data = join(root, 'test.csv');
  console.log(`making a LogisticRegression and a held-out CSV of ${ROWS.toLocaleString('en')} rows …`);
  python(MAKE, [modelDir, data]);

  const home = join(root, 'home');
  const bridge = await startBridge(home);
  const call = async (method, path, body) => {
    const response = await fetch(`${bridge.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bridge.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  try {
    await call('POST', '/api/v1/models', { name: 'bench', artifactPath: modelDir });
    const plainTimes = [];
    const emkitTimes = [];
    const postTimes = [];
    const runnerSeconds = [];
    const plainCpu = [];
    const emkitCpu = [];
    const bridgeOwnCpu = [];
    let plainFigures;
    let evaluation;
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now();
      let cpu = cpuMs(process.pid);
      plainFigures = JSON.parse(python(PLAIN, [join(modelDir, 'model.joblib'), data]));
      plainTimes.push(performance.now() - start);
      plainCpu.push(cpuMs(process.pid) - cpu);

      start = performance.now();
      cpu = cpuMs(bridge.child.pid);
      const own = cpuMs(bridge.child.pid, 'own');
      const created = await call('POST', '/api/v1/evaluations', { model: 'bench', data });
      postTimes.push(performance.now() - start);
      for (;;) {
        evaluation = await call('GET', `/api/v1/evaluations/${created.id}`);
        if (['COMPLETE', 'FAILED', 'STOPPED'].includes(evaluation.state)) break;
        await sleep(100);
      }
      emkitTimes.push(performance.now() - start);
      // the runner's CPU is counted once it has exited and the bridge has reaped it: no child of the bridge left
      for (let i = 0; i < 100 && bridgeChildren(bridge.child.pid) > 0; i++) await sleep(50);
      emkitCpu.push(cpuMs(bridge.child.pid) - cpu);
      bridgeOwnCpu.push(cpuMs(bridge.child.pid, 'own') - own);
      runnerSeconds.push(evaluation.result?.seconds ?? Number.NaN);
      if (evaluation.state !== 'COMPLETE') throw new Error(`the evaluation is ${evaluation.state}: ${evaluation.stateReason}`);
      const c = evaluation.result.classification;
      if (Math.abs(c.accuracy - plainFigures.accuracy) > 1e-12 || Math.abs(c.rocAuc - plainFigures.rocAuc) > 1e-12) {
        throw new Error(`emkit's figures differ from the plain run's: ${JSON.stringify({ c, plainFigures })}`);
      }
      console.log(
        `round ${round + 1}: plain ${secs(plainTimes.at(-1))} (CPU ${secs(plainCpu.at(-1))}), emkit ${secs(emkitTimes.at(-1))} (CPU ${secs(emkitCpu.at(-1))}; POST ${secs(postTimes.at(-1))}, runner ${runnerSeconds.at(-1)} s)`,
      );
    }

    // the threshold slider: one call loads the curves, then 500 with thresholds spread over 0..1
    let start = performance.now();
    await call('GET', `/api/v1/evaluations/${evaluation.id}?threshold=0.5`);
    const firstMs = performance.now() - start;
    const latencies = [];
    for (let i = 0; i < THRESHOLD_CALLS; i++) {
      const t = ((i * 7919) % 1000) / 1000;
      start = performance.now();
      const answer = await call('GET', `/api/v1/evaluations/${evaluation.id}?threshold=${t}`);
      latencies.push(performance.now() - start);
      if (answer.atThreshold.threshold !== t) throw new Error(`asked ${t}, answered ${answer.atThreshold.threshold}`);
    }
    latencies.sort((a, b) => a - b);
    // what the bridge itself spent on each (its log rounds to whole milliseconds), the loading call left out
    await sleep(500);
    const served = readFileSync(join(home, 'logs', 'bridge.log'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('?threshold=') && line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line))
      .filter((line) => line.req?.url?.startsWith(`/api/v1/evaluations/${evaluation.id}?threshold=`))
      .slice(-THRESHOLD_CALLS)
      .map((line) => line.ms)
      .sort((a, b) => a - b);

    const plain = median(plainTimes);
    const emkit = median(emkitTimes);
    const ratio = emkit / plain;
    const p50 = pct(latencies, 50);
    const p99 = pct(latencies, 99);
    console.log('');
    console.log(`evaluation of ${ROWS.toLocaleString('en')} rows, median of ${ROUNDS} rounds:`);
    console.log(`  plain predict_proba + sklearn.metrics   ${secs(plain)}`);
    console.log(`  emkit (POST → COMPLETE)                 ${secs(emkit)}`);
    console.log(
      `    of which: the POST (the runner's --check of the data) ${secs(median(postTimes))}; the runner's own reading, predicting and computing ${median(runnerSeconds).toFixed(2)} s`,
    );
    console.log(
      `  (a) emkit / plain                       ${ratio.toFixed(2)}×  (aim < ${AIM_RATIO}×) ${ratio < AIM_RATIO ? 'met' : 'NOT met'}`,
    );
    const cpuRatio = median(emkitCpu) / median(plainCpu);
    console.log(
      `      CPU time, medians: plain ${secs(median(plainCpu))}, emkit ${secs(median(emkitCpu))} (the bridge, the check and the runner): ${cpuRatio.toFixed(2)}×`,
    );
    console.log(`        of which the bridge's own Node process: ${secs(median(bridgeOwnCpu))}`);
    // on a busy machine one round can be slowed by others' work: the fastest of each is what each costs at best
    const best = Math.min(...emkitTimes) / Math.min(...plainTimes);
    console.log(
      `      fastest round of each: plain ${secs(Math.min(...plainTimes))}, emkit ${secs(Math.min(...emkitTimes))}: ${best.toFixed(2)}×`,
    );
    console.log(
      `threshold answers (GET ?threshold=t), ${THRESHOLD_CALLS} calls after one that loads the curves (${firstMs.toFixed(1)} ms):`,
    );
    console.log(
      `  (b) p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms  (aim < ${AIM_THRESHOLD_MS} ms) ${p99 < AIM_THRESHOLD_MS ? 'met' : 'NOT met'}`,
    );
    if (served.length > 0) {
      console.log(
        `      in the bridge itself (from its log): p50 ${pct(served, 50)} ms, p99 ${pct(served, 99)} ms, max ${served.at(-1)} ms`,
      );
    }
  } finally {
    bridge.child.kill('SIGTERM');
    await new Promise((r) => bridge.child.once('exit', r));
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
