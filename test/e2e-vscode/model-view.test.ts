// The model view in real VS Code (code-server in headless Chromium), against a real bridge and
// real scikit-learn models, as a user drives it: a model row opens its panel, Evaluate Model
// Version (the row's inline action, then the palette) asks for the test data and the panel
// follows the evaluation to COMPLETE, the confusion matrix, the threshold slider moving
// precision and recall, both versions as iterations, quick tests with JSON and with an image,
// and promote's prompt showing the evaluation. Screenshots under test-artifacts/vscode-model-view/.
import { formatFigure, type Model } from '@emkit/shared';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { type CancerModels, TINY_PNG, writeCancerModels, writeFileModel } from '../e2e/support/models.js';
import { removeDir, tempDir } from '../support/bridge.js';
import { vscodeSkipReason } from './support/code-server.js';
import {
  answer,
  clickInlineAction,
  input,
  openWorkbench,
  palette,
  pick,
  treeRows,
  type Workbench,
  webviewColors,
} from './support/workbench.js';

const skipReason = vscodeSkipReason({ scikitLearn: true });

describe.skipIf(skipReason !== '')(`the model view in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  let models: CancerModels;
  let work: string;
  const versions: Model[] = [];
  const shot = screenshots('vscode-model-view');

  /** The webview frame showing model `name`'s view now (a hidden panel keeps its frame), if any. */
  async function findModelView(name: string): Promise<Frame | undefined> {
    for (const frame of page.frames()) {
      const title = await frame
        .locator('.emkit-model-view .emkit-title')
        .textContent({ timeout: 200 })
        .catch(() => null);
      if (title === name) return frame;
    }
    return undefined;
  }

  /** The webview frame showing model `name`'s view, once it is there. */
  async function modelView(name: string): Promise<Frame> {
    let found: Frame | undefined;
    await expect
      .poll(
        async () => {
          found = await findModelView(name);
          return found !== undefined;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    return found as Frame;
  }

  const text = (frame: Frame, selector: string) => frame.locator(selector).first().textContent();

  /** The newest evaluation of a version, as the bridge has it. */
  async function evaluationOf(model: Model, threshold?: number) {
    const client = workbench.bridge.client;
    const list = await client.api.listEvaluations({ query: { model: model.id, limit: 1 } });
    return client.api.getEvaluation({
      params: { id: list.items[0]?.id ?? '' },
      query: threshold === undefined ? {} : { threshold },
    });
  }

  /** Evaluate Model Version's steps after the version: the test data, the label column, the threshold. */
  async function answerEvaluate(step: string): Promise<void> {
    await answer(page, models.csv);
    await answer(page, 'diagnosis');
    await input(page).waitFor();
    await shot(page, step);
    // typed over, which focuses the box (a webview may hold the keyboard's focus)
    expect(await answer(page, '0.5')).toBe('0.5');
  }

  beforeAll(async () => {
    work = tempDir('emkit-vscode-model-view-models-');
    workbench = await openWorkbench();
    page = workbench.page;
    models = writeCancerModels(work);
    const client = workbench.bridge.client;
    for (const artifactPath of models.versions)
      versions.push(await client.api.createModel({ body: { name: 'cancer', artifactPath, framework: 'scikit-learn' } }));
    await client.api.createModel({ body: { name: 'file-kind', artifactPath: writeFileModel(work), framework: 'custom' } });
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await workbench?.close();
    removeDir(work ?? '');
  });

  it("opens a model's panel from its row, evaluates it from the row's inline action and follows it to the confusion matrix", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const row = treeRows(page).filter({ hasText: 'cancer:2' });
    await row.waitFor({ timeout: 30_000 });
    // the tree may still be drawing its rows when one first shows: click until the panel opens
    await expect
      .poll(
        async () => {
          await row.click();
          return (await findModelView('cancer')) !== undefined;
        },
        { timeout: 30_000, intervals: [2000] },
      )
      .toBe(true);
    const view = await modelView('cancer');
    await expect.poll(() => text(view, '.emkit-version-title'), { timeout: 20_000 }).toBe('v2');
    expect(await view.locator('.emkit-no-evaluation').isVisible()).toBe(true);
    await shot(page, 'model-panel');

    await clickInlineAction(row, 'Evaluate Model Version');
    await answerEvaluate('evaluate-inputs');
    await expect.poll(() => text(view, '.emkit-evaluation-state'), { timeout: 120_000 }).toBe('COMPLETE');
    const classification = (await evaluationOf(versions[1] as Model)).result?.classification;
    if (!classification) throw new Error('no classification result');
    for (const [i, truth] of classification.classes.entries())
      for (const [j, predicted] of classification.classes.entries())
        expect(await text(view, `.emkit-confusion-table td[data-true="${truth}"][data-predicted="${predicted}"]`)).toBe(
          String(classification.confusionMatrix[i]?.[j]),
        );
    await view.locator('.emkit-pr-curve canvas').first().waitFor({ timeout: 10_000 });
    await view.locator('.emkit-section-evaluation').scrollIntoViewIfNeeded();
    await shot(page, 'evaluation-complete');
  }, 240_000);

  it("moves the threshold slider: precision and recall become the bridge's figures at that threshold", async () => {
    const view = await modelView('cancer');
    const malignant = '.emkit-class-table tr[data-class="malignant"]';
    const before = await text(view, `${malignant} .emkit-recall`);
    await view.locator('.emkit-threshold-slider').focus();
    for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => view.locator('.emkit-class-figures').getAttribute('data-threshold'), { timeout: 10_000 }).toBe('0.8');
    const figures = (await evaluationOf(versions[1] as Model, 0.8)).atThreshold?.perClass.find((c) => c.class === 'malignant');
    expect(await text(view, `${malignant} .emkit-precision`)).toBe(formatFigure(figures?.precision));
    expect(await text(view, `${malignant} .emkit-recall`)).toBe(formatFigure(figures?.recall));
    expect(await text(view, `${malignant} .emkit-recall`)).not.toBe(before);
    await view.locator('.emkit-class-figures').scrollIntoViewIfNeeded();
    await shot(page, 'threshold-0.8');
  });

  it('evaluates the other version from the palette and lines both up as iterations', async () => {
    await palette(page, 'emkit: Evaluate Model Version');
    await pick(page, 'cancer:1');
    await answerEvaluate('evaluate-inputs-palette');
    const view = await modelView('cancer');
    await expect.poll(() => text(view, '.emkit-evaluation-title'), { timeout: 20_000 }).toBe('v1 on cancer-test.csv');
    await expect.poll(() => text(view, '.emkit-evaluation-state'), { timeout: 120_000 }).toBe('COMPLETE');
    const accuracies = view.locator('tr.emkit-iteration [data-metric="accuracy"]');
    await expect.poll(() => accuracies.allTextContents(), { timeout: 20_000 }).not.toContain('—');
    const expected = [];
    for (const version of [versions[1], versions[0]] as Model[])
      expected.push(formatFigure((await evaluationOf(version)).result?.classification?.accuracy ?? null));
    expect(await accuracies.allTextContents()).toEqual(expected);
    await view.locator('.emkit-section-iterations').scrollIntoViewIfNeeded();
    await shot(page, 'iterations');
  }, 240_000);

  it('quick-tests the version shown with JSON instances', async () => {
    const view = await modelView('cancer');
    await view.locator('tr.emkit-iteration').first().click();
    await expect.poll(() => text(view, '.emkit-version-title')).toBe('v2');
    // vscode-elements' textarea: typed into as a user types, its inner field
    await view.locator('.emkit-quicktest vscode-textarea textarea').fill(JSON.stringify(models.instances));
    await view.locator('.emkit-quicktest [data-emkit-action="quickTest"]').click();
    const labels = view.locator('.emkit-quicktest-label');
    await expect.poll(() => labels.count(), { timeout: 60_000 }).toBe(models.instances.length);
    const answerOf = await workbench.bridge.client.api.predictModel({
      params: { id: versions[1]?.id ?? '' },
      body: { instances: models.instances },
    });
    expect(await labels.allTextContents()).toEqual(answerOf.predictions.map(String));
    await view.locator('.emkit-quicktest').scrollIntoViewIfNeeded();
    await shot(page, 'quick-test-json');
  });

  it('quick-tests a model that takes files with an image, previewed', async () => {
    await palette(page, 'emkit: Open Model View');
    await pick(page, 'file-kind');
    const view = await modelView('file-kind');
    await view
      .locator('.emkit-quicktest input[type="file"]')
      .setInputFiles({ name: 'red.png', mimeType: 'image/png', buffer: TINY_PNG });
    await expect.poll(() => view.locator('.emkit-quicktest-preview').isVisible()).toBe(true);
    await view.locator('.emkit-quicktest [data-emkit-action="quickTest"]').click();
    await expect.poll(() => view.locator('.emkit-quicktest-label').allTextContents(), { timeout: 60_000 }).toEqual(['png']);
    await shot(page, 'quick-test-file');
  });

  it("shows the version's evaluation in promote's prompt", async () => {
    await palette(page, 'emkit: Promote Model');
    await pick(page, 'cancer:2');
    await input(page).waitFor();
    const summary = (await workbench.bridge.client.api.listEvaluations({ query: { model: versions[1]?.id ?? '', limit: 1 } }))
      .items[0];
    await expect
      .poll(() => page.locator('.quick-input-widget .quick-input-message').textContent())
      .toContain(`Evaluation: Accuracy ${formatFigure(summary?.metrics.accuracy)}`);
    await shot(page, 'promote-prompt');
    await answer(page, 'production');
    await expect
      .poll(() => treeRows(page).filter({ hasText: 'cancer:2' }).textContent(), { timeout: 20_000 })
      .toContain('@production');
  });

  it("reads in VS Code's Dark Modern theme: the view and its heat map take the theme's colours", async () => {
    await page.locator('.tab', { hasText: /^Model cancer$/ }).click();
    const light = await webviewColors(page, '.emkit-model-view');
    await palette(page, 'Preferences: Color Theme');
    await pick(page, 'Dark Modern');
    await expect
      .poll(() => webviewColors(page, '.emkit-model-view'), { timeout: 10_000 })
      .toMatchObject({
        background: 'rgb(31, 31, 31)',
      });
    expect((await webviewColors(page, '.emkit-model-view')).text).not.toBe(light.text);
    const view = await modelView('cancer');
    await view.locator('.emkit-section-evaluation').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500); // the charts redraw in the new colours
    await shot(page, 'dark-theme');
    await palette(page, 'Preferences: Color Theme');
    await pick(page, 'Light Modern');
  });
});
