// The emkit panel in real JupyterLab (from PyPI, with the wheel `npm run setup` installs),
// against a real bridge, driven in Debian's headless Chromium. One JupyterLab and one page
// for the file; each test goes on from where the one before left the bridge.
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'joblib'));

// a real training: fits a model, logs a metric, takes long enough to be seen RUNNING
const TRAIN = [
  'import os, sys, time, joblib',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'from emkit.tracking import log_metric',
  'X, y = load_iris(return_X_y=True)',
  'model = LogisticRegression(max_iter=300).fit(X, y)',
  'log_metric("accuracy", model.score(X, y), 1)',
  'time.sleep(4)',
  'joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
].join('\n');

let work: string;
let bridgeHome: string;
let bridge: TestBridge | undefined;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab');
const pageErrors: string[] = [];

/** The bridge as `npm start` runs it: this JupyterLab's origin allowed. */
const startTheBridge = () => startBridge({ home: bridgeHome, args: ['--cors-origin', lab.origin] });

const panel = () => page.locator('.emkit-Sidebar');
const row = (kind: string, name: string): Locator => panel().locator(`[data-emkit-kind="${kind}"][data-emkit-name="${name}"]`);
const badge = (item: Locator) => item.locator('> .emkit-Row .emkit-Badge');

/** Click the emkit icon in the left bar until the panel shows (JupyterLab may still be restoring its layout). */
async function showPanel(): Promise<void> {
  await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
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
}

async function openJupyterLab(): Promise<void> {
  await page.goto(lab.labUrl());
  await showPanel();
}

describe.skipIf(skipReason !== '')(`the emkit panel in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-lab-');
    bridgeHome = tempDir('emkit-e2e-home-');
    // the way JupyterLab finds a bridge it did not start: runtime.json in the home
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: bridgeHome });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterEach(async ({ task }) => {
    // what the page showed when a test failed, beside the steps that passed
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
    removeDir(bridgeHome ?? '');
  });

  it('with no bridge running, says how to start one, then connects by itself once it is up', async () => {
    await openJupyterLab();
    const banner = panel().locator('[data-emkit-connection="no-bridge"]');
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain('No emkit bridge is running');
    expect(await banner.textContent()).toContain('npm start');
    await shot(page, 'no-bridge');

    bridge = await startTheBridge();
    await panel().locator('[data-emkit-connection="connected"]').waitFor({ timeout: 20_000 });
    expect(await panel().locator('.emkit-Connection-ok').textContent()).toBe(`Connected to ${bridge.url}`);
    for (const section of ['Environments', 'Experiments', 'Models', 'Endpoints', 'Clusters']) {
      await expect.poll(() => panel().locator('.emkit-Section-title').allTextContents()).toContain(section);
    }
    await shot(page, 'connected-empty');
  });

  it('follows a training submitted through the bridge to COMPLETE live, with a notification, then its model and endpoint', async () => {
    const client = (bridge as TestBridge).client;
    // a marker on the page: still there at the end means nothing reloaded it
    await page.evaluate(() => Object.assign(window, { emkitNoReload: true }));
    const source = writeTree(join(work, 'iris'), { 'train.py': TRAIN });
    const training = await client.api.createTraining({
      body: { name: 'iris-first', source: { path: join(source, 'train.py') }, experiment: 'iris' },
    });

    const item = row('training', training.name);
    await expect.poll(() => badge(item).textContent(), { timeout: 30_000 }).toBe('RUNNING');
    expect(await row('experiment', 'iris').isVisible()).toBe(true);
    await expect.poll(() => item.locator('[data-emkit-duration]').textContent()).toMatch(/^\d+s$/);
    await shot(page, 'training-running');

    await expect.poll(() => badge(item).textContent(), { timeout: 60_000 }).toBe('COMPLETE');
    const done = await settledTraining(client, training.id);
    expect(done.state).toBe('COMPLETE');
    const toast = page.getByText(`Training ${training.name} completed in`);
    await toast.waitFor({ timeout: 10_000 });
    await shot(page, 'training-complete-notified');

    await client.api.createModel({ body: { name: 'iris', training: training.id, aliases: ['production'] } });
    const version = row('model-version', 'iris:1');
    await version.waitFor({ timeout: 10_000 });
    expect(await version.textContent()).toContain('@production');

    await client.api.createEndpoint({ body: { name: 'iris-api', model: 'iris@production' } });
    const endpoint = row('endpoint', 'iris-api');
    await expect.poll(() => badge(endpoint).textContent(), { timeout: 90_000 }).toBe('ACTIVE');
    const stage = endpoint.locator('[data-emkit-kind="stage"][data-emkit-name="default"]');
    expect(await stage.locator('.emkit-Chip-default').textContent()).toBe('default');
    await expect.poll(() => stage.locator('.emkit-Health-text').textContent(), { timeout: 30_000 }).toBe('1/1 ready');
    await shot(page, 'model-and-endpoint');

    expect(await page.evaluate(() => (window as { emkitNoReload?: boolean }).emkitNoReload)).toBe(true);
  });

  it("shows the bridge's refusal when a training a model comes from is deleted", async () => {
    const item = row('training', 'iris-first');
    await item.locator('> .emkit-Row').hover();
    await item.getByRole('button', { name: 'Delete training iris-first' }).click();
    const dialog = page.locator('.jp-Dialog');
    expect(await dialog.locator('.jp-Dialog-header').textContent()).toContain('Delete training iris-first?');
    await dialog.getByRole('button', { name: 'Delete' }).click();

    const refusal = page.getByText(
      'Could not delete iris-first: model iris:1 comes from training "iris-first"; delete the model first',
    );
    await refusal.waitFor({ timeout: 10_000 });
    await shot(page, 'delete-refused');
    expect(await item.isVisible()).toBe(true);
  });

  it("runs the same actions from the command palette's emkit category, and shows the experiment's guard too", async () => {
    await page.locator('#jp-main-dock-panel').click();
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('.lm-CommandPalette');
    await palette.locator('.lm-CommandPalette-input').fill('emkit');
    const labels = await palette.locator('.lm-CommandPalette-item .lm-CommandPalette-itemLabel').allTextContents();
    expect(labels).toEqual(
      expect.arrayContaining(['Refresh emkit', 'Open emkit Settings', 'Stop Training…', 'Delete Experiment…']),
    );
    await palette.locator('.lm-CommandPalette-input').fill('Delete Experiment');
    await palette.locator('.lm-CommandPalette-item', { hasText: 'Delete Experiment…' }).click();

    const picker = page.locator('.jp-Dialog');
    expect(await picker.locator('.jp-Dialog-header').textContent()).toContain('Delete which experiment?');
    await picker.locator('select').selectOption('iris');
    await picker.locator('.jp-mod-accept').click();
    await page.locator('.jp-Dialog .jp-Dialog-header', { hasText: 'Delete experiment iris?' }).waitFor();
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Delete' }).click();
    await page
      .getByText('Could not delete iris: experiment "iris" has 1 training(s); delete them first')
      .waitFor({ timeout: 10_000 });
    await shot(page, 'palette-delete-refused');
  });

  it('when the bridge dies, says it is not reachable with its lists cleared, and recovers by itself when it is back', async () => {
    const before = bridge as TestBridge;
    await before.kill9();
    const banner = panel().locator('[data-emkit-connection="unreachable"]');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain(`The emkit bridge at ${before.url} isn't reachable`);
    expect(await banner.textContent()).toContain('Start it with `npm start` or `emkit serve`');
    // what the dead bridge had is not shown as if it were still there
    expect(await row('model-version', 'iris:1').count()).toBe(0);
    expect(await panel().locator('.emkit-Sidebar-content').count()).toBe(0);
    await shot(page, 'bridge-down');

    // the new bridge listens elsewhere: the panel finds it through the home's runtime.json
    bridge = await startTheBridge();
    await panel().locator('[data-emkit-connection="connected"]').waitFor({ timeout: 20_000 });
    expect(await panel().locator('.emkit-Connection-ok').textContent()).toBe(`Connected to ${bridge.url}`);
    await row('model-version', 'iris:1').waitFor();
    await shot(page, 'bridge-back');
  });

  it("reads on the dark theme: JupyterLab's own colours, nothing of its own", async () => {
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/\d+/g) ?? []).map(Number) as [number, number, number];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const colours = () =>
      panel().evaluate((node) => {
        const style = getComputedStyle(node.closest('.emkit-SidebarWidget') as Element);
        return { background: style.backgroundColor, text: getComputedStyle(node).color };
      });
    expect(luminance((await colours()).background)).toBeGreaterThan(0.8);

    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).click();
    await expect.poll(async () => luminance((await colours()).background), { timeout: 10_000 }).toBeLessThan(0.3);
    expect(luminance((await colours()).text)).toBeGreaterThan(0.6);
    await shot(page, 'dark-theme');
  });

  it('speaks Korean once JupyterLab is switched to Korean', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor();
    await shot(page, 'switch-to-korean');
    await Promise.all([page.waitForEvent('load'), dialog.locator('.jp-mod-accept').click()]);

    await showPanel();
    await expect
      .poll(() => panel().locator('.emkit-Section-title').allTextContents(), { timeout: 20_000 })
      .toEqual([
        '환경',
        '데이터 세트',
        '레시피',
        '실험',
        '튜닝',
        '모델',
        '배치 작업',
        '스케줄',
        '엔드포인트',
        '알림',
        '클러스터',
      ]);
    expect(await panel().locator('.emkit-Connection-ok').textContent()).toBe(`${(bridge as TestBridge).url}에 연결됨`);
    expect(await row('model', 'iris').locator('.emkit-Row-detail').first().textContent()).toBe('버전 1개');
    // a cluster added through the API shows at once, then the outcome of its check, live
    await (bridge as TestBridge).client.api.createCluster({ body: { name: 'nowhere', address: 'http://127.0.0.2:9' } });
    await expect
      .poll(() => row('cluster', 'nowhere').locator('.emkit-Badge').first().textContent(), { timeout: 20_000 })
      .toBe('UNREACHABLE');
    expect(await row('cluster', 'nowhere').locator('.emkit-Row-detail [title]').first().getAttribute('title')).toContain(
      'ECONNREFUSED',
    );
    await page.locator('.jp-Launcher').waitFor();
    await shot(page, 'korean');
    expect(pageErrors).toEqual([]);
  });
});
