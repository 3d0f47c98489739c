#!/usr/bin/env node
// Training-quality benchmark (`npm run bench:quality`). A measurement, not a test: it prints
// figures and never fails on them.
//
// While a training runs, the bridge reviews its metrics at each read of its event files (about
// every second), on the event loop (better-sqlite3 is synchronous). This stores N points of five
// tags (loss/val_loss, acc/val_acc, lr) for one training in a real store, then times, side by
// side, what a review does against a pass over every point (what the first version did):
//   - the tags, the NaN/infinite points and the early-stopping series' new points (every read)
//   - the curves' shapes (pairs, overfitting, plateau), sampled by index seeks (at most 5% of the time)
//
// Needs the built bridge (`npx tsc -b`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(repo, 'server-bridge', 'dist');
const { Store } = await import(join(dist, 'store', 'index.js'));
const { EarlyStopWatch, qualityShape } = await import(join(dist, 'trainings', 'quality.js'));
const { analyseQuality, earlyStopDecision } = await import(join(repo, 'shared', 'dist', 'index.js'));

const TAGS = ['loss', 'val_loss', 'acc', 'val_acc', 'lr'];
const RUNS = 5;

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(run) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function measure(points) {
  const dir = mkdtempSync(join(tmpdir(), 'emkit-bench-quality-'));
  const store = new Store(join(dir, 'emkit.db'));
  try {
    const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
    const id = store.trainings.newId();
    store.tx(() =>
      store.trainings.insert({
        ...{ id, name: 'bench', description: '', experimentId, hyperparameters: {}, datasets: {}, tags: {} },
        source: { path: dir, kind: 'script', entryPoint: 'train.py', files: 1, bytes: 1 },
        ...{ environmentId: null, environment: null, python: 'python3', instanceCount: 1, maxDurationSeconds: null },
        earlyStopping: { metric: 'val_loss', mode: 'min', patience: 1_000_000 },
        copiedFrom: null,
        dir,
      }),
    );
    const each = points / TAGS.length;
    store.tx(() => {
      for (const tag of TAGS) {
        const series = Array.from({ length: each }, (_, i) => ({ tag, step: i, value: 1 / (1 + i), wallTime: i }));
        store.metrics.append(id, `/events-${tag}`, 1, series);
      }
    });
    const training = store.trainings.get(id);
    const watch = new EarlyStopWatch(store, training);
    watch.check(); // a running bridge has fed it everything but the newest point
    let step = each;
    const everyRead = timed(() => {
      store.tx(() =>
        store.metrics.append(id, '/events-val_loss', 2, [{ tag: 'val_loss', step: step++, value: 0.5, wallTime: 0 }]),
      );
      store.metrics.tags(id);
      store.metrics.nonFinite(id);
      watch.check();
    });
    const shape = timed(() => qualityShape(store, id));
    // the first version: every point of every tag read at each review
    const fullPass = timed(() => {
      const tags = store.metrics.tags(id);
      const all = (tag) => store.metrics.series(id, tag, Number.MAX_SAFE_INTEGER).points;
      analyseQuality({ tags, points: all, nonFinite: [], earlyStopped: null });
      earlyStopDecision(all('val_loss'), training.earlyStopping);
    });
    return { everyRead, shape, fullPass, shapeEvery: Math.max(1000, shape / 0.05) };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log('points     every read   shape (sampled)   shape every   a full pass (the first version)');
for (const points of [10_000, 200_000, 1_000_000]) {
  const m = measure(points);
  console.log(
    `${String(points).padStart(9)}  ${m.everyRead.toFixed(2).padStart(8)} ms  ${m.shape.toFixed(1).padStart(12)} ms  ` +
      `${(m.shapeEvery / 1000).toFixed(1).padStart(9)} s  ${m.fullPass.toFixed(0).padStart(10)} ms`,
  );
}
