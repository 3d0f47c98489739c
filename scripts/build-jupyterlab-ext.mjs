#!/usr/bin/env node
// Builds the JupyterLab extension the way JupyterLab 4 extensions are built and shipped:
// the prebuilt labextension (`jupyter-builder build`, JupyterLab's own tool chain, against
// the core of the JupyterLab in .venv) into jupyterlab-ext/emkit_jupyterlab/labextension/,
// then the Python wheel that carries it (hatchling + hatch-jupyter-builder) into
// jupyterlab-ext/dist/. Each step is skipped when nothing it is made from changed.
// Prints the wheel's path; scripts/setup.mjs installs that wheel into .venv.
// `--labextension-only` stops after the labextension: what the wheel's own build hook
// (hatch-jupyter-builder, via `npm run build:labextension`) asks for.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const ext = join(repo, 'jupyterlab-ext');
const venvBin = join(repo, '.venv', process.platform === 'win32' ? 'Scripts' : 'bin');
const python = join(venvBin, process.platform === 'win32' ? 'python.exe' : 'python');
const labextension = join(ext, 'emkit_jupyterlab', 'labextension');
const distDir = join(ext, 'dist');
const say = (text) => process.stderr.write(`[build-jupyterlab-ext] ${text}\n`);

function fail(message) {
  say(message);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: repo,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${venvBin}:${process.env.PATH ?? ''}` },
    ...options,
  });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${relative(repo, command)} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function* files(path) {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === '__pycache__' || entry === 'node_modules') continue;
    yield* files(join(path, entry));
  }
}

/** One hash over the paths and contents of everything under the given files and folders. */
function hashOf(paths) {
  const hash = createHash('sha256');
  for (const path of paths) {
    for (const file of files(path)) {
      hash.update(relative(repo, file));
      hash.update(readFileSync(file));
    }
  }
  return hash.digest('hex');
}

/** Runs `build` unless the stamp says its inputs are what they were; returns whether it ran. */
function unlessUnchanged(name, inputs, outputs, build) {
  const stamp = join(distDir, `.${name}.sha256`);
  const want = hashOf(inputs);
  if (outputs.every(existsSync) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return false;
  build();
  mkdirSync(distDir, { recursive: true });
  writeFileSync(stamp, want);
  return true;
}

if (!existsSync(python)) fail(`${relative(repo, python)} is missing: run \`npm run setup\` first`);

// the front end's TypeScript (a no-op when the root `tsc -b` has just built it)
run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ext]);

// the core this extension is built against: the JupyterLab installed in .venv, read
// offline from its own package (jupyter-builder would otherwise ask the npm registry)
const corePackage = run(python, [
  '-c',
  'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))',
]).trim();

const built = unlessUnchanged(
  'labextension',
  [
    join(ext, 'lib'),
    join(ext, 'style'),
    join(ext, 'schema'),
    join(ext, 'package.json'),
    join(repo, 'shared', 'dist'),
    corePackage,
  ],
  [join(labextension, 'package.json')],
  () => {
    rmSync(labextension, { recursive: true, force: true });
    run(join(venvBin, 'jupyter-builder'), ['build', '--core-package-file', corePackage, ext]);
  },
);

if (built) {
  const statics = [...files(join(labextension, 'static'))].filter((f) => f.endsWith('.js'));
  const bytes = statics.reduce((sum, f) => sum + statSync(f).size, 0);
  const gzipped = statics.reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0);
  say(
    `labextension: ${statics.length} JavaScript files, ${(bytes / 1024).toFixed(1)} kB (${(gzipped / 1024).toFixed(1)} kB gzipped)`,
  );
}
if (process.argv.includes('--labextension-only')) process.exit(0);

const wheelOf = () => readdirSync(distDir).find((f) => f.startsWith('emkit_jupyterlab-') && f.endsWith('.whl'));
unlessUnchanged(
  'wheel',
  [
    labextension,
    join(ext, 'emkit_jupyterlab'),
    join(ext, 'pyproject.toml'),
    join(ext, 'install.json'),
    join(ext, 'jupyter-config'),
  ],
  [join(distDir, wheelOf() ?? 'no-wheel-yet.whl')],
  () => {
    mkdirSync(distDir, { recursive: true });
    for (const file of readdirSync(distDir)) if (file.endsWith('.whl')) rmSync(join(distDir, file));
    run(python, [
      '-m',
      'pip',
      'wheel',
      '--no-deps',
      '--no-build-isolation',
      '--disable-pip-version-check',
      '-q',
      '-w',
      distDir,
      ext,
    ]);
  },
);

const wheel = wheelOf();
if (!wheel) fail(`no emkit_jupyterlab wheel in ${relative(repo, distDir)}`);
process.stdout.write(`${join(distDir, wheel)}\n`);
