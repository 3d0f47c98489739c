// Batch scoring and schedules in real JupyterLab (from PyPI, with the wheel `npm run setup`
// installs), against a real bridge, driven in Debian's headless Chromium: a model version's row
// scores a CSV of the lab's folder (the form, then the job's view to COMPLETE) and "Open output"
// opens the predictions in JupyterLab; the notebook's toolbar "Schedule…" opens the schedule
// editor on the notebook's newest training, an interval of a few seconds is said in words with
// its next runs, and once saved the schedule's view shows its runs as they come. Then the same
// views in Korean. Screenshots under test-artifacts/e2e-jupyterlab-batch-schedules/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeTableAndModel } from '../support/batch-inferences.js';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'pandas', 'joblib'));
const ROWS = 500;

let work: string;
let labRoot: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
let scheduleName = '';
const shot = screenshots('e2e-jupyterlab-batch-schedules');
const pageErrors: string[] = [];

const dialog = () => page.locator('.jp-Dialog');
const batchView = () => page.locator('.emkit-batch-view:visible');
const scheduleView = () => page.locator('.emkit-schedule-view:visible');
const editor = () => page.locator('.emkit-schedule-editor:visible');
const currentTab = () => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent();

/** A notebook that trains in a second: what the schedule runs again. */
const NOTEBOOK = JSON.stringify({
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: 'import time\nprint("fitting")\ntime.sleep(0.5)\nprint("done")',
    },
  ],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
});

async function showSidebar(): Promise<void> {
  const tab = page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="emkit-sidebar"]');
  await tab.waitFor({ timeout: 60_000 });
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

describe.skipIf(skipReason !== '')(`batch scoring and schedules in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-batch-');
    const home = tempDir('emkit-e2e-batch-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    labRoot = join(labDir, 'notebooks');
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    writeTableAndModel(join(labRoot, 'customers.csv'), join(work, 'model'), join(work, 'expected.json'), ROWS);
    await bridge.client.api.createModel({
      body: { name: 'churn', artifactPath: join(work, 'model'), framework: 'scikit-learn' },
    });
    // the notebook, submitted once: the schedule's template is its newest training
    writeFileSync(join(labRoot, 'fit.ipynb'), NOTEBOOK);
    const training = await bridge.client.api.createTraining({
      body: { name: 'fit-1', experiment: 'scheduled', source: { path: join(labRoot, 'fit.ipynb') } },
    });
    // (expect.poll works only inside a test)
    for (let state = training.state; state !== 'COMPLETE'; ) {
      if (['FAIL TRAIN', 'CREATE FAILED', 'STOPPED'].includes(state)) throw new Error(`the template training ended ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      state = (await bridge.client.api.getTraining({ params: { id: training.id } })).state;
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    // nothing more fires while the bridge stops
    if (scheduleName) await bridge?.client.api.pauseSchedule({ params: { id: scheduleName } }).catch(() => undefined);
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
  });

  it("scores the lab's CSV from the model version's row and follows the job to COMPLETE", async () => {
    await page.goto(lab.labUrl());
    await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
    await showSidebar();
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="model-version"][data-emkit-name="churn:1"]');
    await row.locator('.emkit-Row').first().hover({ timeout: 20_000 });
    await row.locator('[aria-label="Score a dataset with churn:1…"]').click();
    await dialog().waitFor();
    // the output folder defaults to one under the lab's root, so the predictions can open here
    expect(await dialog().locator('input[name="output"]').inputValue()).toBe(join(labRoot, 'emkit-predictions', 'churn-1'));
    await dialog().locator('input[name="path"]').fill(join(labRoot, 'customers.csv'));
    await dialog().locator('input[name="instances"]').fill('2');
    await dialog().locator('input[name="batchSize"]').fill('100');
    await shot(page, 'score-form');
    await dialog().locator('.jp-mod-accept').click();

    const view = batchView();
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => view.locator('.emkit-state').textContent(), { timeout: 120_000 }).toBe('COMPLETE');
    expect(await view.locator('.emkit-batch-progress-text').textContent()).toMatch(/^500 \/ 500/);
    expect(await view.locator('.emkit-progress').getAttribute('aria-valuenow')).toBe('100');
    expect(await view.locator('.emkit-facts').textContent()).toContain(
      join(labRoot, 'emkit-predictions', 'churn-1', 'predictions.csv'),
    );
    expect(await view.locator('.emkit-batch-errors').textContent()).toBe('No bad items.');
    // the sidebar's row says how it went
    await showSidebar();
    const job = page.locator('.emkit-Sidebar [data-emkit-kind="batch-inference"]').first();
    await expect.poll(() => job.locator('.emkit-Badge').textContent()).toBe('COMPLETE');
    await shot(page, 'batch-view');
  }, 180_000);

  it('opens the predictions in JupyterLab from "Open output"', async () => {
    await batchView().locator('[data-emkit-action="openOutput"]').click();
    await expect.poll(currentTab, { timeout: 20_000 }).toBe('predictions.csv');
    // JupyterLab's CSV viewer shows the rows: the key column first, then the input's, then the prediction
    await page.locator('.jp-CSVViewer:visible').waitFor({ timeout: 20_000 });
    await shot(page, 'output-opened');
  });

  it('schedules the notebook from its toolbar: every few seconds, in words, with its next runs', async () => {
    await page.goto(lab.labUrl().replace('/lab?', '/lab/tree/fit.ipynb?'));
    const button = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="emkit-schedule"]');
    await button.waitFor({ timeout: 60_000 });
    await showSidebar();
    await button.locator('button').click();
    await editor().waitFor({ timeout: 20_000 });
    // pre-filled from the notebook's newest training, run again from the notebook as saved
    await expect.poll(() => editor().locator('[data-field="training"]').inputValue(), { timeout: 20_000 }).not.toBe('');
    expect(await editor().locator('[data-field="source"]').inputValue()).toBe('latest');
    expect(await editor().locator('[data-field="name"]').inputValue()).toBe('fit-schedule');
    expect(await editor().locator('.emkit-schedule-words').textContent()).toBe('Every day');
    await editor().locator('[data-field="every"]').fill('6s');
    await expect.poll(() => editor().locator('.emkit-schedule-words').textContent()).toBe('Every 6 seconds');
    await expect.poll(() => editor().locator('.emkit-schedule-next li').count(), { timeout: 10_000 }).toBe(5);
    // a cron expression the bridge refuses says why, inline
    await editor().locator('[data-field="mode"]').selectOption('cron');
    await editor().locator('[data-field="cron"]').fill('61 * * * *');
    await expect.poll(() => editor().locator('.emkit-schedule-problem').textContent(), { timeout: 10_000 }).toContain('61');
    await editor().locator('[data-field="mode"]').selectOption('every');
    await expect.poll(() => editor().locator('.emkit-schedule-next li').count(), { timeout: 10_000 }).toBe(5);
    await shot(page, 'schedule-editor');
    await editor().locator('[data-emkit-action="save"]').click();

    const view = scheduleView();
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => view.locator('.emkit-title').textContent(), { timeout: 10_000 }).toBe('fit-schedule');
    scheduleName = 'fit-schedule';
    expect(await view.locator('.emkit-schedule-when').textContent()).toBe('Every 6 seconds');
    expect(await view.locator('.emkit-schedule-steps li').allTextContents()).toEqual([
      expect.stringMatching(/^Retrain .+ from the notebook as saved$/),
    ]);
  });

  it("shows the schedule's runs as they come, each with the training it made", async () => {
    const view = scheduleView();
    const complete = view.locator('.emkit-schedule-runs tbody tr[data-state="COMPLETE"]');
    await expect.poll(() => complete.count(), { timeout: 120_000, intervals: [1000] }).toBeGreaterThan(0);
    const link = complete.first().locator('[data-resource="trainings"]');
    expect(await link.textContent()).toMatch(/^training /);
    await view.locator('[data-emkit-action="pause"]').click();
    await expect.poll(() => view.locator('.emkit-state').textContent(), { timeout: 10_000 }).toBe('PAUSED');
    const runs = await bridge.client.api.listScheduleRuns({ params: { id: scheduleName }, query: {} });
    expect(runs.items.some((run) => run.state === 'COMPLETE' && run.steps[0]?.resource?.type === 'trainings')).toBe(true);
    await showSidebar();
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="schedule"][data-emkit-name="fit-schedule"]');
    await expect.poll(() => row.locator('.emkit-Badge').first().textContent()).toBe('PAUSED');
    await shot(page, 'schedule-view');
    // a run's training opens from its link
    await link.click();
    await expect.poll(currentTab, { timeout: 20_000 }).toMatch(/^fit/);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('speaks Korean: the schedule view, the editor and the batch job view', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);

    await showSidebar();
    expect(await page.locator('.emkit-Sidebar [data-emkit-section="schedules"] .emkit-Section-title').textContent()).toBe(
      '스케줄',
    );
    expect(await page.locator('.emkit-Sidebar [data-emkit-section="batch-inferences"] .emkit-Section-title').textContent()).toBe(
      '배치 작업',
    );
    await page.locator('.emkit-Sidebar [data-emkit-kind="schedule"] .emkit-Row-open').first().click();
    const view = scheduleView();
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => view.locator('.emkit-schedule-when').textContent()).toBe('6초마다');
    expect(await view.locator('[data-emkit-action="resume"]').textContent()).toBe('재개');
    expect(await view.locator('.emkit-schedule-steps li').first().textContent()).toMatch(/저장된 노트북으로 .+ 다시 학습/);
    await shot(page, 'schedule-view-ko');

    await page.locator('.emkit-Sidebar [data-emkit-kind="batch-inference"] .emkit-Row-open').first().click();
    await batchView().waitFor({ timeout: 20_000 });
    expect(await batchView().locator('[data-emkit-action="openOutput"]').textContent()).toBe('출력 열기');
    expect(await batchView().locator('.emkit-batch-errors').textContent()).toBe('잘못된 항목이 없습니다.');
    await shot(page, 'batch-view-ko');

    await page.locator('.emkit-Sidebar [data-emkit-section="schedules"] .emkit-Section-actions button').click();
    await editor().waitFor({ timeout: 20_000 });
    await editor().locator('[data-field="every"]').fill('30m');
    await expect.poll(() => editor().locator('.emkit-schedule-words').textContent()).toBe('30분마다');
    await expect.poll(() => editor().locator('.emkit-schedule-next li').count(), { timeout: 10_000 }).toBe(5);
    await shot(page, 'schedule-editor-ko');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
