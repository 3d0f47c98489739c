// "New model (no code)" in real JupyterLab (from PyPI, with the wheel `npm run setup` installs),
// against a real bridge that trains the real built-in image recipe (PyTorch, CPU), driven in
// Debian's headless Chromium: the Recipes section's button opens the flow, the image card, a
// class-folder dataset uploaded from the Jupyter server's files (scikit-learn's digits 0-2 drawn
// as PNGs, made offline here), its preview with thumbnails, a few epochs, Train — then the
// training's view, which ends with the holdout evaluation and a quick test of a PNG answered
// with a class. Then the same in Korean. Screenshots under test-artifacts/e2e-jupyterlab-no-code/.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason =
  e2eSkipReason(pythonHas(venvPython, 'sklearn', 'PIL')) ||
  (pythonHas(venvPython, 'torch') ? '' : ' (SKIPPED: PyTorch is not installed in .venv: the image recipe needs it)');

const CLASSES = ['0', '1', '2'];
/** Images per class: enough for a holdout of a few per class, few enough to upload and train in seconds. */
const PER_CLASS = 40;

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
let trainingName = '';
const shot = screenshots('e2e-jupyterlab-no-code');
const pageErrors: string[] = [];

const dialog = () => page.locator('.jp-Dialog');
const flow = () => page.locator('.emkit-new-model-view:visible');
const trainingView = () => page.locator('.emkit-training-view:visible');

/** scikit-learn's 8x8 digits 0-2 as PNGs, one folder per digit, in the lab's folder. */
function makeDigits(folder: string): void {
  const script = `
import sys
from pathlib import Path
import numpy
from PIL import Image
from sklearn.datasets import load_digits
digits = load_digits()
counts = {}
for pixels, target in zip(digits.images, digits.target):
    name = str(int(target))
    if name not in sys.argv[2].split(",") or counts.get(name, 0) >= int(sys.argv[3]):
        continue
    counts[name] = counts.get(name, 0) + 1
    out = Path(sys.argv[1]) / name
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray((pixels * (255 / 16)).astype(numpy.uint8)).save(out / f"{name}-{counts[name]:03d}.png")
`;
  execFileSync(venvPython, ['-c', script, folder, CLASSES.join(','), String(PER_CLASS)]);
}

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

/** The flow from the Recipes section's header button (its label in the UI's language). */
async function openFlow(label: string): Promise<void> {
  await showSidebar();
  const button = page.locator(`.emkit-Sidebar [data-emkit-section="recipes"] .emkit-Section-actions [aria-label="${label}"]`);
  await button.click({ timeout: 20_000 });
  await flow().locator('.emkit-nocode-card').first().waitFor({ timeout: 20_000 });
}

async function pickDataset(ref: string): Promise<void> {
  const select = flow().locator('select.emkit-nocode-dataset');
  await expect
    .poll(() => select.locator('option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)))
    .toContain(ref);
  await select.selectOption(ref);
}

const classCounts = () => flow().locator('.emkit-dataset-class h4').allTextContents();

describe.skipIf(skipReason !== '')(`the no-code flow in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-no-code-');
    const home = tempDir('emkit-e2e-no-code-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    makeDigits(join(labDir, 'notebooks', 'digits'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
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

  it('opens from the Recipes section with six cards; the image card asks for class folders of images', async () => {
    await page.goto(lab.labUrl());
    await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
    await openFlow('New Model (No Code)…');
    expect(await flow().locator('.emkit-nocode-card strong').allTextContents()).toEqual([
      'Classify images',
      'Classify texts',
      'Classify sounds',
      'Classify numbers',
      'Predict a number',
      'Group numbers',
    ]);
    await shot(page, 'cards');
    await flow().locator('[data-model-type="image-classification"]').click();
    expect(await flow().locator('[data-model-type="image-classification"]').getAttribute('aria-checked')).toBe('true');
    // nothing uploaded yet: no dataset fits, the flow says so and offers Upload…
    await flow().locator('.emkit-nocode-none').waitFor();
    expect(await flow().locator('.emkit-nocode-choices').isVisible()).toBe(false);
  });

  it("uploads the digits folder from the Jupyter server's files and previews its classes with thumbnails", async () => {
    await flow().locator('[data-emkit-action="upload"]').click();
    await dialog().waitFor();
    const path = dialog().locator('input');
    await expect
      .poll(() =>
        dialog()
          .locator('datalist option')
          .evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
      )
      .toContain('digits');
    await path.fill('digits');
    await shot(page, 'upload-pick');
    await dialog().locator('.jp-mod-accept').click();
    // then the dataset's name, as the file browser's upload asks it
    await expect.poll(() => dialog().locator('input[name="name"]').inputValue(), { timeout: 10_000 }).toBe('digits');
    await dialog().locator('.jp-mod-accept').click();
    await expect.poll(classCounts, { timeout: 120_000 }).toEqual(CLASSES.map((c) => `${c}${PER_CLASS} files`));
    expect(await flow().locator('select.emkit-nocode-dataset').inputValue()).toBe('digits:1');
    await expect.poll(() => flow().locator('.emkit-dataset-class img').count()).toBeGreaterThan(0);
    expect(await flow().locator('input[data-field="epochs"]').inputValue()).toBe('15');
    await shot(page, 'preview');
  });

  it('trains with a few epochs and lands on the training view, which ends with the holdout evaluation', async () => {
    await flow().locator('input[data-field="epochs"]').fill('6');
    await flow().locator('input[data-field="image_size"]').fill('16');
    await shot(page, 'choices');
    await flow().locator('[data-emkit-action="train"]').click();
    // the training's view opens in front; the flow's tab, behind it, says which training started
    await expect
      .poll(() => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent(), { timeout: 20_000 })
      .toMatch(/^digits-image-classification-\d{8}-\d{6}$/);
    expect(await page.locator('.emkit-new-model-view .emkit-nocode-status').textContent()).toMatch(
      /^Training digits-image-classification-\d{8}-\d{6} started\.$/,
    );
    const view = trainingView();
    await view.waitFor({ timeout: 20_000 });
    // the title is drawn when the feed's first message arrives, a moment after the view itself
    await expect
      .poll(() => view.locator('.emkit-title').first().textContent(), { timeout: 20_000 })
      .toMatch(/^digits-image-classification-\d{8}-\d{6}$/);
    trainingName = (await view.locator('.emkit-title').first().textContent()) ?? '';
    await expect.poll(() => view.locator('.emkit-state').first().textContent(), { timeout: 180_000 }).toBe('COMPLETE');
    const holdout = view.locator('.emkit-section-holdout');
    await expect.poll(() => holdout.locator('.emkit-evaluation-state').textContent(), { timeout: 60_000 }).toBe('COMPLETE');
    const figures = await holdout.locator('.emkit-figure-label').allTextContents();
    expect(figures).toContain('Accuracy');
    expect(await holdout.locator('.emkit-class-table tbody tr').count()).toBe(CLASSES.length);
    const training = (await bridge.client.api.listTrainings({ query: {} })).items.find((t) => t.name === trainingName);
    expect(training).toMatchObject({
      recipe: 'image-classification',
      datasets: { train: expect.stringContaining('digits') },
      hyperparameters: expect.objectContaining({ epochs: '6', image_size: '16' }),
      model: { name: 'digits-image-classification', version: 1 },
    });
    await holdout.scrollIntoViewIfNeeded();
    await shot(page, 'training-evaluation');
  }, 300_000);

  it('quick-tests the model with a PNG and answers with one of the classes', async () => {
    const view = trainingView();
    const box = view.locator('.emkit-section-quicktest');
    await box.scrollIntoViewIfNeeded();
    expect(await box.locator('.emkit-quicktest-json').isVisible()).toBe(false);
    await box.locator('.emkit-quicktest-file').setInputFiles(join(work, 'lab', 'notebooks', 'digits', '2', '2-001.png'));
    await box.locator('.emkit-quicktest-preview').waitFor();
    await box.locator('[data-emkit-action="quickTest"]').click();
    const label = box.locator('.emkit-quicktest-label').first();
    await label.waitFor({ timeout: 60_000 });
    expect(CLASSES).toContain(await label.textContent());
    expect(await box.locator('.emkit-prediction-status').textContent()).toMatch(/^Answered in \d+ ms/);
    await box.scrollIntoViewIfNeeded();
    await shot(page, 'quick-test');
    expect(pageErrors).toEqual([]);
  });

  it('trains a recipe saved from that training again from its row, with a form generated from the recipe', async () => {
    await trainingView().locator('[data-emkit-action="saveRecipe"]').click();
    await dialog().waitFor();
    await dialog().locator('input').first().fill('digits-recipe');
    await dialog().locator('.jp-mod-accept').click();
    await showSidebar();
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="recipe"][data-emkit-name="digits-recipe"]');
    await row.locator('.emkit-Row').first().hover({ timeout: 20_000 });
    await row.locator('[aria-label="Train recipe digits-recipe…"]').click();
    await dialog().waitFor();
    // one field per dataset the recipe reads (those that fit, newest version) and per parameter, at its default
    expect(await dialog().locator('select[name="dataset:train"] option').allTextContents()).toEqual(['digits:1']);
    expect(await dialog().locator('input[name="hp:epochs"]').inputValue()).toBe('6');
    await dialog().locator('input[name="hp:epochs"]').fill('3');
    await dialog().locator('input[name="name"]').fill('digits-again');
    await shot(page, 'train-saved-recipe');
    await dialog().locator('.jp-mod-accept').click();
    await expect
      .poll(() => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').textContent(), { timeout: 20_000 })
      .toBe('digits-again');
    await expect.poll(() => trainingView().locator('.emkit-state').first().textContent(), { timeout: 180_000 }).toBe('COMPLETE');
    const again = (await bridge.client.api.listTrainings({ query: {} })).items.find((t) => t.name === 'digits-again');
    expect([again?.recipe, again?.hyperparameters.epochs]).toEqual(['digits-recipe', '3']);
    // a built-in's row opens the no-code flow on its type
    await showSidebar();
    const clustering = page.locator('.emkit-Sidebar [data-emkit-kind="recipe"][data-emkit-name="clustering"]');
    await clustering.locator('.emkit-Row').first().hover();
    await clustering.locator('[aria-label="Train recipe clustering…"]').click();
    await expect
      .poll(() => flow().locator('[aria-checked="true"]').getAttribute('data-model-type'), { timeout: 20_000 })
      .toBe('clustering');
  }, 300_000);

  it('speaks Korean: the cards, the preview, and the training view ending', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);

    await openFlow('새 모델 (코드 없이)…');
    expect(await flow().locator('.emkit-nocode-card strong').allTextContents()).toEqual([
      '이미지 분류',
      '텍스트 분류',
      '소리 분류',
      '숫자 분류',
      '숫자 예측',
      '숫자 묶기',
    ]);
    await flow().locator('[data-model-type="image-classification"]').click();
    await pickDataset('digits:1');
    await expect.poll(() => flow().locator('.emkit-dataset-class').count(), { timeout: 30_000 }).toBe(CLASSES.length);
    expect(await flow().locator('h3').allTextContents()).toEqual(
      expect.arrayContaining(['1. 모델이 무엇을 할까요?', '2. 데이터', '3. 설정']),
    );
    expect(await flow().locator('[data-emkit-action="train"]').textContent()).toBe('학습');
    await shot(page, 'korean-flow');

    // the training's tab came back with the page
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: trainingName }).click({ timeout: 30_000 });
    const view = trainingView();
    const holdout = view.locator('.emkit-section-holdout');
    await expect.poll(() => holdout.locator('.emkit-evaluation-state').textContent(), { timeout: 30_000 }).toBe('COMPLETE');
    expect(await view.locator('h3').allTextContents()).toEqual(
      expect.arrayContaining(['따로 떼어 둔 데이터로 한 평가', '빠른 테스트', '클래스별']),
    );
    const box = view.locator('.emkit-section-quicktest');
    await box.locator('.emkit-quicktest-file').setInputFiles(join(work, 'lab', 'notebooks', 'digits', '0', '0-001.png'));
    await box.locator('[data-emkit-action="quickTest"]').click();
    await box.locator('.emkit-quicktest-label').first().waitFor({ timeout: 60_000 });
    expect(CLASSES).toContain(await box.locator('.emkit-quicktest-label').first().textContent());
    await holdout.scrollIntoViewIfNeeded();
    await shot(page, 'korean-training-evaluation');
    await box.scrollIntoViewIfNeeded();
    await shot(page, 'korean-quick-test');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
