// Batch scoring and schedules in real VS Code (code-server in headless Chromium), against a real
// bridge, real scikit-learn and real notebook trainings, in English and in Korean, as a user
// does it: Score a Dataset… from a model version's row (its input, output folder, workers and
// batch size as QuickInput steps), the job's panel following it to COMPLETE, Open output showing
// the predictions in an editor; Schedule… from a notebook's editor title (the notebook was
// submitted once), the cron helper saying the interval in words with the bridge's next runs,
// the schedule's panel with its runs appearing, and the notification when a run fails; both
// panels back after a window reload.
// Screenshots under test-artifacts/vscode-batch-schedules/ and test-artifacts/vscode-batch-schedules-ko/.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { writeTableAndModel } from '../support/batch-inferences.js';
import { repoRoot } from '../support/bridge.js';
import { notebook, settledTraining } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, input, openWorkbench, pick, reloadWindow, treeRows, type Workbench } from './support/workbench.js';

const skipReason = vscodeSkipReason({ scikitLearn: true });

const extensionDir = join(repoRoot, 'vscode-ext');
const json = (path: string) => JSON.parse(readFileSync(join(extensionDir, path), 'utf8')) as Record<string, string>;
const LANGUAGES = {
  en: { titles: json('package.nls.json'), words: (text: string) => text },
  ko: {
    titles: json('package.nls.ko.json'),
    words: (text: string) => (json('l10n/bundle.l10n.ko.json')[text] as string | undefined) ?? `(no Korean for ${text})`,
  },
};
const ROWS = 2000;
const FIT = notebook([{ source: 'print("fitted again", flush=True)' }]);
const BROKEN = notebook([{ source: 'raise RuntimeError("broken on purpose")' }]);

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
  describe.skipIf(skipReason !== '')(`batch scoring and schedules in VS Code (${language})${skipReason}`, () => {
    let workbench: Workbench;
    let page: Page;
    const shot = screenshots(language === 'en' ? 'vscode-batch-schedules' : 'vscode-batch-schedules-ko');

    beforeAll(async () => {
      workbench = await openWorkbench({
        ...(language === 'en' ? {} : { locale: language }),
        prepare: (work) => {
          writeTableAndModel(join(work, 'table.csv'), join(work, 'model'), join(work, 'expected.json'), ROWS);
          writeFileSync(join(work, 'fit.ipynb'), FIT);
        },
      });
      page = workbench.page;
      const { client } = workbench.bridge;
      await client.api.createModel({
        body: { name: 'scorer', artifactPath: join(workbench.work, 'model'), framework: 'scikit-learn' },
      });
      // the notebook was submitted once: its schedule runs that training again from the file as saved
      const first = await client.api.createTraining({
        body: { name: 'fit', source: { path: join(workbench.work, 'fit.ipynb') } },
      });
      expect((await settledTraining(client, first.id)).state).toBe('COMPLETE');
    }, 300_000);

    afterEach(async ({ task }) => {
      if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
    });

    afterAll(() => workbench?.close());

    it("scores a table from a model version's row, follows the job to COMPLETE and opens the predictions", async () => {
      await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
      // room for the Batch Jobs and Schedules views: the views this test doesn't use folded, as a user does
      for (const view of ['view.environments', 'view.datasets', 'view.recipes', 'view.endpoints', 'view.clusters']) {
        await page.locator('.pane-header[aria-expanded="true"]', { hasText: titles[view] as string }).click();
      }
      const row = treeRows(page).filter({ hasText: 'scorer:1' });
      await row.waitFor({ timeout: 30_000 });
      await row.click({ button: 'right' });
      const item = page.locator('.monaco-menu .action-label', { hasText: titles['command.scoreDataset'] as string });
      await item.hover();
      // the menu takes no click in its first moments (the right-click's own mouseup would choose an item)
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');

      // the input: a path rather than a dataset, then the output folder, the workers and the batch size
      await pick(page, words('A file or folder by its path…'));
      await answer(page, join(workbench.work, 'table.csv'));
      await answer(page, join(workbench.work, 'scored'));
      expect(await answer(page, '2')).toBe('1');
      await input(page).waitFor();
      await shot(page, 'score-inputs');
      expect(await answer(page, '500')).toBe('256');

      // the job's panel follows it: the progress, then COMPLETE with every row done
      const view = await frameWith(page, '.emkit-batch-view');
      await expect
        .poll(() => view.locator('.emkit-batch-view .emkit-state').first().textContent(), { timeout: 180_000 })
        .toBe('COMPLETE');
      await expect.poll(() => view.locator('.emkit-batch-progress-text').textContent()).toContain('2,000 / 2,000');
      const jobs = await workbench.bridge.client.api.listBatchInferences({ query: {} });
      const job = jobs.items[0];
      expect(job).toMatchObject({ state: 'COMPLETE', instances: 2, batchSize: 500, model: { name: 'scorer', version: 1 } });
      expect(job?.outputFile).toBe(join(workbench.work, 'scored', 'predictions.csv'));
      // the Batch Jobs view lists it
      await treeRows(page)
        .filter({ hasText: job?.name ?? '' })
        .first()
        .waitFor({ timeout: 20_000 });
      await page.waitForTimeout(500); // the progress bar's transition, for the screenshot
      await shot(page, 'batch-complete');

      // Open output: the predictions file in an editor, its rows the model's own predictions, in order
      await view.locator('[data-emkit-action="openOutput"]').click();
      await page.locator('.tab.active', { hasText: 'predictions.csv' }).waitFor({ timeout: 20_000 });
      await expect
        .poll(() => page.locator('.monaco-editor .view-lines').first().textContent())
        .toContain('key,a,b,c,d,prediction');
      const expected = JSON.parse(readFileSync(join(workbench.work, 'expected.json'), 'utf8')) as string[];
      const lines = readFileSync(job?.outputFile ?? '', 'utf8')
        .trim()
        .split('\n')
        .slice(1);
      expect(lines).toHaveLength(ROWS);
      // key, a, b, c, d, then the prediction (quoted: a string)
      expect(lines.map((line) => line.split(',')[5]?.replace(/^"|"$/g, ''))).toEqual(expected);
      await shot(page, 'predictions-open');
    }, 300_000);

    it('schedules the notebook from its editor title, sees its runs appear, and is told when a run fails', async () => {
      // the notebook in VS Code's own notebook editor
      await page.keyboard.press('Control+P');
      await input(page).fill('fit.ipynb');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'fit.ipynb' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: 'fit.ipynb' }).waitFor({ timeout: 30_000 });
      await page.locator(`.editor-actions .action-label[aria-label="${titles['command.schedule']}"]`).click();

      // the schedule editor: the notebook's training as the step, every 5 seconds in words, the next runs
      const editor = await frameWith(page, '.emkit-schedule-editor');
      await page.locator('.tab', { hasText: words('New Schedule') }).waitFor({ timeout: 10_000 });
      // the draft retrains the notebook's training from the file as saved
      await expect.poll(() => editor.locator('.emkit-schedule-form [data-field="every"]').count(), { timeout: 20_000 }).toBe(1);
      // the draft's daily runs first; then 5s, and the bridge's preview of it replaces them
      const next = editor.locator('.emkit-schedule-next');
      await expect.poll(() => next.locator('li').count(), { timeout: 10_000 }).toBe(5);
      const daily = await next.textContent();
      await editor.locator('[data-field="every"] input').fill('5s');
      await expect
        .poll(() => editor.locator('.emkit-schedule-words').textContent(), { timeout: 10_000 })
        .toBe(language === 'en' ? 'Every 5 seconds' : '5초마다');
      // the daily runs are cleared as the timing changes, then the bridge's preview of 5s fills the list
      await expect.poll(() => next.textContent(), { timeout: 10_000 }).not.toBe(daily);
      await expect.poll(() => next.locator('li').count(), { timeout: 10_000 }).toBe(5);
      expect(await next.textContent()).not.toBe(daily);
      await shot(page, 'schedule-editor');
      await editor.locator('[data-emkit-action="save"]').click();

      // the schedule's panel: runs appear in its history, each a training of the notebook
      const view = await frameWith(page, '.emkit-schedule-view');
      await expect
        .poll(() => view.locator('.emkit-schedule-runs tbody tr').count(), { timeout: 120_000 })
        .toBeGreaterThanOrEqual(2);
      const { client } = workbench.bridge;
      const schedule = (await client.api.listSchedules({ query: {} })).items[0];
      expect(schedule).toMatchObject({ name: 'fit-schedule', every: '5s', state: 'ACTIVE' });
      await expect
        .poll(
          async () =>
            (await client.api.listScheduleRuns({ params: { id: schedule?.id ?? '' }, query: {} })).items.some(
              (r) => r.state === 'COMPLETE',
            ),
          {
            timeout: 120_000,
          },
        )
        .toBe(true);
      await treeRows(page).filter({ hasText: 'fit-schedule' }).first().waitFor({ timeout: 20_000 });
      await shot(page, 'schedule-runs');

      // the notebook breaks: the next run fails, and a notification says so with "Open schedule"
      writeFileSync(join(workbench.work, 'fit.ipynb'), BROKEN);
      const toasts = page.locator('.notifications-toasts');
      const toast = toasts.locator('.notification-toast', { hasText: 'fit-schedule' });
      await expect.poll(() => toast.first().textContent(), { timeout: 120_000 }).toContain(words('Open schedule'));
      await toast.first().hover();
      await page.waitForTimeout(500); // the toast's fade-in, for the screenshot
      await shot(page, 'run-failed-notification');

      // paused from its panel: nothing more runs
      await view.locator('[data-emkit-action="pause"]').click();
      await expect.poll(async () => (await client.api.getSchedule({ params: { id: schedule?.id ?? '' } })).state).toBe('PAUSED');
    }, 400_000);

    it("brings the batch job's and the schedule's panels back, live, after the window reloads", async () => {
      const job = (await workbench.bridge.client.api.listBatchInferences({ query: {} })).items[0];
      await reloadWindow(page);
      await page.locator('.tab', { hasText: words('Schedule {0}').replace('{0}', 'fit-schedule') }).click({ timeout: 60_000 });
      const schedule = await frameWith(page, '.emkit-schedule-view .emkit-schedule-runs');
      await expect.poll(() => schedule.locator('.emkit-schedule-view .emkit-state').first().textContent()).toBe('PAUSED');
      await page.locator('.tab', { hasText: words('Batch {0}').replace('{0}', job?.name ?? '') }).click();
      const batch = await frameWith(page, '.emkit-batch-view');
      await expect.poll(() => batch.locator('.emkit-batch-view .emkit-state').first().textContent()).toBe('COMPLETE');
      // its log read again from the bridge
      await expect.poll(() => batch.locator('.emkit-log-rows').textContent(), { timeout: 20_000 }).toContain('scored 2000 items');
      await page.waitForTimeout(500); // the progress bar's transition, for the screenshot
      await shot(page, 'after-reload');
    }, 120_000);
  });
}
