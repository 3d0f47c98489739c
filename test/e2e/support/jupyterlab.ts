import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { venvBin } from '../../support/bridge.js';

export interface TestJupyterLab {
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  /** where its user settings live: write <plugin>.jupyterlab-settings files here before the page loads */
  settingsDir: string;
  /** the page a user opens: a fresh layout (`reset`), logged in with the token */
  labUrl(): string;
  output(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function writeSettings(settingsDir: string, plugin: string, values: Record<string, unknown>): void {
  const [pkg, name] = plugin.split(':') as [string, string];
  const dir = join(settingsDir, pkg);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.jupyterlab-settings`), JSON.stringify(values));
}

/**
 * Real JupyterLab from the project's .venv, where `npm run setup` installed the emkit
 * wheel (the prebuilt extension and its server part), with its own config, data,
 * runtime, settings and workspace folders under `dir`, so nothing of the user's leaks in.
 */
export async function startJupyterLab(dir: string, env: NodeJS.ProcessEnv): Promise<TestJupyterLab> {
  const jupyter = join(venvBin, 'jupyter');
  if (!existsSync(jupyter)) throw new Error(`${jupyter} is missing: run \`npm run setup\` first`);
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const folders = Object.fromEntries(
    ['config', 'data', 'runtime', 'settings', 'workspaces', 'notebooks', 'ipython'].map((name) => {
      const path = join(dir, name);
      mkdirSync(path, { recursive: true });
      return [name, path];
    }),
  ) as Record<string, string>;
  // no "get Jupyter news?" toast and no update check: the page asks the network for neither
  writeSettings(folders.settings as string, '@jupyterlab/apputils-extension:notification', {
    fetchNews: 'false',
    checkForUpdates: false,
  });
  const child: ChildProcess = spawn(
    jupyter,
    [
      'lab',
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${folders.notebooks}`,
      // root in containers and CI
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    {
      cwd: folders.notebooks,
      env: {
        ...env,
        PATH: `${venvBin}:${env.PATH ?? ''}`,
        JUPYTER_CONFIG_DIR: folders.config,
        JUPYTER_DATA_DIR: folders.data,
        JUPYTER_RUNTIME_DIR: folders.runtime,
        JUPYTERLAB_SETTINGS_DIR: folders.settings,
        JUPYTERLAB_WORKSPACES_DIR: folders.workspaces,
        IPYTHONDIR: folders.ipython,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter lab exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`jupyter lab did not answer in 60 s:\n${output}`);
    const up = await fetch(`${origin}/api/status?token=${token}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    token,
    settingsDir: folders.settings as string,
    labUrl: () => `${origin}/lab?reset&token=${token}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Opens the emkit panel in JupyterLab's left bar (its tab may be there before it answers a
 * click, so the click is tried again until the panel shows).
 */
export async function showEmkitSidebar(page: Page): Promise<void> {
  const tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="emkit-sidebar"]');
  await tab.waitFor({ timeout: 60_000 });
  await expect
    .poll(
      async () => {
        if (!(await page.locator('.emkit-Sidebar').isVisible())) await tab.click();
        return page.locator('.emkit-Sidebar').isVisible();
      },
      { timeout: 20_000, intervals: [500] },
    )
    .toBe(true);
}
