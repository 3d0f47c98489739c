#!/usr/bin/env node
// Built-in model types through the bridge (`npm run bench:recipes`). A measurement, not a
// test: it prints figures next to their aim and fails only on errors (a training that doesn't
// end COMPLETE with its model and evaluation, an endpoint that doesn't serve, a call not
// answered 200). `npm run bench:recipes-python` measures the recipe process alone, without
// the bridge.
//
// For each of the six built-in types, on the data the tests make offline
// (server-bridge/python/tests/recipe_data.py and media_data.py: English and Korean texts,
// iris and diabetes as CSV, scikit-learn's digits 0-3 as PNG/JPEG, words spoken by espeak-ng —
// tones of three pitches where espeak-ng is missing), what a no-code user does:
//   - POST /datasets (copy mode): the dataset, scanned and copied in;
//   - POST /recipes/{type}/trainings with `train: "name"` and the catalog's defaults (what the
//     form starts with; only the label / target / K a table needs): submit → COMPLETE (with
//     its model registered and its holdout evaluation recorded) by the bench's clock, and the
//     training process's own startedAt → endedAt;
//   - the holdout score from the training's evaluation (accuracy / R² / silhouette);
//   - POST /endpoints for the registered model (create → ACTIVE), then one raw input (a
//     string, a row object, an image or WAV upload as {b64, filename, contentType}) through
//     the gateway, POST /inference/{endpoint}: the first call, then the median and p90 of
//     CALLS warm calls on one keep-alive connection.
// One table per type, then one line per type. Aim (issue 16): each type trains in under 60 s
// on the 2-core machine. The 1-minute load average before and after each training says how
// busy the machine was: other work on 2 cores stretches wall times.
//
// Options: --only TYPE[,TYPE], --calls N (default 50). Needs the built bridge (`npm run build`)
// and the project's .venv with scikit-learn, PyTorch, Pillow and SciPy (`npm run setup`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { api, PYTHON, repo, startBridge, stopBridge } from './bridge.mjs';

const AIM_SECONDS = 60;
const POLL_MS = 100;
const TRAINING_TIMEOUT_MS = 15 * 60_000;
const ENDPOINT_TIMEOUT_MS = 120_000;

const { values: options } = parseArgs({
  options: { only: { type: 'string', default: '' }, calls: { type: 'string', default: '50' } },
});
const CALLS = Number(options.calls);

const IRIS_ROW = { sepal_length: 5.9, sepal_width: 3.0, petal_length: 5.1, petal_width: 1.8 };

const CONTENT_TYPES = { '.png': 'image/png', '.jpg': 'image/jpeg', '.wav': 'audio/wav' };

/** The first held-out file of `label` (the holdout the training wrote), as the quick test's upload sends it. */
function heldOut(training, label) {
  const folder = join(training.dir, 'artifacts', 'holdout', label);
  const file = join(folder, readdirSync(folder).sort()[0]);
  return { b64: readFileSync(file).toString('base64'), filename: basename(file), contentType: CONTENT_TYPES[extname(file)] };
}

/** The first row of a CSV as a {column: number} object, without `drop`. */
function firstRow(csv, drop) {
  const [header, first] = readFileSync(csv, 'utf8').split('\n');
  const values = first.split(',').map(Number);
  return Object.fromEntries(header.split(',').flatMap((column, i) => (column === drop ? [] : [[column, values[i]]])));
}

const accuracy = (result) => ['accuracy', result.classification.accuracy];

// dataset: the name the data maker's output gets (DATA below); input: the raw instance sent.
const CASES = [
  {
    type: 'text-classification',
    dataset: 'texts',
    hyperparameters: {},
    score: accuracy,
    bar: '>= 0.8',
    input: () => '오늘은 날씨가 맑아요',
  },
  {
    type: 'number-classification',
    dataset: 'iris',
    hyperparameters: { label: 'species' },
    score: accuracy,
    bar: '>= 0.9',
    input: () => IRIS_ROW,
  },
  {
    type: 'number-prediction',
    dataset: 'diabetes',
    hyperparameters: { target: 'target' },
    score: (result) => ['R²', result.regression.r2],
    bar: '>= 0.35',
    input: (_, data) => firstRow(data.diabetes, 'target'),
  },
  {
    type: 'clustering',
    dataset: 'iris',
    hyperparameters: { k: '3' },
    score: (result) => ['silhouette', result.clustering.silhouette],
    bar: '> 0.3',
    input: () => IRIS_ROW,
  },
  {
    type: 'image-classification',
    dataset: 'digits',
    hyperparameters: {},
    score: accuracy,
    bar: '>= 0.85',
    input: (training) => heldOut(training, '3'),
  },
  {
    type: 'audio-classification',
    dataset: 'words', // or 'tones' without espeak-ng (DATA says which it made)
    hyperparameters: {},
    score: accuracy,
    bar: '>= 0.8',
    input: (training, data) => heldOut(training, data.words ? 'yes' : 'low'),
  },
];

/** The tests' data makers, run once: { texts, iris, diabetes, digits, words | tones } → paths. */
function makeData(root) {
  const script = `
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
import media_data, recipe_data
root = Path(sys.argv[1])
made = {
    "texts": recipe_data.write_text_folders(root / "texts"),
    "iris": recipe_data.iris_csv(root / "iris.csv"),
    "diabetes": recipe_data.diabetes_csv(root / "diabetes.csv"),
    "digits": media_data.digits_folder(root / "digits"),
}
if media_data.ESPEAK:
    made["words"] = media_data.spoken_words(root / "words")
else:
    print(f"audio: tones instead of spoken words: {media_data.NO_ESPEAK}", file=sys.stderr)
    made["tones"] = media_data.tones(root / "tones")
print(json.dumps({k: str(v) for k, v in made.items()}))
`;
  const tests = join(repo, 'server-bridge', 'python', 'tests');
  const run = spawnSync(PYTHON, ['-c', script, root, tests], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error('making the data failed (see above)');
  return JSON.parse(run.stdout);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const millis = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const load = () => loadavg()[0].toFixed(1);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

/** Poll until `check` answers something, or throw after `timeoutMs` saying what was awaited. */
async function until(check, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** One gateway call on `agent`'s connection; answers the predictions. */
function infer(bridge, agent, endpoint, body) {
  return new Promise((resolveAnswer, reject) => {
    const req = request(
      `${bridge.url}/inference/${endpoint}`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`POST /inference/${endpoint}: ${res.statusCode} ${text}`));
          else resolveAnswer(JSON.parse(text).predictions);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function benchType(bridge, test, data, datasets) {
  const name = test.dataset === 'words' && !data.words ? 'tones' : test.dataset;
  let created = datasets.get(name);
  if (!created) {
    const started = performance.now();
    const dataset = await api(bridge, 'POST', '/datasets', { name, path: data[name] });
    created = { dataset, ms: performance.now() - started };
    datasets.set(name, created);
  }

  const model = `${test.type}-bench`;
  const loadBefore = load();
  const submitted = performance.now();
  const { id } = await api(bridge, 'POST', `/recipes/${test.type}/trainings`, {
    name: model,
    datasets: { train: name },
    hyperparameters: test.hyperparameters,
    model,
  });
  const training = await until(
    async () => {
      const t = await api(bridge, 'GET', `/trainings/${id}`);
      return t.endedAt && t;
    },
    TRAINING_TIMEOUT_MS,
    `training ${model}`,
  );
  const trainedMs = performance.now() - submitted;
  const loadAfter = load();
  if (training.state !== 'COMPLETE' || !training.model || !training.evaluation) {
    throw new Error(
      `${model}: ${training.state} ${training.stateReason ?? ''} (model ${training.model?.id}, evaluation ${training.evaluation})`,
    );
  }
  const processMs = Date.parse(training.endedAt) - Date.parse(training.startedAt);
  const evaluation = await api(bridge, 'GET', `/evaluations/${training.evaluation}`);
  const [scoreName, score] = test.score(evaluation.result);

  const deploying = performance.now();
  await api(bridge, 'POST', '/endpoints', { name: model, model: `${training.model.name}:${training.model.version}` });
  await until(
    async () => {
      const endpoint = await api(bridge, 'GET', `/endpoints/${model}`);
      if (endpoint.state.endsWith('FAILED')) throw new Error(`endpoint ${model}: ${endpoint.state} ${endpoint.stateReason}`);
      return endpoint.state === 'ACTIVE';
    },
    ENDPOINT_TIMEOUT_MS,
    `endpoint ${model}`,
  );
  const deployMs = performance.now() - deploying;

  const body = Buffer.from(JSON.stringify({ instances: [test.input(training, data)] }));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let started = performance.now();
  const [prediction] = await infer(bridge, agent, model, body);
  const firstMs = performance.now() - started;
  const times = [];
  for (let i = 0; i < CALLS; i += 1) {
    started = performance.now();
    await infer(bridge, agent, model, body);
    times.push(performance.now() - started);
  }
  agent.destroy();
  await api(bridge, 'DELETE', `/endpoints/${model}`); // its worker's memory back before the next type

  const row = {
    type: test.type,
    trainedMs,
    processMs,
    scoreName,
    score,
    firstMs,
    warmMs: quantile(times, 0.5),
    p90Ms: quantile(times, 0.9),
    met: trainedMs < AIM_SECONDS * 1000,
  };
  const { latest } = created.dataset;
  const lines = [
    `${test.type}: dataset ${latest.dataset}:${latest.version} (${latest.schema.kind}, ${latest.files} file${latest.files === 1 ? '' : 's'}, ` +
      `${(latest.bytes / 1024).toFixed(0)} KiB; created and copied in ${seconds(created.ms)})` +
      (Object.keys(test.hyperparameters).length ? `, ${JSON.stringify(test.hyperparameters)}` : ', catalog defaults'),
    `  training, submit → COMPLETE      ${seconds(trainedMs).padStart(9)}   aim < ${AIM_SECONDS} s: ${row.met ? 'met' : 'MISSED'}`,
    `    the process, started → ended   ${seconds(processMs).padStart(9)}`,
    `  holdout ${scoreName.padEnd(24)}${score.toFixed(3).padStart(9)}   tests' bar ${test.bar}, ${evaluation.result.rows} rows`,
    `  deploy, create → ACTIVE          ${seconds(deployMs).padStart(9)}`,
    `  gateway, first call              ${millis(firstMs).padStart(9)}   → ${JSON.stringify(prediction)}`,
    `  gateway, warm median of ${String(CALLS).padEnd(9)}${millis(row.warmMs).padStart(9)}   p90 ${millis(row.p90Ms)}`,
    `  load average (1 min)             ${loadBefore} → ${loadAfter} during the training`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
  return row;
}

async function main() {
  const chosen = CASES.filter((c) => !options.only || options.only.split(',').includes(c.type));
  if (chosen.length === 0) throw new Error(`--only ${options.only}: no such type`);
  const root = mkdtempSync(join(tmpdir(), 'emkit-bench-recipes-'));
  let bridge;
  try {
    const data = makeData(join(root, 'data'));
    bridge = await startBridge(join(root, 'home'), [], { quiet: true });
    const datasets = new Map();
    const rows = [];
    for (const test of chosen) rows.push(await benchType(bridge, test, data, datasets));

    process.stdout.write(`\nbuilt-in types through the bridge (aim: each trains in under ${AIM_SECONDS} s):\n`);
    process.stdout.write(
      `  ${'type'.padEnd(22)}${'submit→COMPLETE'.padStart(16)}${'process'.padStart(9)}  ${'holdout'.padEnd(18)}` +
        `${'first call'.padStart(11)}${'warm p50'.padStart(10)}  aim\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `  ${r.type.padEnd(22)}${seconds(r.trainedMs).padStart(16)}${seconds(r.processMs).padStart(9)}  ` +
          `${`${r.scoreName} ${r.score.toFixed(3)}`.padEnd(18)}${millis(r.firstMs).padStart(11)}` +
          `${millis(r.warmMs).padStart(10)}  ${r.met ? 'met' : 'MISSED'}\n`,
      );
    }
  } catch (error) {
    if (bridge) process.stderr.write(`the bridge's log, its end:\n${bridge.log()}\n`);
    throw error;
  } finally {
    if (bridge) await stopBridge(bridge);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
