// The whole loop through the VS Code extension's commands, in real code-server's extension
// host against a real bridge (vscode-ext/test-host/workflows.ts does the steps), with the
// training and endpoint panels read in the page: what their webviews show a user.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, screenshots } from '../e2e/support/browser.js';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { CODE_SERVER_VERSION, hasCodeServer, startCodeServer, type TestCodeServer } from './support/code-server.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const skipReason = !hasChromium
  ? ' (SKIPPED: /usr/bin/chromium is not installed: apt-get install chromium)'
  : !hasCodeServer
    ? ` (SKIPPED: code-server ${CODE_SERVER_VERSION} is not installed: node vscode-ext/scripts/code-server.mjs)`
    : !pythonHas(venvPython, 'sklearn', 'joblib')
      ? ' (SKIPPED: scikit-learn is not installed in .venv: npm run setup)'
      : '';

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

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(extensionDir, 'scripts', 'build.mjs'), '--tests'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building vscode-ext failed:\n${build.stderr}`);
    work = tempDir('emkit-vscode-loop-');
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

  it('submits a notebook, follows it to COMPLETE in its panel, makes a model, deploys, calls and switches stages', async () => {
    const shot = screenshots('vscode-workflows');
    const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    const log: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) =>
      log.push(`${type} ${JSON.stringify(args)}`),
    );
    let exited = false;
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => {
        exited = true;
        resolve(code);
      });
    });
    await page.goto(
      codeServer.url(work, [
        ['extensionDevelopmentPath', codeServer.remote(extensionDir)],
        ['extensionTestsPath', codeServer.remote(join(extensionDir, 'dist', 'test-host', 'workflows.js'))],
      ]),
    );
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    // the host asks to be looked at: a screenshot, and the webviews' text written back
    const signal = join(work, 'result.json.shot');
    const looking = (async () => {
      while (!exited) {
        if (existsSync(signal)) {
          const step = readFileSync(signal, 'utf8');
          await page.waitForTimeout(700); // the panel's first paint
          await shot(page, step);
          writeFileSync(`${signal}.seen`, JSON.stringify({ texts: await webviewTexts(page) }));
          rmSync(signal);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const code = await exitCode;
    await looking;
    await shot(page, 'end');
    const resultFile = join(work, 'result.json');
    const result = existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : '(no result written)';
    console.log(`extension-host test:\n${result}`);
    expect(code, `${result}\n${log.join('\n')}\n${codeServer.output()}`).toBe(0);
    expect(JSON.parse(result).ok).toBe(true);
  }, 480_000);
});
