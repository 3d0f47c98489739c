import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, screenshots } from '../e2e/support/browser.js';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { CODE_SERVER_VERSION, hasCodeServer, startCodeServer, type TestCodeServer } from './support/code-server.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const skipReason = !hasChromium
  ? ' (SKIPPED: /usr/bin/chromium is not installed: apt-get install chromium)'
  : !hasCodeServer
    ? ` (SKIPPED: code-server ${CODE_SERVER_VERSION} is not installed: node vscode-ext/scripts/code-server.mjs)`
    : '';

describe.skipIf(skipReason !== '')(`the emkit trees in code-server's extension host${skipReason}`, () => {
  let bridge: TestBridge;
  let codeServer: TestCodeServer;
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    // the extension and its extension-host tests, bundled as a user's VS Code would load them
    const build = spawnSync(process.execPath, [join(extensionDir, 'scripts', 'build.mjs'), '--tests'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building vscode-ext failed:\n${build.stderr}`);
    work = tempDir('emkit-vscode-');
    bridge = await startBridge();
    codeServer = await startCodeServer({ EMKIT_HOME: bridge.home, EMKIT_TEST_RESULT: join(work, 'result.json') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await codeServer?.stop();
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    removeDir(work ?? '');
  });

  it('lists a training submitted through the bridge API and shows it turn COMPLETE, live', async () => {
    const shot = screenshots('vscode-trees');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const log: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) =>
      log.push(`${type} ${JSON.stringify(args)}`),
    );
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.goto(
      codeServer.url(work, [
        ['extensionDevelopmentPath', codeServer.remote(extensionDir)],
        ['extensionTestsPath', codeServer.remote(join(extensionDir, 'dist', 'test-host', 'trees.js'))],
      ]),
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    await shot(page, 'workbench');
    // the host asks for the screenshot once the trees show the COMPLETE training
    const signal = join(work, 'result.json.shot');
    let exited = false;
    void exitCode.then(() => (exited = true));
    const shotTaken = (async () => {
      while (!existsSync(signal)) {
        if (exited) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      await page.waitForTimeout(500); // the tree's repaint after reveal
      await shot(page, 'trees-training-complete');
      rmSync(signal);
    })();
    const code = await Promise.race([exitCode, shotTaken.then(() => exitCode)]);
    const resultFile = join(work, 'result.json');
    const result = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '(no result written)';
    console.log(`extension-host test:\n${result}`);
    expect(code, `${result}\n${log.join('\n')}\n${codeServer.output()}`).toBe(0);
    expect(JSON.parse(result).ok).toBe(true);
  }, 180_000);
});
