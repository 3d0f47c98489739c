#!/usr/bin/env node
// Trainings benchmark (`npm run bench:trainings`). A measurement, not a test: it prints
// figures next to their aims, measured side by side in one run, and never fails on them.
//
//   (a) submit → first line of user code, for a script training, against `python script.py`
//   (b) the same for a notebook training, against papermill on the same notebook; and the
//       whole run (submit → COMPLETE, against papermill's exit)
//   (c) log delivery over the WebSocket: latency per line (p50/p99), and lines per second
//       for a 200,000-line flood
//
// Every user program's first line appends time.time() to a file: the clock of that line is
// the same wall clock this script reads (performance.timeOrigin + performance.now()).
// Needs the built bridge (`npm run build`) and the project's .venv (papermill in it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { socketProtocols } from '../../shared/dist/api/socket-auth.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN_JS = join(repo, 'server-bridge', 'dist', 'emkit.mjs');
const PYTHON = join(repo, '.venv', 'bin', 'python');
const PAPERMILL = join(repo, '.venv', 'bin', 'papermill');

const RUNS = 7;
const LATENCY_LINES = 300;
const FLOOD_LINES = 200_000;
const AIM_SCRIPT_OVERHEAD_MS = 150;

const root = mkdtempSync(join(tmpdir(), 'emkit-bench-trainings-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => performance.timeOrigin + performance.now();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const median = (xs) => pct(xs, 50);
const f = (x) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

for (const [path, what] of [
  [MAIN_JS, 'the built bridge: run `npm run build`'],
  [PYTHON, 'the project .venv: run `npm run setup`'],
  [PAPERMILL, 'papermill in .venv: run `npm run setup`'],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${path}: ${what}`);
    process.exit(1);
  }
}

// --- the programs ---------------------------------------------------------------------------

const stampLine = (file) => `open(${JSON.stringify(file)}, "a").write(repr(__import__("time").time()) + "\\n")`;

function scriptFile(dir, stamp) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.py'), `${stampLine(stamp)}\nprint("hello")\n`);
  return join(dir, 'train.py');
}

function notebookFile(dir, stamp) {
  mkdirSync(dir, { recursive: true });
  const cell = (source, tags) => ({
    cell_type: 'code',
    metadata: tags ? { tags } : {},
    execution_count: null,
    outputs: [],
    source,
  });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
    },
    cells: [cell('alpha = 1', ['parameters']), cell(stampLine(stamp)), cell('print(alpha * 2)'), cell('alpha')],
  };
  writeFileSync(join(dir, 'train.ipynb'), JSON.stringify(nb));
  return join(dir, 'train.ipynb');
}

const lastStamp = (file) => Number(readFileSync(file, 'utf8').trim().split('\n').at(-1)) * 1000;

function run(command, args, env = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} exited ${code}: ${stderr}`))));
  });
}

// --- a bridge -------------------------------------------------------------------------------

async function startBridge() {
  const home = join(root, 'home');
  const child = spawn(process.execPath, [MAIN_JS, 'serve', '--home', home, '--port', '0', '--kernels-dir', join(home, 'k')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${dirname(PYTHON)}:${process.env.PATH}`, EMKIT_HOME: '', EMKIT_URL: '', EMKIT_TOKEN: '' },
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', () => {});
  for (let i = 0; i < 600; i++) {
    const url = /emkit bridge (http:\/\/\S+)/.exec(out)?.[1];
    if (url && existsSync(join(home, 'runtime.json'))) {
      const { token } = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8'));
      return { child, url, token };
    }
    await sleep(50);
  }
  throw new Error(`the bridge didn't start:\n${out}`);
}

const bridge = await startBridge();
async function api(method, path, body) {
  const response = await fetch(`${bridge.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bridge.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}
async function settled(id) {
  for (;;) {
    const t = await api('GET', `/api/v1/trainings/${id}`);
    if (['COMPLETE', 'FAIL TRAIN', 'STOPPED', 'CREATE FAILED'].includes(t.state)) return { t, at: nowMs() };
    await sleep(5);
  }
}

async function submit(path, stamp, hyperparameters = {}) {
  const t0 = nowMs();
  const training = await api('POST', '/api/v1/trainings', { source: { path }, hyperparameters });
  const { t, at } = await settled(training.id);
  if (t.state !== 'COMPLETE') throw new Error(`${t.name}: ${t.state} ${t.stateReason}`);
  return { first: lastStamp(stamp) - t0, total: at - t0 };
}

// --- (a) and (b) ----------------------------------------------------------------------------

const results = { python: [], script: [], notebook: [], papermill: [], notebookTotal: [], papermillTotal: [] };
const scriptStamp = join(root, 'script.stamps');
const nbStamp = join(root, 'nb.stamps');
const script = scriptFile(join(root, 'script'), scriptStamp);
const nb = notebookFile(join(root, 'nb'), nbStamp);
const env = { PYTHONPATH: join(repo, 'server-bridge', 'python', 'src') };

// warm the file cache and both interpreters' imports once, untimed
await run(PYTHON, [script]);
await submit(script, scriptStamp);
await submit(nb, nbStamp, { alpha: '3' });
await run(PAPERMILL, ['-k', 'python3', '-p', 'alpha', '3', nb, join(root, 'pm-out.ipynb')]);

for (let i = 0; i < RUNS; i++) {
  let t0 = nowMs();
  await run(PYTHON, [script], env);
  results.python.push(lastStamp(scriptStamp) - t0);

  results.script.push((await submit(script, scriptStamp)).first);

  const n = await submit(nb, nbStamp, { alpha: '3' });
  results.notebook.push(n.first);
  results.notebookTotal.push(n.total);

  t0 = nowMs();
  await run(PAPERMILL, ['-k', 'python3', '-p', 'alpha', '3', nb, join(root, 'pm-out.ipynb')]);
  results.papermillTotal.push(nowMs() - t0);
  results.papermill.push(lastStamp(nbStamp) - t0);
}

// --- (c) log delivery -----------------------------------------------------------------------

function follow(id, onChunk) {
  return new Promise((resolvePromise, reject) => {
    const url = new URL(`${bridge.url}/api/v1/trainings/${id}/log/stream`);
    url.protocol = 'ws:';
    // the bridge takes the token as a subprotocol only (a query string would end up in logs)
    const socket = new WebSocket(url, socketProtocols(bridge.token));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'chunk') onChunk(message.text, nowMs());
    });
    socket.on('close', () => resolvePromise());
    socket.on('error', reject);
  });
}

const latencyDir = join(root, 'latency');
mkdirSync(latencyDir, { recursive: true });
writeFileSync(
  join(latencyDir, 'ticks.py'),
  `import time\nfor i in range(${LATENCY_LINES}):\n    print(repr(time.time()), flush=True)\n    time.sleep(0.01)\n`,
);
const latency = [];
{
  const training = await api('POST', '/api/v1/trainings', { source: { path: join(latencyDir, 'ticks.py') } });
  await follow(training.id, (text, at) => {
    for (const line of text.split('\n')) if (line) latency.push(at - Number(line) * 1000);
  });
}

const floodDir = join(root, 'flood');
mkdirSync(floodDir, { recursive: true });
writeFileSync(
  join(floodDir, 'flood.py'),
  `import sys\nw = sys.stdout.write\nfor i in range(${FLOOD_LINES}):\n    w(f"line {i:06d} " + "x" * 40 + "\\n")\n`,
);
let floodLines = 0;
let floodLast = 0;
{
  const t0 = nowMs();
  const training = await api('POST', '/api/v1/trainings', { source: { path: join(floodDir, 'flood.py') } });
  await follow(training.id, (text, at) => {
    floodLast = at;
    floodLines += text.split('\n').length - 1;
  });
  results.floodTotal = floodLast - t0;
}
const floodDirect = (() => {
  const t0 = nowMs();
  spawnSync(PYTHON, [join(floodDir, 'flood.py')], { stdio: ['ignore', 'ignore', 'ignore'] });
  return nowMs() - t0;
})();

bridge.child.kill('SIGTERM');
rmSync(root, { recursive: true, force: true });

// --- report ---------------------------------------------------------------------------------

const py = median(results.python);
const scriptOverhead = median(results.script) - py;
const notebookOverhead = median(results.notebook) - py;
const papermillOverhead = median(results.papermill) - py;
console.log(`\nemkit trainings benchmark — ${RUNS} runs each, interleaved, medians\n`);
console.log('submit → first line of user code');
console.log(`  python script.py alone        ${f(py)}`);
console.log(
  `  script training               ${f(median(results.script))}   overhead ${f(scriptOverhead)}   (aim < ${AIM_SCRIPT_OVERHEAD_MS} ms)`,
);
console.log(`  notebook training             ${f(median(results.notebook))}   overhead ${f(notebookOverhead)}`);
console.log(`  papermill, same notebook      ${f(median(results.papermill))}   overhead ${f(papermillOverhead)}`);
console.log(`  notebook overhead / papermill's: ${(notebookOverhead / papermillOverhead).toFixed(2)}   (aim < 0.5)`);
console.log('whole notebook run');
console.log(`  notebook training, submit → COMPLETE   ${f(median(results.notebookTotal))}`);
console.log(
  `  papermill, start → exit                ${f(median(results.papermillTotal))}   ratio ${(median(results.notebookTotal) / median(results.papermillTotal)).toFixed(2)}`,
);
console.log('log delivery over the WebSocket');
console.log(`  latency print → client, ${latency.length} lines: p50 ${f(pct(latency, 50))}, p99 ${f(pct(latency, 99))}`);
console.log(
  `  flood: ${floodLines.toLocaleString('en')} lines in ${f(results.floodTotal)} from submit → ${Math.round(floodLines / (results.floodTotal / 1000)).toLocaleString('en')} lines/s` +
    ` (the script alone writes them to /dev/null in ${f(floodDirect)})`,
);
