// Training quality in real VS Code (code-server in headless Chromium): a script submitted from
// the palette with an early-stopping rule typed in its box; it overfits on purpose and logs a
// NaN, then would idle for a minute. The platform ends it COMPLETE early; the training panel
// (a webview) overlays loss and val_loss in one chart and lists the flags; a notification warns.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, input, openWorkbench, palette, type Workbench } from './support/workbench.js';

const skipReason = vscodeSkipReason();

const OVERFITTING = [
  'import time',
  'from emkit.tracking import flush, log_metric',
  'val = [1.0, 0.8, 0.6, 0.65, 0.62, 0.7, 0.75, 0.8]',
  'for epoch, v in enumerate(val):',
  '    log_metric("loss", 1.0 / (epoch + 1), epoch)',
  '    log_metric("val_loss", v, epoch)',
  'log_metric("grad_norm", float("nan"), 3)',
  'flush()',
  'time.sleep(60)  # only an early stop ends it soon',
].join('\n');

/** What the training panel's webview shows: its text, its quality flags, and how many pair charts have a canvas. */
async function trainingPanel(page: Page): Promise<{ text: string; flags: string[]; pairCharts: number }> {
  for (const frame of page.frames() as Frame[]) {
    const seen = await frame
      .evaluate(() => {
        const view = document.querySelector('.emkit-training-view');
        if (!view) return null;
        return {
          text: view.textContent ?? '',
          flags: [...view.querySelectorAll('.emkit-quality li')].map((li) => li.textContent ?? ''),
          pairCharts: view.querySelectorAll('.emkit-metric-pair[data-tag="loss"] canvas').length,
        };
      })
      .catch(() => null);
    if (seen) return seen;
  }
  return { text: '', flags: [], pairCharts: 0 };
}

describe.skipIf(skipReason !== '')(`training quality in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-training-quality');

  beforeAll(async () => {
    workbench = await openWorkbench({ prepare: (work) => writeFileSync(join(work, 'overfit.py'), OVERFITTING) });
    page = workbench.page;
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it('early-stops a script submitted with a rule, overlays loss and val_loss in its panel, and warns of the NaN', async () => {
    await page.keyboard.press('Control+P');
    await input(page).fill('overfit.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'overfit.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'overfit.py' }).waitFor({ timeout: 30_000 });

    await palette(page, 'emkit: Submit Current Notebook as Training');
    expect(await answer(page)).toBe('overfit');
    await answer(page); // the experiment: "New experiment…"
    await answer(page, 'vscode-quality');
    await answer(page); // no hyperparameters
    // the early-stopping box says what is wrong while one types
    await input(page).waitFor();
    await input(page).fill('val_loss:lowest:3');
    await page
      .locator('.quick-input-message', { hasText: 'is not metric:min|max:patience[:minDelta], e.g. val_loss:min:5.' })
      .waitFor({ timeout: 10_000 });
    await shot(page, 'early-stop-box');
    await answer(page, 'val_loss:min:3');

    let panel = { text: '', flags: [] as string[], pairCharts: 0 };
    await expect
      .poll(
        async () => {
          panel = await trainingPanel(page);
          return panel.text.includes('COMPLETE') && panel.flags.length === 3 && panel.pairCharts > 0;
        },
        { timeout: 90_000 },
      )
      .toBe(true);
    expect(panel.text).toContain('early stopped at step 5; best val_loss=0.6 at step 2');
    expect(panel.text).toContain('val_loss:min:3');
    expect(panel.flags).toEqual([
      'grad_norm is NaN at step 3.',
      'Overfitting likely from step 2: val_loss has risen since while loss kept falling.',
      'Early stopped at step 5; best val_loss=0.6 at step 2.',
    ]);
    await page
      .locator('.notifications-toasts', { hasText: 'Training overfit: grad_norm is NaN at step 3.' })
      .first()
      .waitFor({ timeout: 20_000 });
    await shot(page, 'training-quality');
  }, 240_000);
});
