// The experiment comparison in real JupyterLab (from PyPI, with the wheel `npm run setup`
// installs), against a real bridge with real trainings, driven in Debian's headless Chromium:
// opened from the emkit panel and the palette, sorted by a metric, filtered, refreshed live,
// a row opening its training — then in Korean. Screenshots under test-artifacts/e2e-jupyterlab-comparison/.
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { BY_LOSS, runSweep } from '../support/comparison.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn'));

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-comparison');
const pageErrors: string[] = [];

const panel = () => page.locator('.emkit-Sidebar');
const comparison = () => page.locator('.emkit-comparison-view:visible');
const rowNames = (view: Locator) =>
  view.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-training')));
const header = (view: Locator, column: string) => view.locator(`th[data-column="${column}"]`);
const tabTitles = () => page.locator('#jp-main-dock-panel .lm-TabBar-tabLabel').allTextContents();

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

/** The experiment row's compare button, as a user reaches it: hover the row, click the button. */
async function compareFromPanel(label: string): Promise<void> {
  const item = panel().locator('[data-emkit-kind="experiment"][data-emkit-name="sweep"]');
  await item.waitFor({ timeout: 20_000 });
  await item.locator('> .emkit-Row').hover();
  await item.getByRole('button', { name: label }).click();
}

describe.skipIf(skipReason !== '')(`the experiment comparison in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-compare-');
    const home = tempDir('emkit-e2e-compare-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    // three real trainings in one experiment, before the page opens
    await runSweep(bridge.client, work);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
  });

  it("opens from the experiment's row in the emkit panel: a row per training, its hyperparameters and metrics", async () => {
    await page.goto(lab.labUrl());
    await showPanel();
    await compareFromPanel('Compare the trainings of sweep');
    const view = comparison();
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => rowNames(view), { timeout: 20_000 }).toHaveLength(3);
    expect(await tabTitles()).toContain('Compare: sweep');
    expect(await view.locator('.emkit-title').textContent()).toBe('sweep');
    expect(await view.locator('th.emkit-metric-group').allTextContents()).toEqual(['accuracy', 'loss']);
    // the bridge's order, newest first
    expect(await rowNames(view)).toEqual(['lr-one', 'lr-two', 'lr-half']);
    const lrTwo = view.locator('tr[data-training="lr-two"]');
    expect(await lrTwo.locator('td[data-column="state"]').textContent()).toBe('COMPLETE');
    expect(await lrTwo.locator('td[data-column="hp:lr"]').textContent()).toBe('2');
    expect(await lrTwo.locator('td[data-column="metric:last:loss"]').textContent()).toBe('0.11111');
    expect(await lrTwo.locator('td[data-column="duration"]').textContent()).toMatch(/^\d+s$/);
    await shot(page, 'comparison-opened');
  });

  it('sorts by a metric when its header is clicked (the order changes), the other way on a second click', async () => {
    const view = comparison();
    await header(view, 'metric:last:loss').locator('button').click();
    await expect.poll(() => rowNames(view)).toEqual(BY_LOSS);
    expect(await header(view, 'metric:last:loss').getAttribute('aria-sort')).toBe('ascending');
    await shot(page, 'sorted-by-loss-ascending');
    await header(view, 'metric:last:loss').locator('button').click();
    await expect.poll(() => rowNames(view)).toEqual([...BY_LOSS].reverse());
    expect(await header(view, 'metric:last:loss').getAttribute('aria-sort')).toBe('descending');
    await shot(page, 'sorted-by-loss-descending');
    // a hyperparameter sorts as a number: 0.5 < 1 < 2
    await header(view, 'hp:lr').locator('button').click();
    await expect.poll(() => rowNames(view)).toEqual(['lr-half', 'lr-one', 'lr-two']);
  });

  it("marks each metric's best: the lowest loss, the highest accuracy", async () => {
    const view = comparison();
    const best = (column: string) =>
      view
        .locator(`td.emkit-best[data-column="${column}"]`)
        .evaluateAll((cells) => cells.map((c) => c.closest('tr')?.getAttribute('data-training')));
    expect(await best('metric:last:loss')).toEqual(['lr-two']);
    expect(await best('metric:best:accuracy')).toEqual(['lr-two']);
  });

  it('keeps only the columns the filter names', async () => {
    const view = comparison();
    await view.locator('[data-emkit-filter]').fill('acc');
    await expect
      .poll(() => view.locator('thead th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column'))))
      .toEqual(['name', 'state', 'duration', 'peakMemory', 'meanCpu', 'metric:last:accuracy', 'metric:best:accuracy']);
    await shot(page, 'filtered');
    await view.locator('[data-emkit-filter]').fill('');
    await expect.poll(() => view.locator('thead th[data-column]').count()).toBe(10);
  });

  it('shows a new training of the experiment live, while it is open', async () => {
    await runSweep(bridge.client, work, [{ name: 'lr-four', lr: '4' }]);
    const view = comparison();
    // still sorted by lr: the new one goes last
    await expect.poll(() => rowNames(view), { timeout: 20_000 }).toEqual(['lr-half', 'lr-one', 'lr-two', 'lr-four']);
    await expect
      .poll(() => view.locator('tr[data-training="lr-four"] td[data-column="metric:last:loss"]').textContent(), {
        timeout: 20_000,
      })
      .toBe('0.058824');
    await shot(page, 'live-refresh');
  });

  it("opens a training's view when its row is clicked", async () => {
    await comparison().locator('tr[data-training="lr-two"] td[data-column="name"]').click();
    const training = page.locator('.emkit-training-view:visible');
    await training.waitFor({ timeout: 20_000 });
    expect(await training.locator('.emkit-title').textContent()).toBe('lr-two');
    await shot(page, 'training-from-row');
  });

  it('opens from the command palette with an experiment picker', async () => {
    // close the comparison tab, then ask the palette for it
    const tab = page.locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: 'Compare: sweep' });
    await tab.click();
    await tab.locator('.lm-TabBar-tabCloseIcon').click();
    await expect.poll(tabTitles).not.toContain('Compare: sweep');
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('.lm-CommandPalette');
    await palette.locator('.lm-CommandPalette-input').fill('Compare Experiment');
    await palette.locator('.lm-CommandPalette-item', { hasText: 'Compare Experiment…' }).click();
    const picker = page.locator('.jp-Dialog');
    expect(await picker.locator('.jp-Dialog-header').textContent()).toContain('Compare which experiment?');
    await picker.locator('select').selectOption('sweep');
    await shot(page, 'palette-picker');
    await picker.locator('.jp-mod-accept').click();
    await expect.poll(() => rowNames(comparison()), { timeout: 20_000 }).toHaveLength(4);
    expect(await tabTitles()).toContain('Compare: sweep');
  });

  it('speaks Korean once JupyterLab is switched to Korean', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor();
    await Promise.all([page.waitForEvent('load'), dialog.locator('.jp-mod-accept').click()]);
    await showPanel();
    // the tab comes back with the page; if it did not, the panel's button opens it
    if (!(await comparison().count())) await compareFromPanel('sweep의 학습 비교');
    const view = comparison();
    await view.waitFor({ timeout: 30_000 });
    await expect.poll(() => rowNames(view), { timeout: 20_000 }).toHaveLength(4);
    expect(await header(view, 'name').textContent()).toBe('학습');
    expect(await header(view, 'state').textContent()).toBe('상태');
    expect(await header(view, 'metric:last:loss').textContent()).toBe('마지막');
    expect(await header(view, 'metric:best:loss').textContent()).toBe('최고');
    expect(await view.locator('[data-emkit-filter]').getAttribute('placeholder')).toBe('하이퍼파라미터와 지표 필터');
    expect(await tabTitles()).toContain('비교: sweep');
    await header(view, 'metric:last:loss').locator('button').click();
    await expect.poll(() => rowNames(view)).toEqual(['lr-four', ...BY_LOSS]);
    await shot(page, 'korean-sorted');
    expect(pageErrors).toEqual([]);
  });
});
