// "New Model (No Code)" in real VS Code (code-server in headless Chromium), against a real bridge
// that trains the real built-in image classifier (PyTorch, CPU): as a user does it, in English
// and in Korean — open the flow (the Models view's title button; the palette), pick "Classify
// images", upload a folder of scikit-learn's digits from the workspace through VS Code's own
// open dialog, see its classes, set the epochs, Train; the training's panel opens and ends with
// the holdout evaluation and a quick test, which answers a drawn digit with its class. Then
// Train Recipe… from the recipe's row (its parameters as a list of values, a wrong one said so
// as it is typed), and the New Model panel brought back by a window reload.
// Screenshots under test-artifacts/vscode-no-code/ and test-artifacts/vscode-no-code-ko/.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noCodeCards } from '@emkit/shared';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { repoRoot } from '../support/bridge.js';
import { pythonHas, settledTraining, venvPython } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import {
  answer,
  clickInlineAction,
  input,
  openWorkbench,
  palette,
  pick,
  reloadWindow,
  treeRows,
  type Workbench,
} from './support/workbench.js';

const skipReason =
  vscodeSkipReason({ scikitLearn: true }) ||
  (pythonHas(venvPython, 'torch', 'PIL') ? '' : ' (SKIPPED: PyTorch or Pillow is not installed in .venv: npm run setup)');

const extensionDir = join(repoRoot, 'vscode-ext');
const json = (path: string) => JSON.parse(readFileSync(join(extensionDir, path), 'utf8')) as Record<string, string>;
const LANGUAGES = {
  en: { titles: json('package.nls.json'), words: (text: string) => text },
  ko: {
    titles: json('package.nls.ko.json'),
    words: (text: string) => (json('l10n/bundle.l10n.ko.json')[text] as string | undefined) ?? `(no Korean for ${text})`,
  },
};
const imageCard = noCodeCards().find((card) => card.modelType === 'image-classification');

/** Digits 0, 1 and 2 of scikit-learn's 8×8 digits, as class folders of PNG and JPEG files (the Python tests' maker). */
function writeDigits(folder: string): void {
  const script = [
    'import sys',
    'from pathlib import Path',
    `sys.path.insert(0, ${JSON.stringify(join(repoRoot, 'server-bridge', 'python', 'tests'))})`,
    'import media_data',
    'media_data.digits_folder(Path(sys.argv[1]), classes=(0, 1, 2))',
  ].join('\n');
  execFileSync(venvPython, ['-c', script, folder]);
}

/** The webview frame showing `selector` (a hidden panel keeps its frame), once it is there. */
async function frameWith(page: Page, selector: string, timeout = 30_000): Promise<Frame> {
  let found: Frame | undefined;
  await expect
    .poll(
      async () => {
        for (const frame of page.frames()) {
          if (
            await frame
              .locator(selector)
              .count()
              .catch(() => 0)
          ) {
            found = frame;
            return true;
          }
        }
        return false;
      },
      { timeout },
    )
    .toBe(true);
  return found as Frame;
}

for (const language of ['en', 'ko'] as const) {
  const { titles, words } = LANGUAGES[language];
  describe.skipIf(skipReason !== '')(`a new model without code in VS Code (${language})${skipReason}`, () => {
    let workbench: Workbench;
    let page: Page;
    const shot = screenshots(language === 'en' ? 'vscode-no-code' : 'vscode-no-code-ko');

    beforeAll(async () => {
      workbench = await openWorkbench({
        ...(language === 'en' ? {} : { locale: language }),
        prepare: (work) => writeDigits(join(work, 'digits')),
      });
      page = workbench.page;
    }, 180_000);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
    });

    afterAll(() => workbench?.close());

    it('trains an image classifier from an uploaded folder and quick-tests it with a drawn digit', async () => {
      const command = titles['command.newModelNoCode'] as string;
      await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
      if (language === 'en') {
        // the Models view's title button (shown while its header is hovered)
        const header = page.locator('.pane-header', { hasText: titles['view.models'] as string });
        await clickInlineAction(header, command);
      } else {
        await palette(page, `emkit: ${command}`);
      }
      const view = await frameWith(page, '.emkit-new-model-view');
      await page.locator('.tab', { hasText: words('New Model (No Code)') }).waitFor({ timeout: 10_000 });
      // six cards, each titled and explained in the display language
      const card = view.locator('.emkit-nocode-card[data-model-type="image-classification"]');
      await card.waitFor({ timeout: 20_000 });
      expect(await view.locator('.emkit-nocode-card').count()).toBe(6);
      expect(await card.textContent()).toBe(`${words(imageCard?.title ?? '')}${words(imageCard?.explanation ?? '')}`);
      await shot(page, 'model-types');
      await card.click();

      // Upload…: VS Code's open dialog (code-server's own, in the QuickInput), the folder's path, its Upload button
      await view.locator('[data-emkit-action="upload"]').click();
      // it opens in the workspace folder; typed over only then, or the two would mix
      await expect.poll(() => input(page).inputValue(), { timeout: 10_000 }).toBe(`${workbench.work}/`);
      await input(page).fill(`${join(workbench.work, 'digits')}/`);
      // once the dialog is in the folder (it lists the class folders), its Upload button takes it
      await page
        .locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^2$/ }) })
        .waitFor({ timeout: 10_000 });
      await page.locator('.quick-input-widget .monaco-button', { hasText: words('Upload') }).click();
      expect(await answer(page)).toBe('digits');

      // the upload is picked and previewed: three classes with their counts
      const classes = view.locator('.emkit-section-classes');
      await expect.poll(() => classes.textContent().catch(() => ''), { timeout: 120_000 }).toContain('2');
      for (const digit of ['0', '1', '2']) expect(await classes.textContent()).toContain(digit);
      // the picker shows the upload as the dataset chosen
      await expect
        .poll(() => view.locator('.emkit-nocode-dataset').evaluate((el) => (el as HTMLSelectElement).value))
        .toBe('digits:1');
      await view.locator('[data-field="epochs"] input').fill('6');
      await view.locator('[data-field="image_size"] input').fill('16');
      await view.locator('.emkit-nocode-choices').scrollIntoViewIfNeeded();
      await shot(page, 'data-and-choices');
      await view.locator('[data-emkit-action="train"]').click();

      // the training's panel opens and follows it to COMPLETE, then shows the holdout evaluation
      const training = await frameWith(page, '.emkit-training-view', 60_000);
      await expect
        .poll(() => training.locator('.emkit-training-view .emkit-state').first().textContent(), { timeout: 300_000 })
        .toBe('COMPLETE');
      await expect
        .poll(
          () =>
            training
              .locator('.emkit-section-holdout .emkit-evaluation-state')
              .textContent()
              .catch(() => ''),
          {
            timeout: 120_000,
          },
        )
        .toBe('COMPLETE');
      await training.locator('.emkit-section-holdout .emkit-class-table').waitFor({ timeout: 20_000 });
      const record = (await workbench.bridge.client.api.listTrainings({ query: {} })).items[0];
      expect(record).toMatchObject({ recipe: 'image-classification', state: 'COMPLETE', datasets: { train: 'digits:1' } });
      expect(record?.hyperparameters).toMatchObject({ epochs: '6', image_size: '16' });
      const evaluation = await workbench.bridge.client.api.getEvaluation({ params: { id: record?.evaluation ?? '' } });
      expect(evaluation.result?.classification?.classes).toEqual(['0', '1', '2']);
      // its notification opens the model the training registered, rather than making another
      await expect
        .poll(() => page.locator('.notifications-toasts').textContent(), { timeout: 20_000 })
        .toContain(words('Open model'));
      await training.locator('.emkit-section-holdout').scrollIntoViewIfNeeded();
      await shot(page, 'holdout-evaluation');

      // the quick test: a drawn "2" from the folder, previewed, answered with its class
      const twos = join(workbench.work, 'digits', '2');
      const png = readdirSync(twos).find((file) => file.endsWith('.png')) as string;
      await training
        .locator('.emkit-quicktest input[type="file"]')
        .setInputFiles({ name: png, mimeType: 'image/png', buffer: readFileSync(join(twos, png)) });
      await expect.poll(() => training.locator('.emkit-quicktest-preview').isVisible()).toBe(true);
      await training.locator('.emkit-quicktest [data-emkit-action="quickTest"]').click();
      await expect.poll(() => training.locator('.emkit-quicktest-label').allTextContents(), { timeout: 120_000 }).toEqual(['2']);
      await training.locator('.emkit-section-quicktest').scrollIntoViewIfNeeded();
      await shot(page, 'quick-test');
    }, 600_000);

    it("trains a recipe from its row's Train Recipe…: the dataset, then its parameters as a list of values", async () => {
      const row = treeRows(page)
        .filter({ hasText: /^image-classification/ })
        .first();
      await clickInlineAction(row, titles['command.trainRecipe'] as string);
      await pick(page, 'digits:1');
      await pick(page, 'epochs');
      // a value the recipe refuses is said so while it is typed
      await input(page).fill('many');
      const widget = page.locator('.quick-input-widget');
      await expect.poll(() => widget.textContent(), { timeout: 10_000 }).toContain(words('A whole number is expected.'));
      await shot(page, 'train-recipe-value');
      await answer(page, '2');
      await pick(page, 'image_size');
      await answer(page, '16');
      await expect.poll(() => widget.textContent(), { timeout: 10_000 }).toContain('16');
      await shot(page, 'train-recipe-form');
      // Train is the list's first row, the one Enter takes
      const first = page.locator('.quick-input-list .monaco-list-row').first();
      expect((await first.textContent())?.trim()).toBe(words('Train'));
      await answer(page);
      let id = '';
      await expect
        .poll(
          async () => {
            const newest = (await workbench.bridge.client.api.listTrainings({ query: {} })).items[0];
            id = newest?.hyperparameters.epochs === '2' ? newest.id : '';
            return id;
          },
          { timeout: 30_000 },
        )
        .not.toBe('');
      const training = await settledTraining(workbench.bridge.client, id, 300_000);
      expect(training).toMatchObject({
        recipe: 'image-classification',
        state: 'COMPLETE',
        datasets: { train: 'digits:1' },
        hyperparameters: { epochs: '2', image_size: '16' },
      });
      await page.locator('.tab', { hasText: training.name }).waitFor({ timeout: 20_000 });
      await shot(page, 'train-recipe-started');
    }, 400_000);

    it('brings the New Model panel back, from its first step, after the window reloads', async () => {
      await reloadWindow(page);
      await page.locator('.tab', { hasText: words('New Model (No Code)') }).click({ timeout: 60_000 });
      const view = await frameWith(page, '.emkit-new-model-view .emkit-nocode-card');
      await expect.poll(() => view.locator('.emkit-nocode-card').count(), { timeout: 30_000 }).toBe(6);
      await shot(page, 'after-reload');
    });
  });
}
