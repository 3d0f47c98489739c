// emkit in real VS Code (code-server, headless Chromium) with Korean as the display language:
// the palette lists emkit's commands by their Korean titles (package.nls.ko.json), the
// sidebar's views are named in Korean, and what the extension itself says — an empty tree's
// message, a command's input box — comes from its Korean l10n bundle. Screenshots under
// test-artifacts/vscode-korean/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { writeFileModel } from '../e2e/support/models.js';
import { removeDir, repoRoot, tempDir } from '../support/bridge.js';
import { vscodeSkipReason } from './support/code-server.js';
import { input, openWorkbench, palette, pick, type Workbench, webview } from './support/workbench.js';

const extensionDir = join(repoRoot, 'vscode-ext');
const skipReason = vscodeSkipReason();
const json = (path: string) => JSON.parse(readFileSync(join(extensionDir, path), 'utf8'));
const titlesKo = json('package.nls.ko.json') as Record<string, string>;
const bundleKo = json('l10n/bundle.l10n.ko.json') as Record<string, string>;
const manifest = json('package.json') as {
  contributes: {
    commands: { command: string; title: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
  };
};
/** the Korean title of every command the palette offers (some only make sense on a tree row) */
const paletteTitlesKo = manifest.contributes.commands
  .filter((c) => !manifest.contributes.menus.commandPalette.some((m) => m.command === c.command && m.when === 'false'))
  .map((c) => `emkit: ${titlesKo[c.title.replace(/^%|%$/g, '')]}`);

describe.skipIf(skipReason !== '')(`the emkit extension in VS Code set to Korean${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-korean');

  beforeAll(async () => {
    workbench = await openWorkbench({ locale: 'ko' });
    page = workbench.page;
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it('lists every emkit command in the palette by its Korean title', async () => {
    // the display language the workbench resolved (VS Code's platform.language)
    const language = await page.evaluate(() => (globalThis as { _VSCODE_NLS_LANGUAGE?: string })._VSCODE_NLS_LANGUAGE);
    expect(language).toBe('ko');
    await page.keyboard.press('F1');
    await input(page).fill('>emkit: ');
    const rows = page.locator('.quick-input-list .monaco-list-row .monaco-icon-label');
    await rows.first().waitFor();
    // the list is virtual: read the labels while scrolling through it
    const seen = new Set<string>();
    for (let i = 0; i < 40 && paletteTitlesKo.some((t) => !seen.has(t)); i++) {
      for (const label of await rows.allTextContents()) seen.add(label.trim());
      if (i === 0) await shot(page, 'palette');
      await page.keyboard.press('PageDown');
      await page.waitForTimeout(100);
    }
    await page.keyboard.press('Escape');
    expect(paletteTitlesKo.filter((t) => !seen.has(t))).toEqual([]);
  });

  it("names the sidebar's views in Korean and says an empty tree's message in Korean", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const headers = page.locator('[id="workbench.view.extension.emkit"] .pane-header h3.title');
    await expect
      .poll(() => headers.allTextContents(), { timeout: 20_000 })
      .toEqual(
        [
          'view.environments',
          'view.datasets',
          'view.recipes',
          'view.experiments',
          'view.models',
          'view.endpoints',
          'view.clusters',
          'view.batchJobs',
          'view.schedules',
          'view.alerts',
          'view.tunings',
        ].map((k) => titlesKo[k]),
      );
    const views = page.locator('[id="workbench.view.extension.emkit"]');
    const noExperiments = bundleKo['No experiments yet — submit a training with `emkit train`.'];
    await expect.poll(() => views.textContent(), { timeout: 30_000 }).toContain(noExperiments);
    await shot(page, 'sidebar');
  });

  it("asks a command's questions in Korean", async () => {
    await palette(page, `emkit: ${titlesKo['command.createEnvironment']}`);
    await input(page).waitFor({ timeout: 10_000 });
    const widget = page.locator('.quick-input-widget');
    await expect.poll(() => widget.textContent(), { timeout: 10_000 }).toContain(bundleKo['Create an environment']);
    expect(await widget.textContent()).toContain(bundleKo['Environment name']);
    // a name VS Code's validation turns down, in Korean
    await input(page).fill('Not A Name');
    await expect
      .poll(() => widget.textContent(), { timeout: 5_000 })
      .toContain(bundleKo['Lower-case letters, digits, "-" and "_", starting with a letter or digit.']);
    await shot(page, 'create-environment');
    await page.keyboard.press('Escape');
  });

  it("shows a model's view in Korean: the shared view's words from the l10n bundle", async () => {
    const work = tempDir('emkit-vscode-korean-model-');
    try {
      await workbench.bridge.client.api.createModel({
        body: { name: 'file-kind', artifactPath: writeFileModel(work), framework: 'custom' },
      });
      await palette(page, `emkit: ${titlesKo['command.openModel']}`);
      await pick(page, 'file-kind');
      // the feed has loaded the versions: v1's row says it has no evaluation yet
      await expect
        .poll(() => webview(page, '.emkit-model-view'), { timeout: 20_000 })
        .toContain(`v1${bundleKo['not evaluated']}`);
      const text = await webview(page, '.emkit-model-view');
      for (const words of ['Iterations', 'Quick test', 'Evaluate…', 'Promote…', 'Instances (JSON)'])
        expect(text).toContain(bundleKo[words]);
      await shot(page, 'model-view');
    } finally {
      removeDir(work);
    }
  });
});
