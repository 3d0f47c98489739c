// Hyperparameter tuning in real VS Code (code-server in headless Chromium), against a real bridge,
// real Optuna and real notebook trainings, as a user does it: Tune… from the notebook's toolbar
// opens the Tune form with the space pre-filled from the parameters cell; with the median pruner
// chosen, Start opens the tuning's panel, where the trials arrive live and the clearly worse ones
// are marked pruned at their step; the Tunings view lists it; when it ends a notification says its
// best; "Create model from best" makes the model from the best trial's training.
// Screenshots under test-artifacts/vscode-tunings/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { notebook, pythonHas, venvPython } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, input, openWorkbench, reloadWindow, treeRows, type Workbench } from './support/workbench.js';

const baseSkip = vscodeSkipReason();
const skipReason = baseSkip || (pythonHas(venvPython, 'optuna') ? '' : ' (skipped: optuna is not installed in .venv)');

const TRIALS = 6;
/** The form's name for a tuning of search.ipynb. */
const NAME = 'search-tune';
/** Runs (in start order: the trials run one at a time) that are made clearly worse, for the pruner to stop. */
const WORSE_RUNS = [4, 6];

/**
 * A notebook whose loss has its minimum at x = 2, logged at each of 16 steps (time enough for the
 * pruner on a loaded machine). Each run counts itself in a file outside the source snapshot, and
 * runs 4 and 6 add a large penalty: after the first three complete, the median pruner has clearly
 * worse trials to stop, whatever x the sampler draws.
 */
const tuneNotebook = (runs: string) =>
  notebook([
    { source: 'x = 0.5', tags: ['parameters'] },
    {
      source: [
        'import json, os, time',
        'from emkit.tracking import flush, log_metric',
        `with open(${JSON.stringify(runs)}, "a") as f:`,
        '    f.write("run\\n")',
        `run = sum(1 for _ in open(${JSON.stringify(runs)}))`,
        `penalty = 50.0 if run in ${JSON.stringify(WORSE_RUNS)} else 0.0`,
        'for step in range(16):',
        '    log_metric("loss", (float(x) - 2) ** 2 + penalty + 1.0 / (step + 1), step)',
        '    flush()',
        '    time.sleep(0.4)',
        // what "Create model" registers: a custom model answering with the trial's x
        'model_dir = os.environ["EM_MODEL_DIR"]',
        'with open(os.path.join(model_dir, "model.json"), "w") as f:',
        '    json.dump({"x": float(x)}, f)',
        'with open(os.path.join(model_dir, "predict.py"), "w") as f:',
        '    f.write("def predict(instances):\\n    return [0.0 for _ in instances]\\n")',
      ].join('\n'),
    },
  ]);

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

describe.skipIf(skipReason !== '')(`hyperparameter tuning in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-tunings');

  beforeAll(async () => {
    workbench = await openWorkbench({
      prepare: (work) => writeFileSync(join(work, 'search.ipynb'), tuneNotebook(join(work, '.runs'))),
    });
    page = workbench.page;
  }, 180_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it('tunes the notebook from its toolbar, sees trials arrive and the worse ones pruned, and makes the model from the best', async () => {
    const { client } = workbench.bridge;
    // the notebook in VS Code's own notebook editor
    await page.keyboard.press('Control+P');
    await input(page).fill('search.ipynb');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'search.ipynb' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.notebook-editor .cell-list-container:visible').first().waitFor({ timeout: 30_000 });
    await page.locator('.notebook-toolbar-container .action-label[aria-label="Tune…"]').click({ timeout: 20_000 });

    // the Tune form: x searched on a log scale around 0.5, as the parameters cell has it
    const form = await frameWith(page, '.emkit-tune-form');
    await page.locator('.tab', { hasText: 'Tune' }).first().waitFor({ timeout: 10_000 });
    await expect.poll(() => form.locator('[data-field="name"] input').inputValue(), { timeout: 20_000 }).toBe(NAME);
    expect(await form.locator('.emkit-space-rows tbody tr').count()).toBe(1);
    expect(await form.locator('.emkit-space-rows').textContent()).toContain('x');
    await form.locator('[data-field="metric"] input').fill('loss');
    await form.locator('[data-field="trials"] input').fill(String(TRIALS));
    // the pruner: its select opened and "median" chosen, as a user does
    await form.locator('[data-field="pruner"]').click();
    await form.locator('[data-field="pruner"] li[role="option"]', { hasText: /^\s*median\s*$/ }).click();
    await shot(page, 'tune-form');
    await form.locator('[data-emkit-action="startTuning"]').click();

    // the tuning's panel: the trials arrive, live, and the clearly worse ones are marked pruned at their step
    const view = await frameWith(page, '.emkit-tuning-view');
    await expect.poll(() => view.locator('.emkit-trials tr[data-trial]').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await shot(page, 'trials-arriving');
    const tuning = (await client.api.listTunings({ query: {} })).items[0];
    expect(tuning).toMatchObject({ name: NAME, pruner: 'median', maxTrials: TRIALS, objective: { metric: 'loss', mode: 'min' } });
    expect(tuning?.space).toEqual({ x: expect.objectContaining({ type: 'loguniform' }) });
    const id = tuning?.id ?? '';
    await expect.poll(async () => (await client.api.getTuning({ params: { id } })).state, { timeout: 240_000 }).toBe('COMPLETE');
    const trials = (await client.api.listTuningTrials({ params: { id }, query: {} })).items;
    expect(trials).toHaveLength(TRIALS);
    const pruned = trials.filter((trial) => trial.state === 'PRUNED');
    // the worse runs were the 4th and 6th trials (numbers 3 and 5): each stopped, with its reason
    expect(pruned.map((trial) => trial.number)).toEqual(expect.arrayContaining(WORSE_RUNS.map((run) => run - 1)));
    for (const trial of pruned) expect(trial.stateReason).toBe(`pruned at step ${trial.prunedAtStep}`);
    const done = await client.api.getTuning({ params: { id } });
    expect(done.best).not.toBeNull();
    expect(pruned.map((trial) => trial.number)).not.toContain(done.best?.number);
    // the panel shows every trial, the pruned ones marked with their step
    await expect
      .poll(() => view.locator('.emkit-trials tr[data-state="PRUNED"]').count(), { timeout: 20_000 })
      .toBe(pruned.length);
    const first = pruned[0];
    expect(await view.locator(`.emkit-trials tr[data-trial="${first?.number}"]`).textContent()).toContain(
      `PRUNED at step ${first?.prunedAtStep}`,
    );
    await expect.poll(() => view.locator('.emkit-tuning-view .emkit-state').first().textContent()).toBe('COMPLETE');
    await view.locator('.emkit-trials').scrollIntoViewIfNeeded();
    await shot(page, 'trials-pruned');
    await view.locator('.emkit-tuning-view').evaluate((element) => element.scrollIntoView());

    // the notification says the best, with Create model
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: `Tuning ${NAME} finished` });
    await expect.poll(() => toast.first().textContent(), { timeout: 30_000 }).toContain('Create model');
    await toast.first().hover();
    await page.waitForTimeout(500); // the toast's fade-in, for the screenshot
    await shot(page, 'tuning-complete');

    // the Tunings view lists it with the best so far
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    for (const name of [
      'Environments',
      'Datasets',
      'Recipes',
      'Experiments',
      'Models',
      'Endpoints',
      'Clusters',
      'Batch Jobs',
      'Schedules',
      'Alerts',
    ]) {
      const header = page.locator('.pane-header[aria-expanded="true"]', { hasText: name });
      if (await header.count()) await header.first().click();
    }
    // the Tunings view starts folded (the other views keep their room): opened as a user does
    await page.locator('.pane-header[aria-expanded="false"]', { hasText: 'Tunings' }).click();
    const row = treeRows(page).filter({ hasText: NAME }).first();
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain(`COMPLETE · ${TRIALS}/${TRIALS} trials · ${pruned.length} pruned`);
    // opened, it shows the best trial
    await row.locator('.monaco-tl-twistie').click();
    await treeRows(page)
      .filter({ hasText: `Best: trial ${done.best?.number}` })
      .waitFor({ timeout: 10_000 });
    await shot(page, 'tunings-view');

    // "Create model from best" in the panel: the usual Create Model on the best trial's training
    await page
      .locator('.tab', { hasText: `Tuning ${NAME}` })
      .first()
      .click();
    await view.locator('[data-emkit-action="createModel"]').click();
    expect(await answer(page, 'tuned')).not.toBe('');
    await expect
      .poll(async () => (await client.api.listModels({ query: {} })).items.map((m) => [m.name, m.source.training?.id]), {
        timeout: 30_000,
      })
      .toEqual([['tuned', done.best?.trainingId]]);
    await shot(page, 'model-created');

    // a trial's link opens its training's panel, whose Tune… opens the form pre-filled from that trial's values
    const bestTraining = done.best?.trainingName ?? '';
    await view.locator(`.emkit-trials a[data-training="${done.best?.trainingId}"]`).click();
    const training = await frameWith(page, '.emkit-training-view');
    await page.locator('.tab', { hasText: bestTraining }).first().waitFor({ timeout: 20_000 });
    await training.locator('[data-emkit-action="tune"]').click();
    const again = await frameWith(page, '.emkit-tune-form');
    await expect
      .poll(() => again.locator('[data-field="name"] input').inputValue(), { timeout: 20_000 })
      .toBe(`${bestTraining}-tune`);
    expect(await again.locator('.emkit-space-rows tbody tr').count()).toBe(1);
    await shot(page, 'tune-from-training');
    await again.locator('[data-emkit-action="cancelTuning"]').click();

    // the tuning's panel comes back, live, after the window reloads
    await reloadWindow(page);
    await page.locator('.tab', { hasText: `Tuning ${NAME}` }).click({ timeout: 60_000 });
    const revived = await frameWith(page, '.emkit-tuning-view .emkit-trials tr[data-trial]');
    await expect.poll(() => revived.locator('.emkit-trials tr[data-trial]').count(), { timeout: 20_000 }).toBe(TRIALS);
    await shot(page, 'after-reload');
  }, 400_000);
});
