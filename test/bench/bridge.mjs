// A real bridge for the benchmarks: the built CLI (`npm run build`) started on a free port
// with its own home, waited for until /health answers, and the bridge's REST API called with
// its token. One place for what each benchmark used to repeat.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN_JS = join(repo, 'server-bridge', 'dist', 'emkit.mjs');
export const PYTHON = join(repo, '.venv', 'bin', 'python');

const START_TIMEOUT_MS = 30_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Node's own flags for the bridge, from EMKIT_BENCH_NODE_FLAGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`, which NODE_OPTIONS refuses). */
const nodeFlags = () => (process.env.EMKIT_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);

/**
 * `emkit serve` with `home` as its home (made if absent), the project's .venv as its Python,
 * and `args` after those; answers { url, token, home, child, log } once /health answers. Its
 * log (stderr) goes to the bench's stderr, or with `quiet` is kept (the last 20,000
 * characters: `log()`) for the bench to show when something fails. The caller's EMKIT_HOME /
 * EMKIT_URL / EMKIT_TOKEN aren't passed on: the bench's bridge is its own.
 */
export async function startBridge(home, args = [], { quiet = false } = {}) {
  const child = spawn(
    process.execPath,
    [
      ...nodeFlags(),
      MAIN_JS,
      'serve',
      '--home',
      home,
      '--port',
      '0',
      '--kernels-dir',
      join(home, 'kernels'),
      '--python',
      PYTHON,
      ...args,
    ],
    {
      stdio: ['ignore', 'ignore', quiet ? 'pipe' : 'inherit'],
      env: { ...process.env, EMKIT_HOME: '', EMKIT_URL: '', EMKIT_TOKEN: '' },
    },
  );
  let kept = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk) => {
    kept = (kept + chunk).slice(-20_000);
  });
  const log = () => kept;
  const exited = new Promise((r) => child.once('exit', r));
  for (let waited = 0; waited < START_TIMEOUT_MS && child.exitCode === null; waited += 100) {
    await sleep(100);
    try {
      // runtime.json is written once it listens; the pid tells it from an earlier bridge's
      const info = JSON.parse(readFileSync(join(home, 'runtime.json'), 'utf8'));
      if (info.pid === child.pid && (await fetch(`${info.url}/api/v1/health`)).ok) {
        return { url: info.url, token: info.token, home, child, exited, log };
      }
    } catch {
      // not written yet, or not answering yet
    }
  }
  child.kill('SIGTERM');
  throw new Error(`the bridge didn't start in ${START_TIMEOUT_MS / 1000} s (exit ${child.exitCode ?? 'none'})\n${kept}`);
}

/** SIGTERM, and wait until it has exited (it stops its trainings, workers and clusters first). */
export async function stopBridge(bridge) {
  if (bridge.child.exitCode === null && bridge.child.signalCode === null) bridge.child.kill('SIGTERM');
  await bridge.exited;
}

/** One call of the REST API (`path` under /api/v1); an answer that isn't 2xx throws with its body. */
export async function api(bridge, method, path, body) {
  const response = await fetch(`${bridge.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bridge.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
