// The "Run on" choice in VS Code's submit flow (code-server in headless Chromium), with a real
// two-node Ray cluster started by `emkit cluster up` through the workbench's bridge: the
// clusters offered with their state, an unreachable one with why, then the instances and the
// placement, and the training panel saying where each rank ran. Screenshots under
// test-artifacts/vscode-cluster-choice/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { waitFor } from '../support/bridge.js';
import { localClusterUp } from '../support/clusters.js';
import { hasProc } from '../support/processes.js';
import { notebook, pythonHas, settledTraining, venvPython } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, input, openWorkbench, palette, pick, treeRows, type Workbench, webview } from './support/workbench.js';

const hasRay = hasProc && pythonHas(venvPython, 'ray');
const skipReason =
  vscodeSkipReason() ||
  (hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)');

const NOTEBOOK = notebook([
  { source: 'import os\nprint("rank", os.environ["RANK"], "on", os.environ["EMKIT_NODE"], flush=True)' },
]);

describe.skipIf(skipReason !== '')(`"Run on" a Ray cluster from VS Code's submit flow${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-cluster-choice');
  const rows = () => page.locator('.quick-input-list .monaco-list-row');

  beforeAll(async () => {
    workbench = await openWorkbench({ prepare: (work) => writeFileSync(join(work, 'ranks.ipynb'), NOTEBOOK) });
    page = workbench.page;
    await localClusterUp(workbench.bridge, 'vr');
    await workbench.bridge.client.api.createCluster({ body: { name: 'nowhere', address: 'http://127.0.0.2:9' } });
  }, 720_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await workbench?.bridge.client.api.deleteCluster({ params: { id: 'vr' } }).catch(() => {});
    await workbench?.close();
  }, 60_000);

  it('offers the clusters with their state, asks instances and placement, and the panel shows the ranks on two nodes', async () => {
    // the clusters as the emkit tree shows them: the one to use REACHABLE, the other not
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    await expect
      .poll(() => treeRows(page).allTextContents(), { timeout: 60_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/vr.*REACHABLE/), expect.stringMatching(/nowhere.*UNREACHABLE/)]));

    await page.keyboard.press('Control+P');
    await input(page).fill('ranks.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ranks.ipynb' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'ranks.ipynb' }).waitFor({ timeout: 30_000 });

    await palette(page, 'emkit: Submit Current Notebook as Training');
    expect(await answer(page)).toBe('ranks'); // the name
    await answer(page); // "New experiment…"
    await answer(page, 'vscode-cluster');
    await answer(page); // no hyperparameters

    // Run on: this machine first (no default cluster), each cluster with its state
    await input(page).waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => (await rows().allTextContents()).map((text) => text.trim()), { timeout: 10_000 })
      .toEqual(['This machine', expect.stringMatching(/^nowhere \(UNREACHABLE\): .*ECONNREFUSED/), 'vr (REACHABLE, 2 nodes)']);
    await shot(page, 'run-on');
    await rows().filter({ hasText: 'vr (REACHABLE, 2 nodes)' }).click();
    expect(await answer(page, '2')).toBe('2'); // instances
    await input(page).waitFor({ timeout: 10_000 });
    await expect.poll(() => rows().count()).toBe(3);
    await shot(page, 'placement');
    await pick(page, 'STRICT_SPREAD: each rank on its own node');
    await answer(page); // early stopping: none

    const { client } = workbench.bridge;
    const training = await waitFor(
      async () => (await client.api.listTrainings({ query: {} })).items[0],
      30_000,
      'the submitted training',
    );
    expect(training).toMatchObject({ cluster: 'vr', placementStrategy: 'STRICT_SPREAD', instanceCount: 2 });
    const done = await settledTraining(client, training.id, 240_000);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(new Set(done.placement.map((p) => p.node)).size).toBe(2);
    const ranks = done.placement.map((p) => `rank ${p.rank} on ${p.node}`).join(', ');
    await expect
      .poll(() => webview(page, '.emkit-training-view'), { timeout: 30_000 })
      .toEqual(expect.stringContaining('Runs onvr'));
    expect(await webview(page, '.emkit-training-view')).toContain(ranks);
    await shot(page, 'training-panel');
  }, 420_000);
});
