// Idempotent set-up for `npm start` and `npm test`: system packages (as root on
// Debian/Ubuntu), npm dependencies, the project's Python environment at .venv/,
// and the build. Plain Node with no dependencies: it runs before `npm install`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const venv = join(root, '.venv');
export const venvBin = join(venv, process.platform === 'win32' ? 'Scripts' : 'bin');
const say = (text) => process.stderr.write(`[emkit setup] ${text}\n`);

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    say(`failed: ${command} ${args.join(' ')}`);
    process.exit(result.status ?? 1);
  }
  return result;
}

const has = (command, args = ['--version']) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    say(`Node ${process.versions.node} is too old: emkit needs Node 20 or newer`);
    process.exit(1);
  }
}

function findPython() {
  for (const candidate of [process.env.EMKIT_PYTHON, 'python3', 'python'].filter(Boolean)) {
    const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (result.status === 0) {
      const [major, minor] = result.stdout.trim().split('.').map(Number);
      if (major === 3 && minor >= 10) return candidate;
      say(`${candidate} is Python ${result.stdout.trim()}; emkit needs 3.10 or newer`);
    }
  }
  say('no Python 3.10+ found: install python3 (with venv) or set EMKIT_PYTHON');
  process.exit(1);
}

/** As root on Debian/Ubuntu, install the few system packages a bare machine lacks. */
function systemPackages(python) {
  const missing = [];
  if (!has('g++') || !has('make')) missing.push('g++', 'make'); // better-sqlite3 builds from source offline
  if (!has(python, ['-c', 'import venv, ensurepip'])) missing.push('python3-venv');
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !has('apt-get', ['--version'])) {
    say(`please install: ${missing.join(' ')}`);
    process.exit(1);
  }
  say(`installing ${missing.join(' ')} with apt-get`);
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const hashOf = (...files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(join(root, file)));
  return hash.digest('hex');
};

function npmDependencies() {
  const stamp = join(root, 'node_modules', '.emkit-setup');
  const want = hashOf(
    'package.json',
    'shared/package.json',
    'server-bridge/package.json',
    'jupyterlab-ext/package.json',
    'test/package.json',
  );
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm dependencies');
  const env = { ...process.env };
  // native modules (better-sqlite3) build against the running Node's own headers:
  // no header download, which fails on a closed network
  const prefix = dirname(dirname(process.execPath));
  if (!env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  // `npm install`, not `npm ci`: npm 11 drops other platforms' optional packages
  // (biome's, esbuild's) from the lock file, which `npm ci` then calls out of sync
  run('npm', ['install', '--no-audit', '--no-fund'], { env });
  writeFileSync(stamp, want);
}

function pythonEnvironment(python) {
  const stamp = join(venv, '.emkit-setup');
  const want = hashOf('requirements-dev.txt', 'server-bridge/python/pyproject.toml');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  if (!existsSync(join(venvBin, 'python'))) {
    say(`creating the project Python environment at .venv (${python})`);
    run(python, ['-m', 'venv', venv]);
  }
  say('installing JupyterLab, TensorBoard, uv and the test tools into .venv');
  const pip = [join(venvBin, 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', '-q'];
  run(pip[0], [...pip.slice(1), '-r', 'requirements-dev.txt']);
  run(pip[0], [...pip.slice(1), '--no-deps', '--no-build-isolation', '-e', 'server-bridge/python']);
  writeFileSync(stamp, want);
}

export function build() {
  say('building');
  run('npm', ['run', '--silent', 'build']);
}

/**
 * The JupyterLab extension goes into .venv the way a user gets it: `pip install` of the
 * wheel `npm run build` made (the prebuilt labextension inside), reinstalled when it changes.
 */
function jupyterLabExtension() {
  const dist = join(root, 'jupyterlab-ext', 'dist');
  const wheel = existsSync(dist) && readdirSync(dist).find((f) => f.startsWith('emkit_jupyterlab-') && f.endsWith('.whl'));
  if (!wheel) {
    say('no emkit_jupyterlab wheel in jupyterlab-ext/dist: the build did not make one');
    process.exit(1);
  }
  const stamp = join(venv, '.emkit-jupyterlab');
  const want = hashOf(join('jupyterlab-ext', 'dist', wheel));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing the JupyterLab extension into .venv');
  const python = join(venvBin, 'python');
  run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '--no-deps', '--force-reinstall', join(dist, wheel)]);
  writeFileSync(stamp, want);
}

export function setup({ withBuild = true } = {}) {
  checkNode();
  const python = findPython();
  systemPackages(python);
  npmDependencies();
  pythonEnvironment(python);
  if (withBuild) {
    build();
    jupyterLabExtension();
  }
}

/** The environment emkit's processes run with: the project's .venv tools (uv, tensorboard) on the PATH. */
export function projectEnv(extra = {}) {
  return { ...process.env, PATH: `${venvBin}:${process.env.PATH ?? ''}`, ...extra };
}

if (process.argv[1] && statSync(process.argv[1]).isFile() && fileURLToPath(import.meta.url) === process.argv[1]) {
  setup();
}
