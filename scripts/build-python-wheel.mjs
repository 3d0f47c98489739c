#!/usr/bin/env node
// Builds the emkit Python wheel from server-bridge/python into server-bridge/dist/python/,
// where the bridge looks for it (defaultEmkitPackage in server-bridge/src/bridge.ts) and
// installs it into every environment. Uses the project venv's pip and hatchling, offline.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const python = join(repo, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
const source = join(repo, 'server-bridge', 'python');
const outDir = join(repo, 'server-bridge', 'dist', 'python');

function fail(message) {
  process.stderr.write(`build-python-wheel: ${message}\n`);
  process.exit(1);
}

if (!existsSync(python)) fail(`${relative(repo, python)} is missing: run \`npm run setup\` first`);
if (!existsSync(join(source, 'pyproject.toml'))) fail(`${relative(repo, source)}/pyproject.toml is missing`);

mkdirSync(outDir, { recursive: true });
for (const file of readdirSync(outDir)) {
  if (file.startsWith('emkit-') && file.endsWith('.whl')) rmSync(join(outDir, file), { force: true });
}

const result = spawnSync(
  python,
  ['-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '--disable-pip-version-check', '-q', '-w', outDir, source],
  { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
);
if (result.error) fail(`could not run ${python}: ${result.error.message}`);
if (result.status !== 0) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  fail(
    `pip wheel failed (${result.signal ? `signal ${result.signal}` : `exit ${result.status}`})` +
      `${output ? `:\n${output}` : ''}\n(is hatchling installed in .venv? run \`npm run setup\`)`,
  );
}

// Trainings import emkit from the source folder with PYTHONDONTWRITEBYTECODE set (nothing is
// written into a run's folders); compiled once here, the supervisor starts ~18 ms sooner.
const compiled = spawnSync(python, ['-m', 'compileall', '-q', join(source, 'src', 'emkit')], { cwd: repo, encoding: 'utf8' });
if (compiled.status !== 0) fail(`compileall failed:\n${compiled.stdout ?? ''}${compiled.stderr ?? ''}`);

const wheels = readdirSync(outDir).filter((f) => f.startsWith('emkit-') && f.endsWith('.whl'));
if (wheels.length !== 1) fail(`expected one emkit wheel in ${outDir}, found ${wheels.length}`);
process.stdout.write(`${join(outDir, wheels[0])}\n`);
