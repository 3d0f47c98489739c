// `npm test`: set up what is missing, build, then every test: lint (biome for the
// TypeScript, ruff and pyright for the Python: ruff.toml, pyrightconfig.json), the
// TypeScript unit and integration tests (vitest), and the Python package's tests (pytest).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectEnv, root, setup, venvBin } from './setup.mjs';

setup();
const env = projectEnv();
const failed = [];
// each vitest run also writes its results as JSON: the failed tests are named again at the very
// end, where a CI log's tail shows them, not only somewhere in the middle of the whole output
const results = mkdtempSync(join(tmpdir(), 'emkit-test-'));

function step(name, command, args) {
  process.stderr.write(`\n[emkit test] ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, env });
  if (result.status !== 0) failed.push(name);
}

/**
 * Runs with its output kept, to print whole once it ends (so it doesn't interleave with another's).
 * Kept in a file, not a pipe: while `step` runs another (spawnSync) nothing reads a pipe, and a
 * full one would stop this child at its next write until then.
 */
function quietly(name, beside, command, args) {
  const file = join(results, `${name.replace(/\W+/g, '-')}.log`);
  const out = openSync(file, 'w');
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', out, out] });
    let done = false;
    const ended = (code) => {
      if (done) return;
      done = true;
      closeSync(out);
      process.stderr.write(`\n[emkit test] ${name} (ran beside ${beside})\n`);
      process.stderr.write(readFileSync(file));
      if (code !== 0) failed.push(name);
      resolve();
    };
    child.on('error', () => ended(1));
    child.on('close', ended);
  });
}

step('lint', 'npx', ['biome', 'check', '.']);
step('ruff', join(venvBin, 'ruff'), ['check', '.']);
step('ruff format', join(venvBin, 'ruff'), ['format', '--check', '.']);
step('pyright', 'npx', ['pyright']);
// The suites that start clusters, browsers and editors run a file at a time (vitest.config.ts says why).
const vitest = (project) => [
  'vitest',
  'run',
  '--project',
  project,
  '--reporter=verbose',
  '--reporter=json',
  `--outputFile.json=${join(results, `${project}.json`)}`,
];
// The Ray suites and the editors' suites each run one file at a time, the two side by side: both
// mostly wait (on Ray's start, on what an editor draws), so together they take little more than
// the longer of them, where one after the other they took half of CI's time.
const ray = quietly('vitest (ray)', "the editors' suites", 'npx', vitest('ray'));
step('vitest (editors)', 'npx', vitest('editors'));
await ray;
// pytest mostly waits on the processes it starts, as vitest's parallel suites do: run side by
// side they take minutes off the whole run. Its Ray clusters' tests run alone afterwards, as
// vitest's cluster suites do (Ray gives a node a fixed 30 s to register).
const PYTEST_CLUSTERS = 'server-bridge/python/tests/test_clusters.py';
const python = join(venvBin, 'python');
const pytest = quietly('pytest', "vitest's parallel suites", python, [
  '-m',
  'pytest',
  'server-bridge/python/tests',
  'jupyterlab-ext/tests',
  `--ignore=${PYTEST_CLUSTERS}`,
  '-q',
]);
step('vitest (parallel)', 'npx', vitest('parallel'));
await pytest;
step('pytest (clusters)', python, ['-m', 'pytest', PYTEST_CLUSTERS, '-q']);

/** The failed tests of a vitest run, each with the first line of why: read from its JSON report. */
function failedTests(project) {
  let report;
  try {
    report = JSON.parse(readFileSync(join(results, `${project}.json`), 'utf8'));
  } catch {
    return [];
  }
  return report.testResults.flatMap((file) => {
    const name = file.name.startsWith(root) ? file.name.slice(root.length + 1) : file.name;
    const tests = file.assertionResults.filter((t) => t.status === 'failed');
    // the message's first line, what a locator waited for, and the test's own line that failed
    const why = (messages) => {
      const lines = (messages?.[0] ?? '').split('\n');
      const waited = lines.find((l) => /waiting for/.test(l));
      const at = lines.find((l) => /\/test\/.*\.test\.ts:\d+/.test(l) || /\/src\/.*\.test\.ts:\d+/.test(l));
      return [lines[0], waited, at]
        .filter(Boolean)
        .map((l) => l.trim().slice(0, 300))
        .join(' | ');
    };
    // a file that failed outside any test (an import, a hook) has no failed test to name
    if (tests.length === 0 && file.status === 'failed') return [`${name}: ${why([file.message])}`];
    return tests.map((t) => `${name} > ${t.fullName}: ${why(t.failureMessages)}`);
  });
}

const failedNames = ['ray', 'editors', 'parallel'].flatMap(failedTests);
rmSync(results, { recursive: true, force: true });
if (failed.length) {
  for (const line of failedNames) process.stderr.write(`[emkit test] ✗ ${line}\n`);
  process.stderr.write(`\n[emkit test] failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
