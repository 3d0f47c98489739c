import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshots } from '../e2e/support/browser.js';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import {
  buildExtension,
  runExtensionTests,
  startCodeServer,
  type TestCodeServer,
  vscodeSkipReason,
} from './support/code-server.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const skipReason = vscodeSkipReason();

describe.skipIf(skipReason !== '')(`the emkit trees in code-server's extension host${skipReason}`, () => {
  let bridge: TestBridge;
  let codeServer: TestCodeServer;
  let browser: Browser;
  let work: string;
  // the host test's result and signal files, outside the folder the explorer shows
  let results: string;

  beforeAll(async () => {
    buildExtension();
    work = tempDir('emkit-vscode-');
    results = tempDir('emkit-vscode-results-');
    bridge = await startBridge();
    codeServer = await startCodeServer({ EMKIT_HOME: bridge.home, EMKIT_TEST_RESULT: join(results, 'result.json') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await codeServer?.stop();
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    removeDir(work ?? '');
    removeDir(results ?? '');
  });

  it('lists a training submitted through the bridge API and shows it turn COMPLETE, live', async () => {
    const shot = screenshots('vscode-trees');
    const { code, result, log } = await runExtensionTests(browser, codeServer, {
      folder: work,
      developmentPath: extensionDir,
      testsModule: join(extensionDir, 'dist', 'test-host', 'trees.js'),
      resultFile: join(results, 'result.json'),
      // the host asks for the screenshot once the trees show the COMPLETE training
      look: async (page) => {
        await page.waitForTimeout(500); // the tree's repaint after reveal
        await shot(page, 'trees-training-complete');
      },
    });
    console.log(`extension-host test:\n${result}`);
    expect(code, `${result}\n${log.join('\n')}\n${codeServer.output()}`).toBe(0);
    expect(JSON.parse(result).ok).toBe(true);
  }, 180_000);
});
