// The whole loop through the VS Code extension's commands, in real code-server's extension
// host against a real bridge (vscode-ext/test-host/workflows.ts does the steps), with the
// training and endpoint panels read in the page: what their webviews show a user.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshots } from '../e2e/support/browser.js';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { irisNotebook } from '../support/notebooks.js';
import {
  buildExtension,
  runExtensionTests,
  startCodeServer,
  type TestCodeServer,
  vscodeSkipReason,
} from './support/code-server.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const skipReason = vscodeSkipReason({ scikitLearn: true });

/** The text of every emkit webview in the page (nested frames), a drawn chart marked `[chart]`. */
async function webviewTexts(page: Page): Promise<string[]> {
  const texts: string[] = [];
  for (const frame of page.frames()) {
    const text = await frame
      .evaluate(() => {
        const view = document.querySelector('.emkit-view') as HTMLElement | null;
        if (!view) return null;
        return view.textContent + (document.querySelector('.emkit-metric-chart canvas') ? '\n[chart]' : '');
      })
      .catch(() => null);
    if (text) texts.push(text);
  }
  return texts;
}

describe.skipIf(skipReason !== '')(`the emkit commands and panels in code-server${skipReason}`, () => {
  let bridge: TestBridge;
  let codeServer: TestCodeServer;
  let browser: Browser;
  let work: string;
  // the host test's result and signal files, outside the folder the explorer shows
  let results: string;

  beforeAll(async () => {
    buildExtension();
    work = tempDir('emkit-vscode-loop-');
    results = tempDir('emkit-vscode-loop-results-');
    bridge = await startBridge();
    codeServer = await startCodeServer({
      EMKIT_HOME: bridge.home,
      EMKIT_TEST_RESULT: join(results, 'result.json'),
      EMKIT_TEST_NOTEBOOK: join(work, 'iris.ipynb'),
    });
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

  it('submits a notebook, follows it to COMPLETE in its panel, makes a model, deploys, calls and switches stages', async () => {
    const shot = screenshots('vscode-workflows');
    writeFileSync(join(work, 'iris.ipynb'), JSON.stringify(irisNotebook('vscode step', 4)));
    const { code, result, log } = await runExtensionTests(browser, codeServer, {
      folder: work,
      developmentPath: extensionDir,
      testsModule: join(extensionDir, 'dist', 'test-host', 'workflows.js'),
      resultFile: join(results, 'result.json'),
      // the host asks to be looked at: a screenshot, and the webviews' text it then checks
      look: async (page, step) => {
        await page.waitForTimeout(700); // the panel's first paint
        await shot(page, step);
        return { texts: await webviewTexts(page) };
      },
    });
    console.log(`extension-host test:\n${result}`);
    expect(code, `${result}\n${log.join('\n')}\n${codeServer.output()}`).toBe(0);
    expect(JSON.parse(result).ok).toBe(true);
  }, 480_000);
});
