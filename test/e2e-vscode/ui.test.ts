// The loop as a user drives it in real VS Code (code-server in headless Chromium): the command
// palette, its QuickPicks and InputBoxes, the emkit trees, the panels' webviews and the
// notifications — no extension API in between. Screenshots of each step under
// test-artifacts/vscode-ui/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { irisNotebook } from '../support/notebooks.js';
import { vscodeSkipReason } from './support/code-server.js';
import {
  answer,
  input,
  openWorkbench,
  palette,
  pick,
  reloadWindow,
  treeRows,
  type Workbench,
  webview,
  webviewColors,
} from './support/workbench.js';

const skipReason = vscodeSkipReason({ scikitLearn: true });

describe.skipIf(skipReason !== '')(`the emkit extension driven from VS Code's UI${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-ui');

  beforeAll(async () => {
    workbench = await openWorkbench({
      prepare: (work) => writeFileSync(join(work, 'iris.ipynb'), JSON.stringify(irisNotebook('ui step', 4), null, 1)),
    });
    page = workbench.page;
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it('submits the open notebook from the palette, and shows it COMPLETE in the tree and its panel with logs and a chart', async () => {
    // open the notebook (VS Code's own notebook editor)
    await page.keyboard.press('Control+P');
    await input(page).fill('iris.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'iris.ipynb' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'iris.ipynb' }).waitFor({ timeout: 30_000 });
    await page.locator('.notebook-editor .cell-list-container:visible').first().waitFor({ timeout: 30_000 });
    await shot(page, 'notebook');

    await palette(page, 'emkit: Submit Current Notebook as Training');
    expect(await answer(page)).toBe('iris'); // the name, from the file's
    await answer(page); // the experiment: "New experiment…"
    await answer(page, 'vscode-ui');
    // the hyperparameters start from the notebook's parameters cell
    expect(await answer(page, 'C=0.5 steps=4')).toBe('C=1.0 steps=4');
    expect(await answer(page)).toBe(''); // early stopping: none

    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const row = treeRows(page)
      .filter({ hasText: 'iris' })
      .filter({ hasText: /COMPLETE|RUNNING|CREATE/ });
    await expect.poll(() => row.first().textContent(), { timeout: 120_000 }).toContain('COMPLETE');
    const panel = await (async () => {
      let text = '';
      await expect
        .poll(
          async () => {
            text = await webview(page, '.emkit-training-view');
            return text.includes('COMPLETE') && text.includes('ui step 4 C=0.5') && text.includes('[chart]');
          },
          { timeout: 30_000 },
        )
        .toBe(true);
      return text;
    })();
    expect(panel).toContain('C0.5');
    await shot(page, 'training-complete');
  }, 240_000);

  it('creates a model and an endpoint from the palette, and Call Endpoint shows the predictions', async () => {
    await palette(page, 'emkit: Create Model from Training');
    await answer(page); // the COMPLETE training
    expect(await answer(page)).toBe('vscode-ui'); // named after the experiment
    await expect
      .poll(() => treeRows(page).allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining('vscode-ui:1'));
    await shot(page, 'model');

    await palette(page, 'emkit: Create Endpoint');
    await answer(page); // the model version
    await answer(page, 'iris-ui');
    await answer(page); // stage "default"
    await expect.poll(() => webview(page, '.emkit-endpoint-view'), { timeout: 90_000 }).toContain('1/1');
    await shot(page, 'endpoint');

    await palette(page, 'emkit: Call Endpoint');
    await answer(page); // the endpoint
    await answer(page, '{"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]}');
    const expected = await workbench.bridge.client.api.infer({
      params: { endpoint: 'iris-ui' },
      body: {
        instances: [
          [5.1, 3.5, 1.4, 0.2],
          [6.7, 3.0, 5.2, 2.3],
        ],
      },
    });
    const toast = page.locator('.notifications-toasts', { hasText: 'iris-ui answered' });
    await toast.waitFor({ timeout: 20_000 });
    expect(await toast.textContent()).toContain(`iris-ui answered: ${JSON.stringify(expected.predictions)}`);
    await shot(page, 'call-endpoint');
  }, 240_000);

  it("shows in VS Code's Running Extensions with the activation time VS Code measured", async () => {
    await palette(page, 'Developer: Show Running Extensions');
    const row = page.locator('.runtime-extensions-editor .extension', {
      // its display name, or (a development copy) its identifier
      has: page.locator('.name', { hasText: /^emkit(\.emkit-vscode)?$/ }),
    });
    await row.waitFor({ timeout: 20_000 });
    // VS Code's own figure: loading the extension's code plus its activate() call
    const activation = (await row.locator('.activation-time').textContent()) ?? '';
    console.log(`emkit in Running Extensions: ${activation}`);
    expect(activation).toMatch(/\d+\s*ms/);
    await shot(page, 'running-extensions');
  });

  it("follows VS Code's color theme: the training panel in Dark Modern and High Contrast", async () => {
    await page.locator('.tab', { hasText: /^iris$/ }).click();
    const colors = () => webviewColors(page, '.emkit-training-view');
    const light = await colors();
    for (const [theme, background] of [
      ['Dark Modern', 'rgb(31, 31, 31)'],
      ['Dark High Contrast', 'rgb(0, 0, 0)'],
    ] as const) {
      await palette(page, 'Preferences: Color Theme');
      await pick(page, theme);
      // the view's own background and text take the theme's colours, the chart redraws in them
      await expect.poll(colors, { timeout: 10_000 }).toMatchObject({ background });
      const now = await colors();
      expect(now.text).not.toBe(light.text);
      await shot(page, `theme-${theme.replace(/\W+/g, '-').toLowerCase()}`);
    }
    await palette(page, 'Preferences: Color Theme');
    await pick(page, 'Light Modern');
    await expect.poll(colors, { timeout: 10_000 }).toEqual(light);
  });

  it('brings the training and endpoint panels back, live, after the window reloads', async () => {
    await reloadWindow(page);
    // VS Code brings a panel's content back when its tab is shown: the serializer asks the bridge again
    for (const [tab, view, shows] of [
      ['iris', '.emkit-training-view', 'ui step 4 C=0.5'],
      ['iris-ui', '.emkit-endpoint-view', '1/1'],
    ] as const) {
      await page.locator('.tab', { hasText: new RegExp(`^${tab}$`) }).click({ timeout: 60_000 });
      await expect.poll(() => webview(page, view), { timeout: 30_000 }).toContain(shows);
    }
    expect(await webview(page, '.emkit-training-view')).toContain('[chart]');
    await shot(page, 'panels-after-reload');
  });
});
