#!/usr/bin/env node
// Tuning benchmark (`npm run bench:tuning`). A measurement, not a test: it prints figures next to
// their aims, measured side by side in one run, and never fails on them.
//
//   (a) 40 trials of a one-second script through emkit (a tuning: each trial a training, its
//       objective read from the metric it logs), parallel 1 and 2, against Optuna's own
//       `study.optimize` calling the same one-second function in-process with n_jobs 1 and 2
//       (test/bench/tuning-optuna.py). The difference, per trial and slot, is emkit's overhead:
//       a process started, the source snapshot, the runner, the metric read, the study's ask/tell.
//       Beside it, Optuna's loop running the trial script as a process per trial (`python trial.py
//       --x … --y …`): the part of the overhead that is the process itself, which any tool that runs
//       trials as programs pays, and what remains of emkit's own.
//   (b) the pruner's delay: in a tuning with the median pruner whose trials log a point every
//       0.3 s, for each PRUNED trial, from the wall time of the point at the step it was pruned at
//       (written and flushed by the trial) to the trial's end (PRUNED recorded) and to its
//       training's end (the process stopped).
//
// Needs the built bridge (`npm run build`) and the project's .venv (with Optuna).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api as callApi, MAIN_JS, PYTHON, startBridge, stopBridge } from './bridge.mjs';

const TRIALS = Number(process.env.TRIALS ?? 40);
const PRUNE_TRIALS = Number(process.env.PRUNE_TRIALS ?? 14);
const AIM_OVERHEAD_MS = 150;
const AIM_PRUNE_MS = 1000;
const SETTLED = ['COMPLETE', 'FAILED', 'STOPPED'];

for (const [path, what] of [
  [MAIN_JS, 'the built bridge: run `npm run build`'],
  [PYTHON, 'the project .venv: run `npm run setup`'],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${path}: ${what}`);
    process.exit(1);
  }
}

// the trial: its values as --x/--y (the training contract), `steps` points of loss over `pause` seconds
const TRIAL_SCRIPT = `import argparse
import time

from emkit.tracking import flush, log_metric

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, required=True)
parser.add_argument("--y", type=float, required=True)
parser.add_argument("--steps", type=int, default=1)
parser.add_argument("--pause", type=float, default=1.0)
args, _ = parser.parse_known_args()
loss = (args.x - 2) ** 2 + (args.y + 1) ** 2
for step in range(args.steps):
    time.sleep(args.pause / args.steps)
    # a curve that falls towards the trial's loss, so early points already rank the trials
    log_metric("loss", loss + (1.0 / (step + 1) if args.steps > 1 else 0.0), step)
    flush()
`;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-tuning-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms) => `${ms.toFixed(0)} ms`;
const verdict = (value, aim) => (value < aim ? '(met)' : '(NOT met)');

const bridge = await startBridge(join(root, 'home'), [], { quiet: true });
const api = (method, path, body) => callApi(bridge, method, path, body);

const space = { x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } };

/** A tuning run to its end; its record, its trials, and the wall time by the bridge's own clock. */
async function tune(name, settings) {
  const created = await api('POST', '/tunings', {
    name,
    source: { path: join(root, 'trial', 'trial.py') },
    space,
    objective: { metric: 'loss', mode: 'min' },
    seed: 7,
    ...settings,
  });
  let tuning = created;
  while (!SETTLED.includes(tuning.state)) {
    await sleep(200);
    tuning = await api('GET', `/tunings/${created.id}`);
  }
  const { items: trials } = await api('GET', `/tunings/${created.id}/trials?limit=10000`);
  const wall = Date.parse(tuning.endedAt) - Date.parse(tuning.startedAt ?? tuning.createdAt);
  return { tuning, trials, wall };
}

try {
  // a folder of its own: a script's source snapshot is its whole folder
  mkdirSync(join(root, 'trial'), { recursive: true });
  writeFileSync(join(root, 'trial', 'trial.py'), TRIAL_SCRIPT);

  const optuna = spawnSync(
    PYTHON,
    [join(dirname(fileURLToPath(import.meta.url)), 'tuning-optuna.py'), String(TRIALS), '1', join(root, 'trial', 'trial.py')],
    { encoding: 'utf8' },
  );
  if (optuna.status !== 0) throw new Error(`tuning-optuna.py failed:\n${optuna.stderr}`);
  const optunaRuns = JSON.parse(optuna.stdout.trim().split('\n').at(-1)).runs;
  const optunaWall = (kind, parallel) => optunaRuns.find((r) => r.kind === kind && r.n_jobs === parallel).seconds * 1000;
  // per trial and slot: each slot runs TRIALS / parallel trials one after another
  const perSlot = (ms, parallel) => (ms * parallel) / TRIALS;

  console.log(
    `tuning: ${TRIALS} trials of a one-second script, TPE over x, y in [-5, 5] (seed 7); walls, then per trial and slot`,
  );
  console.log('');
  console.log('            ------------------ wall ------------------   -- emkit overhead per trial·slot over --');
  console.log(
    '  parallel   emkit     optuna in-process   optuna process/trial   in-process   process/trial   aim < 150 ms (in-process)',
  );
  for (const parallel of [1, 2]) {
    const { tuning, trials, wall } = await tune(`bench-p${parallel}`, { maxTrials: TRIALS, parallel, algorithm: 'tpe' });
    if (tuning.state !== 'COMPLETE') {
      console.log(`  ${parallel}: the tuning ended ${tuning.state} (${tuning.stateReason ?? ''})`);
      continue;
    }
    const inProcess = optunaWall('in-process', parallel);
    const asProcess = optunaWall('process', parallel);
    const overhead = perSlot(wall - inProcess, parallel);
    console.log(
      `  ${String(parallel).padEnd(9)}${seconds(wall).padStart(8)}${seconds(inProcess).padStart(16)}${seconds(asProcess).padStart(22)}` +
        `${millis(overhead).padStart(16)}${millis(perSlot(wall - asProcess, parallel)).padStart(16)}   ${verdict(overhead, AIM_OVERHEAD_MS)}`,
    );
    // where the time goes: a trial's training from start to end, and the gap to the next start
    const runs = trials
      .filter((t) => t.startedAt && t.endedAt)
      .map((t) => ({ start: Date.parse(t.startedAt), end: Date.parse(t.endedAt) }))
      .sort((a, b) => a.start - b.start);
    const lengths = runs.map((r) => r.end - r.start);
    for (const t of trials.filter((t) => t.state !== 'COMPLETE')) {
      console.log(`  ${''.padEnd(9)}  trial ${t.number} ${t.state}: ${t.stateReason ?? ''}`);
    }
    const gaps = parallel === 1 ? runs.slice(1).map((r, i) => r.start - runs[i].end) : [];
    const done = trials.filter((t) => t.state === 'COMPLETE').length;
    console.log(
      `  ${''.padEnd(9)}  ${done}/${TRIALS} COMPLETE, best ${(tuning.best?.value ?? Number.NaN).toFixed(4)}` +
        ` (Optuna in-process ${optunaRuns.find((r) => r.kind === 'in-process' && r.n_jobs === parallel).best.toFixed(4)});` +
        ` a trial start → end: median ${millis(median(lengths))}` +
        (gaps.length ? `; one trial's end → the next's start: median ${millis(median(gaps))}` : ''),
    );
  }

  console.log('');
  console.log(`the pruner's delay: ${PRUNE_TRIALS} trials, parallel 2, median pruner, a point every 0.3 s for 20 steps`);
  const { tuning, trials } = await tune('bench-prune', {
    maxTrials: PRUNE_TRIALS,
    parallel: 2,
    algorithm: 'random',
    pruner: 'median',
    fixed: { steps: '20', pause: '6' },
  });
  const pruned = trials.filter((t) => t.state === 'PRUNED' && t.prunedAtStep !== null && t.trainingId);
  const decided = [];
  const stopped = [];
  for (const trial of pruned) {
    const metrics = await api('GET', `/trainings/${trial.trainingId}/metrics?tag=loss`);
    const point = metrics.series.find((s) => s.tag === 'loss')?.points.find((p) => p.step === trial.prunedAtStep);
    if (!point) continue;
    const written = point.wallTime * 1000;
    if (trial.endedAt) decided.push(Date.parse(trial.endedAt) - written);
    const training = await api('GET', `/trainings/${trial.trainingId}`);
    if (training.endedAt) stopped.push(Date.parse(training.endedAt) - written);
  }
  console.log(
    `  ${tuning.state}${tuning.state === 'COMPLETE' ? '' : ` (${tuning.stateReason ?? ''})`}: ${trials.length} trials, ${pruned.length} pruned (${pruned.map((t) => `#${t.number} at step ${t.prunedAtStep}`).join(', ') || 'none'})`,
  );
  if (decided.length) {
    console.log(
      `  point written → trial PRUNED:      median ${millis(median(decided))}, max ${millis(Math.max(...decided))}   aim < ${AIM_PRUNE_MS} ms ${verdict(Math.max(...decided), AIM_PRUNE_MS)}`,
    );
  }
  if (stopped.length) {
    console.log(
      `  point written → training stopped:  median ${millis(median(stopped))}, max ${millis(Math.max(...stopped))}   aim < ${AIM_PRUNE_MS} ms ${verdict(Math.max(...stopped), AIM_PRUNE_MS)}`,
    );
    console.log(`  each (ms): ${stopped.map((d) => d.toFixed(0)).join(', ')}`);
  }
} finally {
  await stopBridge(bridge);
  rmSync(root, { recursive: true, force: true });
}
