// The model view in real JupyterLab (from PyPI, with the built extension), against a real bridge
// and real scikit-learn models, driven in Debian's headless Chromium: a version evaluated from
// the sidebar's Evaluate… form and followed to COMPLETE, the confusion matrix, the threshold
// slider moving precision and recall to what the bridge answers, a second version evaluated
// from the palette beside the first, quick tests with JSON and with an image file, and promote
// showing the version's evaluation. Screenshots under test-artifacts/e2e-jupyterlab-model-view/.
import { join } from 'node:path';
import { formatFigure, type Model } from '@emkit/shared';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeCsv, writeCustomEvaluationModel } from '../support/evaluations.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';
import { type CancerModels, TINY_PNG, writeCancerModels, writeFileModel } from './support/models.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'joblib', 'pandas'));

let work: string;
let home: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
let models: CancerModels;
const versions: Model[] = [];
const shot = screenshots('e2e-jupyterlab-model-view');
const pageErrors: string[] = [];

const dialog = () => page.locator('.jp-Dialog');
/** The model view of the tab in front. */
const view = () => page.locator('.emkit-model-view:visible');
const sidebarRow = (kind: string, name: string) =>
  page.locator(`.emkit-Sidebar [data-emkit-kind="${kind}"][data-emkit-name="${name}"]`);
const cell = (row: Locator, name: string) => row.locator(`.emkit-${name}`).textContent();

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

async function accept(): Promise<void> {
  await dialog().locator('.jp-mod-accept').click();
  await dialog().waitFor({ state: 'detached' });
}

/** Fills the Evaluate… form (the version is chosen already) and sends it. */
async function fillEvaluateForm(step: string): Promise<void> {
  await dialog().locator('input[name="data"]').fill(models.csv);
  await dialog().locator('input[name="label"]').fill('diagnosis');
  expect(await dialog().locator('input[name="threshold"]').inputValue()).toBe('0.5');
  await shot(page, step);
  await accept();
}

/** The evaluation the bridge holds for a version (the newest). */
async function evaluationOf(model: Model, threshold?: number) {
  const list = await bridge.client.api.listEvaluations({ query: { model: model.id, limit: 1 } });
  const id = list.items[0]?.id ?? '';
  return bridge.client.api.getEvaluation({ params: { id }, query: threshold === undefined ? {} : { threshold } });
}

describe.skipIf(skipReason !== '')(`the model view in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-model-view-');
    home = tempDir('emkit-e2e-model-view-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin, '--python', venvPython] });
    models = writeCancerModels(join(work, 'models'));
    for (const artifactPath of models.versions)
      versions.push(await bridge.client.api.createModel({ body: { name: 'cancer', artifactPath, framework: 'scikit-learn' } }));
    await bridge.client.api.createModel({
      body: { name: 'file-kind', artifactPath: writeFileModel(work), framework: 'custom' },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    await shot(page, failedStep(task.name));
    const text = await view()
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => '(no model view)');
    console.log(`the model view when "${task.name}" failed:\n${text}`);
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
    removeDir(home ?? '');
  });

  it("evaluates a version from its sidebar row's Evaluate… form, follows it to COMPLETE and shows the confusion matrix", async () => {
    await page.goto(lab.labUrl());
    await showSidebar();
    const version = sidebarRow('model-version', 'cancer:2');
    await version.waitFor({ timeout: 30_000 });
    await version.locator('> .emkit-Row').hover();
    await version.locator('button[title="Evaluate cancer:2"]').click();
    await dialog().locator('input[name="data"]').waitFor();
    expect(await dialog().locator('select[name="model"]').inputValue()).toBe(versions[1]?.id);
    await fillEvaluateForm('evaluate-form');

    // the view opens on the new evaluation and follows it live
    await view().waitFor({ timeout: 20_000 });
    expect(await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent()).toBe('Model cancer');
    await expect.poll(() => view().locator('.emkit-evaluation-state').textContent(), { timeout: 120_000 }).toBe('COMPLETE');
    const evaluation = await evaluationOf(versions[1] as Model);
    const classification = evaluation.result?.classification;
    if (!classification) throw new Error(`no classification result: ${JSON.stringify(evaluation)}`);
    expect(await view().locator('.emkit-evaluation-title').textContent()).toBe('v2 on cancer-test.csv');

    // the heat map: one cell per (true, predicted) pair, the bridge's counts in it
    const cells = view().locator('.emkit-confusion-table td');
    expect(await cells.count()).toBe(classification.classes.length ** 2);
    for (const [i, truth] of classification.classes.entries())
      for (const [j, predicted] of classification.classes.entries()) {
        const shown = view().locator(`.emkit-confusion-table td[data-true="${truth}"][data-predicted="${predicted}"]`);
        expect(await shown.textContent()).toBe(String(classification.confusionMatrix[i]?.[j]));
      }
    expect(await view().locator('.emkit-headline').textContent()).toContain(formatFigure(classification.accuracy));
    await view().locator('.emkit-pr-curve canvas').first().waitFor({ timeout: 10_000 });
    expect(await view().locator('.emkit-errors tbody tr').count()).toBe(evaluation.result?.errors.length || 1);
    await view().locator('.emkit-section-evaluation').scrollIntoViewIfNeeded();
    await shot(page, 'evaluation-complete');
  });

  it("moves the threshold slider: each class's precision and recall become the bridge's figures at that threshold", async () => {
    const slider = view().locator('.emkit-threshold-slider');
    const malignant = view().locator('.emkit-class-table tr[data-class="malignant"]');
    const before = [await cell(malignant, 'precision'), await cell(malignant, 'recall')];
    // when the table takes the answer, in the page's clock (logged, never asserted)
    await view()
      .locator('.emkit-class-figures')
      .evaluate((figures) => {
        new MutationObserver(() => Object.assign(window, { emkitAnswered: performance.now() })).observe(figures, {
          attributeFilter: ['data-threshold'],
        });
        figures
          .querySelector('.emkit-threshold-slider')
          ?.addEventListener('input', () => Object.assign(window, { emkitMoved: performance.now() }));
      });
    // the keyboard, as a user moves a slider: 0.5 → 0.8 a step at a time
    await slider.focus();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
    expect(await view().locator('.emkit-threshold-value').textContent()).toBe('0.8');
    await expect
      .poll(() => view().locator('.emkit-class-figures').getAttribute('data-threshold'), { timeout: 10_000 })
      .toBe('0.8');
    const [moved, answered] = await page.evaluate(() => {
      const times = window as { emkitMoved?: number; emkitAnswered?: number };
      return [times.emkitMoved ?? Number.NaN, times.emkitAnswered ?? Number.NaN];
    });
    console.log(`slider's last move → table at 0.8: ${Math.round(answered - moved)} ms (the 120 ms pause included)`);
    const at = (await evaluationOf(versions[1] as Model, 0.8)).atThreshold;
    const figures = at?.perClass.find((c) => c.class === 'malignant');
    expect(await cell(malignant, 'precision')).toBe(formatFigure(figures?.precision));
    expect(await cell(malignant, 'recall')).toBe(formatFigure(figures?.recall));
    expect(await cell(malignant, 'predicted')).toBe(String(figures?.predicted));
    expect([await cell(malignant, 'precision'), await cell(malignant, 'recall')]).not.toEqual(before);
    await view().locator('.emkit-class-figures').scrollIntoViewIfNeeded();
    await shot(page, 'threshold-0.8');

    await slider.focus();
    await page.keyboard.press('Home');
    await expect.poll(() => view().locator('.emkit-class-figures').getAttribute('data-threshold'), { timeout: 10_000 }).toBe('0');
    expect(await cell(malignant, 'recall')).toBe('1');
    await shot(page, 'threshold-0');
  });

  it('evaluates the other version from the palette, and lines both up as iterations', async () => {
    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Evaluate Model Version');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Evaluate Model Version…' }).first().click();
    await dialog().locator('select').selectOption('cancer:1');
    // the form follows the picker at once: a dialog again, with the form's fields
    await dialog().locator('.jp-mod-accept').click();
    await dialog().locator('input[name="data"]').waitFor();
    expect(await dialog().locator('select[name="model"]').inputValue()).toBe(versions[0]?.id);
    await fillEvaluateForm('evaluate-form-palette');
    await expect
      .poll(() => view().locator('.emkit-evaluation-title').textContent(), { timeout: 20_000 })
      .toBe('v1 on cancer-test.csv');
    await expect.poll(() => view().locator('.emkit-evaluation-state').textContent(), { timeout: 120_000 }).toBe('COMPLETE');

    const rows = view().locator('tr.emkit-iteration');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => rows.nth(1).locator('[data-metric="accuracy"]').textContent(), { timeout: 20_000 }).not.toBe('—');
    const accuracy = async (version: Model) =>
      formatFigure((await evaluationOf(version)).result?.classification?.accuracy ?? null);
    expect(await rows.nth(0).locator('th').textContent()).toBe('v2');
    expect(await rows.nth(0).locator('[data-metric="accuracy"]').textContent()).toBe(await accuracy(versions[1] as Model));
    expect(await rows.nth(1).locator('[data-metric="accuracy"]').textContent()).toBe(await accuracy(versions[0] as Model));
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('true');
    await view().locator('.emkit-section-iterations').scrollIntoViewIfNeeded();
    await shot(page, 'iterations');
  });

  it('quick-tests the version shown with JSON instances', async () => {
    await view().locator('tr.emkit-iteration[data-model-id]').first().click();
    await expect.poll(() => view().locator('.emkit-version-title').textContent()).toBe('v2');
    const box = view().locator('.emkit-quicktest');
    await box.locator('textarea').fill(JSON.stringify({ instances: models.instances }));
    await box.locator('[data-emkit-action="quickTest"]').click();
    const labels = box.locator('.emkit-quicktest-label');
    await expect.poll(() => labels.count(), { timeout: 60_000 }).toBe(models.instances.length);
    const expected = await bridge.client.api.predictModel({
      params: { id: versions[1]?.id ?? '' },
      body: { instances: models.instances, return_scores: true },
    });
    expect(await labels.allTextContents()).toEqual(expected.predictions.map(String));
    expect(await box.locator('tr[data-index="0"] .emkit-score').count()).toBe(2);
    expect(await box.locator('.emkit-prediction-status').textContent()).toMatch(/^Answered in \d+ ms/);
    await box.scrollIntoViewIfNeeded();
    await shot(page, 'quick-test-json');
  });

  it('quick-tests a model that takes files with an image, shown before it is sent', async () => {
    await showSidebar();
    await sidebarRow('model', 'file-kind').locator('> .emkit-Row .emkit-Row-open').click();
    await expect
      .poll(() => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent(), { timeout: 20_000 })
      .toBe('Model file-kind');
    const box = view().locator('.emkit-quicktest');
    await box.locator('input[type="file"]').setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: TINY_PNG });
    await expect.poll(() => box.locator('.emkit-quicktest-preview').isVisible()).toBe(true);
    expect(await box.locator('.emkit-quicktest-filename').textContent()).toBe(`red.png (${TINY_PNG.length} B)`);
    await box.locator('[data-emkit-action="quickTest"]').click();
    await expect.poll(() => box.locator('.emkit-quicktest-label').allTextContents(), { timeout: 60_000 }).toEqual(['png']);
    expect(await view().locator('.emkit-no-evaluation').isVisible()).toBe(true);
    await shot(page, 'quick-test-file');
  });

  it("shows the version's evaluation in promote's confirmation", async () => {
    await showSidebar();
    const version = sidebarRow('model-version', 'cancer:2');
    await version.locator('> .emkit-Row').hover();
    await version.locator('button[title="Promote cancer:2"]').click();
    await dialog().locator('input').waitFor();
    const summary = (await bridge.client.api.listEvaluations({ query: { model: versions[1]?.id ?? '', limit: 1 } })).items[0];
    expect(await dialog().textContent()).toContain(`Evaluation: Accuracy ${formatFigure(summary?.metrics.accuracy)}`);
    await dialog().locator('input').fill('production');
    await shot(page, 'promote-confirmation');
    await accept();
    await expect.poll(() => version.locator('.emkit-Chip').allTextContents(), { timeout: 20_000 }).toEqual(['@production']);
    // the model view's iterations follow the alias
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Model cancer' }).click();
    await expect
      .poll(() => view().locator('tr.emkit-iteration').first().textContent(), { timeout: 20_000 })
      .toContain('@production');
  });

  it("says in the bridge's words why an evaluation is refused, from the view's own Evaluate… button", async () => {
    await view().locator('[data-emkit-action="evaluate"]').click();
    await dialog().locator('input[name="data"]').fill(models.csv);
    await dialog().locator('input[name="label"]').fill('outcome');
    await accept();
    // the bridge's 422 names the column and the columns it found; no evaluation is stored
    const refusal = page.getByText(/^Could not evaluate cancer:2: /);
    await refusal.waitFor({ timeout: 30_000 });
    // a toast shows the start of a long message: the column asked for and the columns found
    expect(await refusal.textContent()).toContain('no label column "outcome"');
    expect(await refusal.textContent()).toContain('its columns are f0, f1');
    await shot(page, 'evaluation-refused');
    expect(await view().locator('.emkit-evaluation-state').textContent()).toBe('COMPLETE');
    const stored = await bridge.client.api.listEvaluations({ query: { model: versions[1]?.id ?? '' } });
    expect(stored.total).toBe(1);
  });

  it("follows an evaluation whose model fails mid-way to FAILED, with the model's error", async () => {
    await bridge.client.api.createModel({
      body: {
        name: 'brittle',
        artifactPath: writeCustomEvaluationModel(join(work, 'brittle'), { failAt: 7 }),
        framework: 'custom',
      },
    });
    const data = writeCsv(
      join(work, 'brittle.csv'),
      ['x', 'label'],
      Array.from({ length: 30 }, (_, i) => [i, i]),
    );
    await page.keyboard.press('Control+Shift+C');
    await page.locator('.lm-CommandPalette-input').fill('Evaluate Model Version');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Evaluate Model Version…' }).first().click();
    await expect.poll(() => dialog().locator('select option').allTextContents(), { timeout: 20_000 }).toContain('brittle:1');
    await dialog().locator('select').selectOption('brittle:1');
    await dialog().locator('.jp-mod-accept').click();
    await dialog().locator('input[name="data"]').waitFor();
    await dialog().locator('input[name="data"]').fill(data);
    await dialog().locator('input[name="label"]').fill('label');
    await dialog().locator('select[name="task"]').selectOption('classification');
    await accept();
    await expect
      .poll(() => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent(), { timeout: 20_000 })
      .toBe('Model brittle');
    await expect.poll(() => view().locator('.emkit-evaluation-state').textContent(), { timeout: 120_000 }).toBe('FAILED');
    expect(await view().locator('.emkit-evaluation-reason').textContent()).toContain('the model broke on purpose');
    expect(await view().locator('.emkit-section-classification').isVisible()).toBe(false);
    await shot(page, 'evaluation-failed');
  });

  it('comes back after a reload in Korean, with the model tab restored and its evaluation', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);

    const tab = page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: '모델 cancer' });
    await tab.click({ timeout: 60_000 });
    await expect.poll(() => view().locator('.emkit-evaluation-state').textContent(), { timeout: 30_000 }).toBe('COMPLETE');
    expect(await view().locator('h3').allTextContents()).toEqual(
      expect.arrayContaining(['반복(버전)', '클래스별', '잘못 분류된 샘플', '빠른 테스트']),
    );
    expect(await view().locator('.emkit-class-table thead th').allTextContents()).toContain('정밀도');
    expect(await view().locator('[data-emkit-action="evaluate"]').textContent()).toBe('평가…');
    await shot(page, 'korean');
    expect(pageErrors).toEqual([]);
  });
});
