// The experiment comparison in real VS Code (code-server in headless Chromium), against a real
// bridge with real trainings: opened from the experiment's row in the emkit tree and from the
// palette, sorted by a metric in its webview, filtered, refreshed live, a row opening the
// training's panel. Screenshots under test-artifacts/vscode-comparison/.
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { BY_LOSS, runSweep, SWEEP } from '../support/comparison.js';
import { vscodeSkipReason } from './support/code-server.js';
import {
  clickInlineAction,
  openWorkbench,
  palette,
  pick,
  reloadWindow,
  treeRows,
  type Workbench,
  webview,
} from './support/workbench.js';

const skipReason = vscodeSkipReason();

/** The webview frame showing the comparison (the panels' pages are nested frames). */
async function comparisonFrame(page: Page): Promise<Frame> {
  let found: Frame | undefined;
  await expect
    .poll(
      async () => {
        for (const frame of page.frames()) {
          const has = await frame
            .evaluate(() => Boolean(document.querySelector('.emkit-comparison-view tbody tr')))
            .catch(() => false);
          if (has) {
            found = frame;
            return true;
          }
        }
        return false;
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return found as Frame;
}

/** Takes the focus out of a webview's frame, so the next key (F1) reaches the workbench, not the page. */
const leaveWebview = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

const rowNames = (frame: Frame) =>
  frame.locator('.emkit-comparison-view tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-training')));
const sortBy = (frame: Frame, column: string) => frame.locator(`th[data-column="${column}"] .emkit-sort`).click();

describe.skipIf(skipReason !== '')(`the experiment comparison in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-comparison');

  beforeAll(async () => {
    workbench = await openWorkbench();
    page = workbench.page;
    // three real trainings in one experiment
    await runSweep(workbench.bridge.client, workbench.work);
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it("opens from the experiment's row in the emkit tree, then sorts by a metric: the order changes", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const row = treeRows(page).filter({ hasText: /^sweep/ });
    await row.first().waitFor({ timeout: 30_000 });
    await clickInlineAction(row.first(), 'Compare Experiment');
    await page.locator('.tab', { hasText: 'Compare: sweep' }).waitFor({ timeout: 20_000 });
    let frame = await comparisonFrame(page);
    await expect.poll(() => rowNames(frame), { timeout: 20_000 }).toHaveLength(3);
    // the bridge's order, newest first
    expect(await rowNames(frame)).toEqual(['lr-one', 'lr-two', 'lr-half']);
    expect(await frame.locator('tr[data-training="lr-two"] td[data-column="metric:last:loss"]').textContent()).toBe('0.11111');
    await shot(page, 'comparison-opened');

    await sortBy(frame, 'metric:last:loss');
    await expect.poll(() => rowNames(frame)).toEqual(BY_LOSS);
    expect(await frame.locator('th[data-column="metric:last:loss"]').getAttribute('aria-sort')).toBe('ascending');
    await shot(page, 'sorted-by-loss-ascending');
    await sortBy(frame, 'metric:last:loss');
    await expect.poll(() => rowNames(frame)).toEqual([...BY_LOSS].reverse());
    await shot(page, 'sorted-by-loss-descending');
    // the best loss and accuracy are marked
    frame = await comparisonFrame(page);
    const best = (column: string) =>
      frame
        .locator(`td.emkit-best[data-column="${column}"]`)
        .evaluateAll((cells) => cells.map((c) => c.closest('tr')?.getAttribute('data-training')));
    expect(await best('metric:last:loss')).toEqual(['lr-two']);
    expect(await best('metric:last:accuracy')).toEqual(['lr-two']);
  });

  it('keeps only the columns its filter names (a VS Code text field)', async () => {
    const frame = await comparisonFrame(page);
    await frame.locator('[data-emkit-filter] input').fill('loss');
    const columns = () =>
      frame.locator('thead th[data-column]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-column')));
    await expect
      .poll(columns)
      .toEqual(['name', 'state', 'duration', 'peakMemory', 'meanCpu', 'metric:last:loss', 'metric:best:loss']);
    await shot(page, 'filtered');
    await frame.locator('[data-emkit-filter] input').fill('');
    await expect.poll(columns).toHaveLength(10);
  });

  it('shows a new training of the experiment live, while it is open', async () => {
    await runSweep(workbench.bridge.client, workbench.work, [{ name: 'lr-four', lr: '4' }]);
    const frame = await comparisonFrame(page);
    // still sorted by loss, descending: the new, lowest one goes last
    await expect.poll(() => rowNames(frame), { timeout: 20_000 }).toEqual([...BY_LOSS].reverse().concat('lr-four'));
    await shot(page, 'live-refresh');
  });

  it("opens a training's panel when its row is clicked", async () => {
    const frame = await comparisonFrame(page);
    await frame.locator('tr[data-training="lr-two"] td[data-column="name"]').click();
    await expect.poll(() => webview(page, '.emkit-training-view'), { timeout: 30_000 }).toContain('lr-two');
    await page.locator('.tab.active', { hasText: 'lr-two' }).waitFor({ timeout: 10_000 });
    await shot(page, 'training-from-row');
  });

  it('opens from the palette with an experiment picker', async () => {
    // close the comparison with its tab's close button, then ask the palette for it
    const tab = page.locator('.tab', { hasText: 'Compare: sweep' });
    await tab.hover();
    await tab.locator('.tab-actions .action-label').click();
    await expect.poll(() => tab.count()).toBe(0);
    await leaveWebview(page);
    await palette(page, 'emkit: Compare Experiment…');
    await pick(page, 'sweep');
    await page.locator('.tab.active', { hasText: 'Compare: sweep' }).waitFor({ timeout: 20_000 });
    const frame = await comparisonFrame(page);
    await expect.poll(() => rowNames(frame), { timeout: 20_000 }).toHaveLength(4);
    await shot(page, 'palette');
  });

  it('comes back, live, after the window reloads', async () => {
    // as a user reloads the window, with VS Code's own command
    await reloadWindow(page);
    // VS Code brings a panel's content back when its tab is shown: the serializer asks the bridge again
    await page.locator('.tab', { hasText: 'Compare: sweep' }).click({ timeout: 60_000 });
    const frame = await comparisonFrame(page);
    await expect.poll(() => rowNames(frame), { timeout: 30_000 }).toHaveLength(4);
    // and live again: a new training shows up
    await runSweep(workbench.bridge.client, workbench.work, [{ name: 'lr-eight', lr: '8' }]);
    await expect.poll(() => rowNames(frame), { timeout: 20_000 }).toContain('lr-eight');
    await shot(page, 'after-reload');
  });
});

describe.skipIf(skipReason !== '')(`the experiment comparison in VS Code set to Korean${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-comparison-korean');

  beforeAll(async () => {
    workbench = await openWorkbench({ locale: 'ko' });
    page = workbench.page;
    await runSweep(workbench.bridge.client, workbench.work, SWEEP.slice(0, 2));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it('is opened from the palette by its Korean title and speaks Korean', async () => {
    await palette(page, 'emkit: 실험 비교…');
    await pick(page, 'sweep');
    await page.locator('.tab.active', { hasText: '비교: sweep' }).waitFor({ timeout: 20_000 });
    const frame = await comparisonFrame(page);
    await expect.poll(() => rowNames(frame), { timeout: 20_000 }).toHaveLength(2);
    const header = (column: string) => frame.locator(`th[data-column="${column}"]`).textContent();
    expect(await header('name')).toBe('학습');
    expect(await header('state')).toBe('상태');
    expect(await header('metric:last:loss')).toBe('마지막');
    expect(await header('metric:best:loss')).toBe('최고');
    expect(await frame.locator('.emkit-comparison-count').textContent()).toBe('학습 2개');
    await sortBy(frame, 'metric:last:loss');
    await expect.poll(() => rowNames(frame)).toEqual(BY_LOSS.filter((name) => name !== 'lr-one'));
    await shot(page, 'korean-sorted');
  });
});
