import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
// the one place that knows where the cached install lives and which version it is
import { CODE_SERVER_VERSION, codeServerBin } from '../../../vscode-ext/scripts/code-server.mjs';
import { hasChromium } from '../../e2e/support/browser.js';
import { freePort } from '../../e2e/support/jupyterlab.js';
import { projectEnv, repoRoot, tempDir } from '../../support/bridge.js';
import { pythonHas, venvPython } from '../../support/trainings.js';

export { CODE_SERVER_VERSION, codeServerBin };
export const hasCodeServer = existsSync(codeServerBin);

export interface TestCodeServer {
  origin: string;
  /** what a user gets when they open a folder; `payload` adds the extension-host test's arguments */
  url(folder: string, payload?: [string, string][]): string;
  /** a path on this machine as the workbench addresses it (code-server is a remote host) */
  remote(path: string): string;
  output(): string;
  /** `--list-extensions --show-versions` of this server's extensions folder */
  listExtensions(): string[];
  stop(): Promise<void>;
}

/**
 * A real code-server with its own user data, extensions and XDG folders under a temp dir,
 * no auth (it listens on 127.0.0.1 only), and nothing that calls out to the network.
 */
export async function startCodeServer(
  env: NodeJS.ProcessEnv = {},
  options: { install?: string; locale?: string } = {},
): Promise<TestCodeServer> {
  const dir = tempDir('emkit-code-server-');
  const userData = join(dir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'extensions.autoCheckUpdates': false,
      'telemetry.telemetryLevel': 'off',
    }),
  );
  if (options.locale) registerLanguagePack(userData, join(dir, 'language-pack'), options.locale);
  const xdg = Object.fromEntries(['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TMPDIR'].map((v) => [v, join(dir, v)]));
  for (const path of Object.values(xdg)) mkdirSync(path, { recursive: true });
  const folders = ['--user-data-dir', userData, '--extensions-dir', join(dir, 'extensions')];
  if (options.install) {
    // as a user installs a .vsix: code-server's own --install-extension, into this server's folders
    const installed = spawnSync(codeServerBin, ['--install-extension', options.install, ...folders], {
      encoding: 'utf8',
      env: { ...process.env, ...xdg },
    });
    if (installed.status !== 0) throw new Error(`--install-extension failed:\n${installed.stdout}${installed.stderr}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    codeServerBin,
    [
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      ...(options.locale ? ['--locale', options.locale] : []),
      ...folders,
    ],
    // a bridge the extension starts trains with the project's .venv, as under `npm test`
    { env: projectEnv({ ...xdg, ...env }), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz in 30 s:\n${output}`);
    const ok = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const remote = (path: string) => `vscode-remote://127.0.0.1:${port}${path}`;
  return {
    origin,
    remote,
    listExtensions: () =>
      spawnSync(codeServerBin, ['--list-extensions', '--show-versions', ...folders], {
        encoding: 'utf8',
        env: { ...process.env, ...xdg },
      })
        .stdout.split('\n')
        .filter(Boolean),
    url: (folder, payload) => {
      const query = new URLSearchParams({ folder });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${origin}/?${query}`;
    },
    output: () => output,
    stop: async () => {
      // its extension hosts are children of the server: end the whole group it leads
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
      await exited;
    },
  };
}

/**
 * VS Code shows a display language only when a language pack for it is installed, and the
 * real packs come from a marketplace this machine can't reach. What VS Code reads of an
 * installed pack is its entry in `<user-data>/languagepacks.json` and the translations file
 * it names: an entry with an empty translations file makes `locale` the display language
 * (platform.language, the extensions' package.nls.<locale>.json and l10n bundles) while
 * VS Code's own words, untranslated, stay English. The entry names a pack extension, or the
 * server would try to fetch one from the marketplace before scanning any extension.
 */
function registerLanguagePack(userData: string, packDir: string, locale: string): void {
  mkdirSync(packDir, { recursive: true });
  const translations = join(packDir, 'main.i18n.json');
  writeFileSync(translations, JSON.stringify({ version: '1.0.0', contents: {} }));
  const pack = {
    hash: `emkit-test-${locale}`,
    extensions: [{ extensionIdentifier: { id: `emkit-test.language-pack-${locale}` }, version: '1.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  writeFileSync(join(userData, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}

/**
 * The extension and its extension-host test modules bundled into vscode-ext/dist, as VS Code
 * loads them. Every suite builds before it starts its code-server, so none depends on another
 * having run first; the build replaces files whole, so one suite's build can't break another's
 * extension host that is loading them.
 */
export function buildExtension(): void {
  const script = join(repoRoot, 'vscode-ext', 'scripts', 'build.mjs');
  const built = spawnSync(process.execPath, [script, '--tests'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building vscode-ext failed:\n${built.stdout}${built.stderr}`);
}

/** Why a code-server suite can't run here ('' when it can), for the suite's name. */
export function vscodeSkipReason(needs: { scikitLearn?: boolean } = {}): string {
  if (!hasChromium) return ' (SKIPPED: /usr/bin/chromium is not installed: apt-get install chromium)';
  if (!hasCodeServer)
    return ` (SKIPPED: code-server ${CODE_SERVER_VERSION} is not installed: node vscode-ext/scripts/code-server.mjs)`;
  if (needs.scikitLearn && !pythonHas(venvPython, 'sklearn', 'joblib'))
    return ' (SKIPPED: scikit-learn is not installed in .venv: npm run setup)';
  return '';
}

export interface ExtensionTestRun {
  code: number;
  /** what the test module wrote to EMKIT_TEST_RESULT */
  result: string;
  /** the workbench's automation log, for a failure's message */
  log: string[];
}

/**
 * Opens `folder` in code-server with `developmentPath` as the extension under development and
 * `testsModule`'s run() executed in its extension host (REAL-EDITORS.md), until it exits. The
 * module may ask to be looked at by writing a step name to `<resultFile>.shot`: `look` runs
 * then (a screenshot, reading the webviews), what it answers is written to `.shot.seen`, and
 * the signal is removed to let the module go on.
 */
export async function runExtensionTests(
  browser: Browser,
  codeServer: TestCodeServer,
  options: {
    folder: string;
    developmentPath: string;
    testsModule: string;
    resultFile: string;
    look?: (page: Page, step: string) => Promise<unknown>;
  },
): Promise<ExtensionTestRun> {
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const log: string[] = [];
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => log.push(`${type} ${JSON.stringify(args)}`));
  let exited = false;
  const exitCode = new Promise<number>((resolve) => {
    void page.exposeFunction('codeAutomationExit', (code: number) => {
      exited = true;
      resolve(code);
    });
  });
  await page.goto(
    codeServer.url(options.folder, [
      ['extensionDevelopmentPath', codeServer.remote(options.developmentPath)],
      ['extensionTestsPath', codeServer.remote(options.testsModule)],
    ]),
  );
  const signal = `${options.resultFile}.shot`;
  const looking = (async () => {
    while (!exited) {
      if (existsSync(signal)) {
        const seen = await options.look?.(page, readFileSync(signal, 'utf8'));
        if (seen !== undefined) writeFileSync(`${signal}.seen`, JSON.stringify(seen));
        rmSync(signal);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const code = await exitCode;
  await looking;
  const result = existsSync(options.resultFile) ? readFileSync(options.resultFile, 'utf8') : '(no result written)';
  await page.close();
  return { code, result, log };
}
