// `npm start`: set up what is missing, build, then run the main job: the server-bridge
// with its embedded defaults and JupyterLab from the project's .venv, and print where
// they are. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { projectEnv, root, setup, venvBin } from './setup.mjs';

const say = (text) => process.stdout.write(`${text}\n`);

/** The port if it's free, else any free one. */
function freePort(preferred) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      const any = createServer();
      any.listen(0, '127.0.0.1', () => {
        const { port } = any.address();
        any.close(() => resolve(port));
      });
    });
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)));
  });
}

async function waitForFile(file, pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      try {
        const info = JSON.parse(readFileSync(file, 'utf8'));
        if (info.pid === pid) return info;
      } catch {
        // being written
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the bridge did not write ${file} in time`);
}

setup();
const home = process.env.EMKIT_HOME || join(homedir(), '.emkit');
const env = projectEnv({ EMKIT_HOME: home });
const bridgePort = await freePort(Number(process.env.EMKIT_PORT) || 8765);
const labPort = await freePort(Number(process.env.EMKIT_LAB_PORT) || 8888);
const labOrigins = [`http://127.0.0.1:${labPort}`, `http://localhost:${labPort}`];

const children = [];
const bridge = spawn(
  process.execPath,
  [
    join(root, 'server-bridge', 'dist', 'emkit.mjs'),
    'serve',
    '--home',
    home,
    '--port',
    String(bridgePort),
    ...labOrigins.flatMap((o) => ['--cors-origin', o]),
  ],
  { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] },
);
children.push(bridge);
const runtime = await waitForFile(join(home, 'runtime.json'), bridge.pid, 20_000);

const labToken = randomBytes(24).toString('hex');
const lab = spawn(
  join(venvBin, 'jupyter'),
  [
    'lab',
    '--no-browser',
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${labPort}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${labToken}`,
    `--ServerApp.root_dir=${process.env.EMKIT_NOTEBOOK_DIR || process.cwd()}`,
    // containers and CI machines often run as root; Jupyter refuses that unless told
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
  ],
  { cwd: root, env: { ...env, EMKIT_URL: runtime.url, EMKIT_TOKEN: runtime.token }, stdio: ['ignore', 'ignore', 'pipe'] },
);
children.push(lab);
let labLog = '';
lab.stderr.on('data', (d) => {
  labLog += d.toString();
  if (labLog.length > 100_000) labLog = labLog.slice(-50_000);
});

const stopAll = (code) => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
};
for (const child of children) {
  child.on('exit', (code) => {
    if (child === lab && code !== 0 && code !== null) process.stderr.write(labLog.slice(-4000));
    stopAll(code ?? 0);
  });
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

const deadline = Date.now() + 60_000;
while (Date.now() < deadline && !labLog.includes(`:${labPort}/`)) await new Promise((r) => setTimeout(r, 200));

say('');
say('emkit is running');
say(`  bridge      ${runtime.url}   (API: ${runtime.url}/api/v1/openapi.json)`);
say(`  token       ${runtime.token}`);
say(`  home        ${home}`);
say(`  JupyterLab  http://127.0.0.1:${labPort}/lab?token=${labToken}`);
say('');
say(`  CLI         node server-bridge/dist/emkit.mjs status    (or: npx emkit status)`);
say('  Ctrl-C stops both.');
