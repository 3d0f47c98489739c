// `npm test`: set up what is missing, build, then every test: lint (biome for the
// TypeScript, ruff and pyright for the Python: ruff.toml, pyrightconfig.json), the
// TypeScript unit and integration tests (vitest), and the Python package's tests (pytest).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectEnv, root, setup, venvBin } from './setup.mjs';

setup();
const env = projectEnv();
const failed = [];

function step(name, command, args) {
  process.stderr.write(`\n[emkit test] ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) failed.push(name);
}

/** Runs with its output kept, to print whole once it ends (so it doesn't interleave with another's). */
function quietly(name, command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code) => {
      process.stderr.write(`\n[emkit test] ${name} (ran beside vitest's parallel suites)\n`);
      process.stderr.write(Buffer.concat(chunks));
      if (code !== 0) failed.push(name);
      resolve();
    });
  });
}

step('lint', 'npx', ['biome', 'check', '.']);
step('ruff', join(venvBin, 'ruff'), ['check', '.']);
step('ruff format', join(venvBin, 'ruff'), ['format', '--check', '.']);
step('pyright', 'npx', ['pyright']);
// The suites that start clusters, browsers and editors run alone (vitest.config.ts says why).
step('vitest (serial)', 'npx', ['vitest', 'run', '--project', 'serial']);
// pytest mostly waits on the processes it starts, as vitest's parallel suites do: run side by
// side they take minutes off the whole run. Its Ray clusters' tests run alone afterwards, as
// vitest's cluster suites do (Ray gives a node a fixed 30 s to register).
const PYTEST_CLUSTERS = 'server-bridge/python/tests/test_clusters.py';
const python = join(venvBin, 'python');
const pytest = quietly('pytest', python, [
  '-m',
  'pytest',
  'server-bridge/python/tests',
  'jupyterlab-ext/tests',
  `--ignore=${PYTEST_CLUSTERS}`,
  '-q',
]);
step('vitest (parallel)', 'npx', ['vitest', 'run', '--project', 'parallel']);
await pytest;
step('pytest (clusters)', python, ['-m', 'pytest', PYTEST_CLUSTERS, '-q']);
if (failed.length) {
  process.stderr.write(`\n[emkit test] failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
