// `npm test`: set up what is missing, build, then every test: lint (biome for the
// TypeScript, ruff and pyright for the Python: ruff.toml, pyrightconfig.json), the
// TypeScript unit and integration tests (vitest), and the Python package's tests (pytest).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectEnv, root, setup, venvBin } from './setup.mjs';

setup();
const env = projectEnv();
const steps = [
  ['lint', 'npx', ['biome', 'check', '.']],
  ['ruff', join(venvBin, 'ruff'), ['check', '.']],
  ['ruff format', join(venvBin, 'ruff'), ['format', '--check', '.']],
  ['pyright', 'npx', ['pyright']],
  ['vitest', 'npx', ['vitest', 'run']],
  ['pytest', join(venvBin, 'python'), ['-m', 'pytest', 'server-bridge/python/tests', 'jupyterlab-ext/tests', '-q']],
];
const failed = [];
for (const [name, command, args] of steps) {
  process.stderr.write(`\n[emkit test] ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) failed.push(name);
}
if (failed.length) {
  process.stderr.write(`\n[emkit test] failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
