// A notebook submitted from JupyterLab's form to a real two-node Ray cluster (started with
// `emkit cluster up` through a real bridge, as a user starts one), in Debian's headless
// Chromium: "Run on" the cluster, two instances each on its own node, and the training view
// saying where each rank ran.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { localClusterUp } from '../support/clusters.js';
import { hasProc } from '../support/processes.js';
import { fullLog, notebook, pythonHas, settledTraining, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const hasRay = hasProc && pythonHas(venvPython, 'ray');
const skipReason =
  e2eSkipReason(pythonHas(venvPython, 'sklearn', 'joblib')) ||
  (hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)');

const NOTEBOOK = notebook([
  { source: 'greeting = "hello"', tags: ['parameters'] },
  {
    source:
      'import os\nprint("rank", os.environ["RANK"], "of", os.environ["WORLD_SIZE"], "on", os.environ["EMKIT_NODE"], greeting)',
  },
]);

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-cluster-training');

const panel = () => page.locator('.emkit-Sidebar');
const dialog = () => page.locator('.jp-Dialog');
const clusterBadge = (name: string) =>
  panel().locator(`[data-emkit-kind="cluster"][data-emkit-name="${name}"] .emkit-Badge`).first();

/** The notebook open, the emkit panel showing and its clusters loaded, as a user sees them before submitting. */
async function openNotebook(): Promise<void> {
  await page.goto(`${lab.origin}/lab/tree/ranks.ipynb?reset&token=${lab.token}`);
  await page.locator('.jp-NotebookPanel .jp-Cell').first().waitFor({ timeout: 60_000 });
  const tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="emkit-sidebar"]');
  await tab.waitFor({ timeout: 30_000 });
  await expect
    .poll(
      async () => {
        if (!(await panel().isVisible())) await tab.click();
        return panel().isVisible();
      },
      { timeout: 20_000, intervals: [500] },
    )
    .toBe(true);
  await expect.poll(() => clusterBadge('rt').textContent(), { timeout: 30_000 }).toBe('REACHABLE');
  await expect.poll(() => clusterBadge('nowhere').textContent(), { timeout: 30_000 }).toBe('UNREACHABLE');
}

/** The notebook toolbar's emkit button: the submit form. */
async function openSubmitForm(): Promise<void> {
  await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="emkit-submit"] button').click();
  await dialog().locator('select[name="runOn"]').waitFor({ timeout: 20_000 });
}

describe.skipIf(skipReason !== '')(`a notebook submitted to a Ray cluster from JupyterLab's form${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-cluster-');
    const home = tempDir('emkit-e2e-cluster-home-');
    // JupyterLab finds the bridge through runtime.json in the home; the bridge allows its origin
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: home });
    writeFileSync(join(work, 'lab', 'notebooks', 'ranks.ipynb'), NOTEBOOK);
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin, '--cluster-poll', '0.5'] });
    // every port is picked free by the bridge: other clusters on this machine are left alone
    await localClusterUp(bridge, 'rt');
    // a cluster the bridge can't reach: shown in the form, not choosable
    await bridge.client.api.createCluster({ body: { name: 'nowhere', address: 'http://127.0.0.2:9' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 720_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.client.api.deleteCluster({ params: { id: 'rt' } }).catch(() => {});
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    removeDir(work ?? '');
  }, 60_000);

  it('runs on the cluster chosen in the form, two ranks on two nodes, the view saying which', async () => {
    await openNotebook();
    await shot(page, 'notebook-and-clusters');
    await openSubmitForm();
    const runOn = dialog().locator('select[name="runOn"]');
    const placement = dialog().locator('label', { has: page.locator('select[name="placement"]') });
    // this machine first and chosen (no default cluster); the unreachable cluster shown, with why, disabled
    expect(await runOn.locator('option').allTextContents()).toEqual([
      'This machine',
      expect.stringMatching(/^nowhere \(UNREACHABLE\): .*ECONNREFUSED/),
      'rt (REACHABLE, 2 nodes)',
    ]);
    expect(await runOn.inputValue()).toBe('');
    expect(await runOn.locator('option[value="nowhere"]').isDisabled()).toBe(true);
    expect(await placement.isVisible()).toBe(false);
    await runOn.scrollIntoViewIfNeeded();
    await shot(page, 'form-this-machine');

    // a cluster: the placement shows beside the instance count
    await runOn.selectOption('rt');
    await placement.waitFor();
    await dialog().locator('input[name="instanceCount"]').fill('2');
    await dialog().locator('select[name="placement"]').selectOption('STRICT_SPREAD');
    await placement.scrollIntoViewIfNeeded();
    await shot(page, 'form-on-cluster');
    await dialog().locator('.jp-mod-accept').click();
    await dialog().waitFor({ state: 'detached' });

    // the training view opens; it says the cluster and, once placed, each rank's node
    const view = page.locator('.emkit-training-view');
    await view.waitFor({ timeout: 30_000 });
    const facts = view.locator('.emkit-facts').first();
    await expect.poll(() => facts.textContent(), { timeout: 30_000 }).toContain('Runs onrt');
    await expect.poll(() => facts.textContent(), { timeout: 180_000 }).toMatch(/rank 0 on \S+, rank 1 on \S+/);
    await shot(page, 'training-view-placed');

    const [training] = (await bridge.client.api.listTrainings({ query: {} })).items;
    if (!training) throw new Error('no training was submitted');
    expect(training).toMatchObject({ cluster: 'rt', placementStrategy: 'STRICT_SPREAD', instanceCount: 2 });
    const done = await settledTraining(bridge.client, training.id, 240_000);
    expect(done.state, `${done.stateReason}\n${await fullLog(bridge.client, training.id)}`).toBe('COMPLETE');
    const nodes = done.placement.map((p) => p.node);
    expect(new Set(nodes).size).toBe(2);
    // the view names the same nodes the bridge placed the ranks on
    const shown = (await facts.textContent()) ?? '';
    for (const p of done.placement) expect(shown).toContain(`rank ${p.rank} on ${p.node}`);
    // and each rank ran the notebook where the bridge says it did
    for (const p of done.placement) {
      expect(await fullLog(bridge.client, training.id, p.rank)).toContain(`rank ${p.rank} of 2 on ${p.node} hello`);
    }
    await expect.poll(() => view.locator('.emkit-state').first().textContent(), { timeout: 30_000 }).toBe('COMPLETE');
    await shot(page, 'training-view-complete');
  }, 420_000);

  it('shows the same choice in Korean', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);
    await openNotebook();
    await openSubmitForm();
    const runOn = dialog().locator('select[name="runOn"]');
    expect(await runOn.locator('option').first().textContent()).toBe('이 컴퓨터');
    await runOn.selectOption('rt');
    expect(await runOn.locator('option[value="rt"]').textContent()).toBe('rt (REACHABLE, 노드 2개)');
    await dialog().locator('select[name="placement"]').waitFor();
    expect(await dialog().textContent()).toContain('배치 전략');
    await dialog().locator('select[name="placement"]').scrollIntoViewIfNeeded();
    await shot(page, 'form-korean');
    await dialog().locator('.jp-mod-reject').click();
  }, 120_000);
});
