// The packaged extension as a user gets it: `npm run package:vscode` makes the .vsix, code-server's
// --install-extension installs it into a fresh server, and there it activates and registers
// every command it contributes (vscode-ext/test-host/installed.ts checks from inside).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../e2e/support/browser.js';
import { removeDir, repoRoot, tempDir } from '../support/bridge.js';
import {
  buildExtension,
  runExtensionTests,
  startCodeServer,
  type TestCodeServer,
  vscodeSkipReason,
} from './support/code-server.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const vsix = join(extensionDir, 'dist', 'emkit-vscode.vsix');
const skipReason = vscodeSkipReason();

describe.skipIf(skipReason !== '')(`the packaged .vsix${skipReason}`, () => {
  let codeServer: TestCodeServer;
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packaged = spawnSync(npm, ['run', 'package:vscode'], { cwd: repoRoot, encoding: 'utf8' });
    if (packaged.status !== 0) throw new Error(`npm run package:vscode failed:\n${packaged.stdout}${packaged.stderr}`);
    buildExtension(); // the test module
    work = tempDir('emkit-vsix-');
    // an empty home: the extension starts the bridge itself, with the CLI this checkout built
    mkdirSync(join(work, '.vscode'));
    writeFileSync(
      join(work, '.vscode', 'settings.json'),
      JSON.stringify({ 'emkit.cliPath': join(repoRoot, 'server-bridge', 'dist', 'emkit.mjs') }),
    );
    codeServer = await startCodeServer(
      { EMKIT_TEST_RESULT: join(work, 'result.json'), EMKIT_HOME: join(work, 'home') },
      { install: vsix },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await codeServer?.stop();
    // the bridge the extension started runs detached, as a user's would: stop it
    const runtime = join(work ?? '', 'home', 'runtime.json');
    if (existsSync(runtime)) {
      const { pid } = JSON.parse(readFileSync(runtime, 'utf8')) as { pid: number };
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    removeDir(work ?? '');
  });

  it('installs with --install-extension into a fresh code-server, activates there, lists its commands and starts a bridge', async () => {
    expect(statSync(vsix).size).toBeLessThan(1024 * 1024);
    expect(codeServer.listExtensions()).toContain('emkit.emkit-vscode@0.1.0');
    // a bare extension to host the test module: the emkit under test is the installed one
    const probe = join(work, 'probe');
    mkdirSync(probe, { recursive: true });
    writeFileSync(
      join(probe, 'package.json'),
      JSON.stringify({ name: 'probe', publisher: 'emkit-test', version: '0.0.0', engines: { vscode: '^1.100.0' } }),
    );
    const { code, result } = await runExtensionTests(browser, codeServer, {
      folder: work,
      developmentPath: probe,
      testsModule: join(extensionDir, 'dist', 'test-host', 'installed.js'),
      resultFile: join(work, 'result.json'),
    });
    console.log(`installed extension:\n${result}`);
    expect(code, `${result}\n${codeServer.output()}`).toBe(0);
    const { ok, steps } = JSON.parse(result) as { ok: boolean; steps: string[] };
    expect(ok).toBe(true);
    expect(steps[0]).toContain(join('extensions', 'emkit.emkit-vscode-0.1.0'));
    expect(existsSync(join(work, 'home', 'runtime.json'))).toBe(true);
  }, 180_000);
});
