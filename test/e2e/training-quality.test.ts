// Training quality in real JupyterLab + a real bridge + headless Chromium: a notebook submitted
// from its toolbar with an early-stopping rule in the form; it overfits on purpose (validation
// loss rises while training loss falls) and logs a NaN, then would idle for a minute. The
// platform ends it COMPLETE early; the training view overlays loss and val_loss in one chart and
// lists the flags; a notification warns of them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { notebook } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(true);

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-training-quality');
const pageErrors: string[] = [];

const trainingView = () => page.locator('.emkit-training-view').first();
const dialog = () => page.locator('.jp-Dialog');

const OVERFITTING = notebook([
  { source: 'epochs = 8', tags: ['parameters'] },
  {
    source: [
      'import time',
      'from emkit.tracking import flush, log_metric',
      'val = [1.0, 0.8, 0.6, 0.65, 0.62, 0.7, 0.75, 0.8]',
      'for epoch in range(epochs):',
      '    log_metric("loss", 1.0 / (epoch + 1), epoch)',
      '    log_metric("val_loss", val[epoch], epoch)',
      'log_metric("grad_norm", float("nan"), 3)',
      'flush()',
      'time.sleep(60)  # only an early stop ends it soon',
    ].join('\n'),
  },
]);

describe.skipIf(skipReason !== '')(`training quality in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-quality-');
    const home = join(work, 'home');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    writeFileSync(join(labDir, 'notebooks', 'overfit.ipynb'), OVERFITTING);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
  });

  it('early-stops a notebook submitted with a rule, overlays loss and val_loss, and flags overfitting and the NaN', async () => {
    await page.goto(lab.labUrl().replace('/lab?', '/lab/tree/overfit.ipynb?'));
    const submit = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="emkit-submit"]');
    await submit.waitFor({ timeout: 60_000 });
    await page.locator('.jp-Notebook .jp-Cell').first().waitFor();
    await submit.locator('button').click();

    // a bad rule is refused in words before anything is sent
    const rule = dialog().locator('input[name="earlyStop"]');
    await rule.waitFor();
    await rule.fill('val_loss:lowest:3');
    await dialog().locator('.jp-mod-accept').click();
    await page.getByText('"val_loss:lowest:3" is not metric:min|max:patience[:minDelta], e.g. val_loss:min:5.').first().waitFor();
    expect((await bridge.client.api.listTrainings({})).total).toBe(0);

    await submit.locator('button').click();
    await rule.waitFor();
    await rule.fill('val_loss:min:3');
    await dialog().locator('input[name="newExperiment"]').fill('quality');
    await shot(page, 'submit-form');
    await dialog().locator('.jp-mod-accept').click();
    await dialog().waitFor({ state: 'detached' });

    await trainingView().waitFor({ timeout: 20_000 });
    await expect.poll(() => trainingView().locator('.emkit-state').textContent(), { timeout: 60_000 }).toBe('COMPLETE');
    expect(await trainingView().locator('.emkit-reason').first().textContent()).toBe(
      'early stopped at step 5; best val_loss=0.6 at step 2',
    );
    expect(await trainingView().locator('.emkit-facts').first().textContent()).toContain('val_loss:min:3');
    // one chart for the pair, with both lines drawn
    const pair = trainingView().locator('.emkit-metric-pair[data-tag="loss"]');
    await pair.locator('canvas').first().waitFor({ timeout: 20_000 });
    expect(await pair.locator('.emkit-metric-series').allTextContents()).toEqual([
      expect.stringMatching(/^training /),
      expect.stringMatching(/^validation /),
    ]);
    expect(await trainingView().locator('.emkit-metric-chart[data-tag="val_loss"]').count()).toBe(0);
    await expect
      .poll(() => trainingView().locator('.emkit-quality li').allTextContents(), { timeout: 20_000 })
      .toEqual([
        'grad_norm is NaN at step 3.',
        expect.stringMatching(/^Overfitting likely from step 2: val_loss has risen since while loss kept falling\.$/),
        'Early stopped at step 5; best val_loss=0.6 at step 2.',
      ]);
    expect(await pair.locator('.emkit-metric-flag').textContent()).toContain('Overfitting likely from step 2');
    // the notification warns of the NaN (while it ran, or when it finished)
    await page
      .getByText(/^Training overfit: grad_norm is NaN at step 3\./)
      .first()
      .waitFor({ timeout: 20_000 });
    // once: while it ran (alone), or with the other flags when it finished — never twice alone
    expect(await page.getByText('Training overfit: grad_norm is NaN at step 3.', { exact: true }).count()).toBeLessThan(2);
    await shot(page, 'training-quality');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
