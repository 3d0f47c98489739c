// The whole loop from JupyterLab's own controls, in real JupyterLab + a real bridge + headless
// Chromium: a notebook submitted from its toolbar with a hyperparameter changed in the form,
// followed to COMPLETE in the training view (logs, a loss chart), a model made from it, an
// endpoint deployed and called from the try-it box, TensorBoard in a tab, then Korean.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { irisNotebook } from '../support/notebooks.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'joblib', 'tensorboard'));

const INSTANCES = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
  [5.9, 3.0, 4.2, 1.5],
];

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-workbench');
const pageErrors: string[] = [];

const trainingView = () => page.locator('.emkit-training-view').first();
const endpointView = () => page.locator('.emkit-endpoint-view').first();
const dialog = () => page.locator('.jp-Dialog');

/** The emkit panel in the left area, opened if it isn't. */
async function showSidebar(): Promise<void> {
  const tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="emkit-sidebar"]');
  await tab.waitFor({ timeout: 60_000 });
  // JupyterLab may still be restoring its layout: click until the panel shows
  await expect
    .poll(
      async () => {
        if (!(await page.locator('.emkit-Sidebar').isVisible())) await tab.click();
        return page.locator('.emkit-Sidebar').isVisible();
      },
      { timeout: 20_000, intervals: [500] },
    )
    .toBe(true);
}

async function accept(): Promise<void> {
  await dialog().locator('.jp-mod-accept').click();
  await dialog().waitFor({ state: 'detached' });
}

describe.skipIf(skipReason !== '')(`the emkit workbench in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-workbench-');
    const home = tempDir('emkit-e2e-workbench-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    writeFileSync(join(labDir, 'notebooks', 'iris.ipynb'), JSON.stringify(irisNotebook('step', 6), null, 1));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    await shot(page, failedStep(task.name));
    // the screenshot stays on the machine that ran the test; what the panel said goes into the log
    const sidebar = await page
      .locator('.emkit-Sidebar')
      .textContent({ timeout: 1000 })
      .catch(() => '(no emkit panel)');
    console.log(`the emkit panel when "${task.name}" failed:\n${sidebar}`);
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
  });

  it('submits the open notebook from its toolbar with a hyperparameter changed, and shows it to COMPLETE with logs and a loss chart', async () => {
    await page.goto(lab.labUrl().replace('/lab?', '/lab/tree/iris.ipynb?'));
    const submit = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="emkit-submit"]');
    await submit.waitFor({ timeout: 60_000 });
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor();
    await shot(page, 'notebook');
    await submit.locator('button').click();

    // the form starts from the notebook's parameters cell
    const hyperparameters = dialog().locator('textarea[name="hyperparameters"]');
    await hyperparameters.waitFor();
    expect(await hyperparameters.inputValue()).toBe('C=1.0\nsteps=6');
    await hyperparameters.fill('C=0.5\nsteps=6');
    await dialog().locator('input[name="newExperiment"]').fill('iris-lab');
    await shot(page, 'submit-form');
    await accept();

    await trainingView().waitFor({ timeout: 20_000 });
    await expect.poll(() => trainingView().locator('.emkit-state').textContent(), { timeout: 120_000 }).toBe('COMPLETE');
    expect(await trainingView().locator('.emkit-title').textContent()).toBe('iris');
    expect(await trainingView().locator('.emkit-hyperparameters').textContent()).toBe('C0.5steps6');
    await expect
      .poll(() => trainingView().locator('.emkit-log-line').allTextContents(), { timeout: 20_000 })
      .toContain(`step 6 C=0.5 loss=${await lastLoss()}`);
    const chart = trainingView().locator('.emkit-metric-chart[data-tag="loss"]');
    await chart.locator('canvas').first().waitFor({ timeout: 20_000 });
    expect(await chart.locator('.emkit-metric-last').textContent()).toMatch(/ @ 6$/);
    // the sidebar says the same
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="training"][data-emkit-name="iris"]');
    expect(await row.locator('.emkit-Badge').first().textContent()).toBe('COMPLETE');
    await trainingView().locator('.emkit-files [data-path="artifacts/iris.ipynb"]').waitFor({ timeout: 20_000 });
    await shot(page, 'training-complete');
  });

  it("opens the executed notebook from the training view's files, with its outputs", async () => {
    await trainingView().locator('.emkit-files [data-path="artifacts/iris.ipynb"]').click();
    const executed = page.locator('.jp-NotebookPanel:visible');
    await expect
      .poll(() => executed.locator('.jp-OutputArea-output').allTextContents(), { timeout: 30_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining('step 6 C=0.5 loss=')]));
    expect(await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent()).toContain('iris.ipynb');
    await shot(page, 'executed-notebook');
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: /^iris$/ }).click();
  });

  it('creates a model from the training view and deploys it from the sidebar; the try-it box shows its predictions', async () => {
    await trainingView().locator('[data-emkit-action="createModel"]').click();
    await dialog().locator('input[name="name"]').waitFor();
    expect(await dialog().locator('input[name="name"]').inputValue()).toBe('iris-lab');
    await accept();
    await showSidebar();
    const version = page.locator('.emkit-Sidebar [data-emkit-kind="model-version"][data-emkit-name="iris-lab:1"]');
    await version.waitFor({ timeout: 20_000 });
    await shot(page, 'model');

    // a row's actions show on hover, as a user finds them
    await version.locator('> .emkit-Row').hover();
    await version.locator('button[title="Deploy iris-lab:1 as an endpoint"]').click();
    await dialog().locator('input[name="name"]').waitFor();
    await shot(page, 'endpoint-form');
    await accept();
    await endpointView().waitFor({ timeout: 20_000 });
    const stage = endpointView().locator('tr[data-stage="default"]');
    await expect.poll(() => stage.textContent(), { timeout: 90_000 }).toContain('1/1');

    await endpointView()
      .locator('.emkit-tryit textarea')
      .fill(JSON.stringify({ instances: INSTANCES }));
    await endpointView().locator('[data-emkit-action="predict"]').click();
    const prediction = endpointView().locator('.emkit-prediction');
    await expect.poll(() => prediction.textContent(), { timeout: 20_000 }).not.toBe('');
    const expected = await bridge.client.api.infer({ params: { endpoint: 'iris-lab' }, body: { instances: INSTANCES } });
    expect(JSON.parse((await prediction.textContent()) ?? '')).toEqual(expected.predictions);
    expect(await endpointView().locator('.emkit-prediction-status').textContent()).toMatch(/^HTTP 200 in [\d.]+ ms$/);
    // both calls (the box's and the test's own) are counted in the stage's traffic chart
    const traffic = endpointView().locator('.emkit-stage-chart');
    await expect
      .poll(() => traffic.locator('.emkit-metric-last').textContent(), { timeout: 20_000 })
      .toMatch(/^Requests 2 · Errors 0/);
    await traffic.locator('canvas').first().waitFor();
    await shot(page, 'try-it');
  });

  it('promotes the model from the sidebar, adds a stage from the endpoint view and makes it the default', async () => {
    await showSidebar();
    const version = page.locator('.emkit-Sidebar [data-emkit-kind="model-version"][data-emkit-name="iris-lab:1"]');
    await version.locator('> .emkit-Row').hover();
    await version.locator('button[title="Promote iris-lab:1"]').click();
    await dialog().locator('input').fill('production');
    await accept();
    await expect.poll(() => version.locator('.emkit-Chip').allTextContents(), { timeout: 20_000 }).toEqual(['@production']);

    await endpointView().locator('[data-emkit-action="addStage"]').click();
    await dialog().locator('input[name="name"]').fill('green');
    await accept();
    const green = endpointView().locator('tr[data-stage="green"]');
    await expect.poll(() => green.textContent(), { timeout: 90_000 }).toContain('1/1');
    await shot(page, 'two-stages');
    await green.locator('[data-emkit-action="setDefault"]').click();
    // the switch keeps serving: green is the default, and the old default stage is released
    await expect.poll(() => endpointView().locator('tr[data-stage]').count(), { timeout: 60_000 }).toBe(1);
    expect(await green.textContent()).toContain('Default');
    const answer = await bridge.client.api.infer({ params: { endpoint: 'iris-lab' }, body: { instances: INSTANCES } });
    expect(answer.predictions).toHaveLength(INSTANCES.length);
    await shot(page, 'default-switched');
  });

  it('opens TensorBoard for the training in a tab, through the bridge, without the token in its address', async () => {
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: /^iris$/ }).click();
    await trainingView().locator('[data-emkit-action="openTensorboard"]').click();
    const iframe = page.locator('.emkit-TensorBoard iframe');
    await iframe.waitFor({ timeout: 60_000 });
    let frame: Frame | undefined;
    await expect
      .poll(
        async () => {
          frame = page.frames().find((f) => f.url().includes('/tensorboard/'));
          return frame ? frame.title() : '';
        },
        { timeout: 90_000, intervals: [1000] },
      )
      .toBe('TensorBoard');
    expect(frame?.url()).not.toContain(bridge.token);
    expect(await iframe.getAttribute('src')).toContain('ticket=');
    await page.waitForTimeout(1500);
    await shot(page, 'tensorboard');
  });

  it("shows the training view in JupyterLab's dark theme with its colours", async () => {
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: /^iris$/ }).click();
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/\d+/g) ?? []).map(Number) as [number, number, number];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const colours = () =>
      trainingView().evaluate((view) => ({
        background: getComputedStyle(view).backgroundColor,
        text: getComputedStyle(view.querySelector('.emkit-log-line') as Element).color,
      }));
    expect(luminance((await colours()).background)).toBeGreaterThan(0.7);
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).click();
    await expect.poll(async () => luminance((await colours()).background), { timeout: 10_000 }).toBeLessThan(0.3);
    expect(luminance((await colours()).text)).toBeGreaterThan(0.6);
    await page.waitForTimeout(500); // the charts redraw in the new colours
    await shot(page, 'dark-theme');
  });

  it('creates an environment from the palette and shows its progress and creation log', async () => {
    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Create Environment');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Create Environment…' }).first().click();
    await dialog().locator('input[name="name"]').fill('lab-env');
    expect(await dialog().locator('select[name="manager"]').inputValue()).toBe('venv');
    await shot(page, 'environment-form');
    await accept();
    const view = page.locator('.emkit-environment-view');
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => view.locator('.emkit-state').textContent(), { timeout: 180_000 }).toBe('ACTIVE');
    await expect.poll(() => view.locator('.emkit-log-line').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await showSidebar();
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="environment"][data-emkit-name="lab-env"]');
    expect(await row.locator('.emkit-Badge').first().textContent()).toBe('ACTIVE');
    await shot(page, 'environment');
  });

  it('brings the emkit tabs back in Korean once JupyterLab is switched to Korean and reloads', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);

    // the tabs open before the reload come back, as JupyterLab's own do
    const tabs = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab .lm-TabBar-tabLabel');
    await expect
      .poll(() => tabs.allTextContents(), { timeout: 30_000 })
      .toEqual(expect.arrayContaining(['iris', 'iris-lab', 'TensorBoard: iris', 'lab-env']));
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: /^lab-env$/ }).click();
    await expect
      .poll(() => page.locator('.emkit-environment-view .emkit-state').textContent(), { timeout: 10_000 })
      .toBe('ACTIVE');

    await showSidebar();
    // the reloaded page connects and lists the resources again before the row is there
    const open = page.locator('.emkit-Sidebar [data-emkit-kind="training"][data-emkit-name="iris"] .emkit-Row-open');
    await open.waitFor({ timeout: 60_000 });
    await open.click();
    await expect
      .poll(() => trainingView().locator('h3').allTextContents(), { timeout: 20_000 })
      .toEqual(['하이퍼파라미터', '지표', '리소스: 랭크별 CPU와 메모리', '로그', '파일']);
    expect(await trainingView().locator('[data-emkit-action="createModel"]').textContent()).toBe('모델 생성');
    await shot(page, 'korean');
    expect(pageErrors).toEqual([]);
  });
});

/** The loss the notebook printed last, as the bridge's log has it. */
async function lastLoss(): Promise<string> {
  const trainings = await bridge.client.api.listTrainings({ query: {} });
  const training = trainings.items.find((t) => t.name === 'iris');
  const log = await bridge.client.api.getTrainingLog({ params: { id: training?.id ?? '' }, query: {} });
  return /step 6 C=0\.5 loss=([\d.]+)/.exec(log.text)?.[1] ?? 'missing';
}
