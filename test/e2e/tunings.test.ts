// Hyperparameter tuning in real JupyterLab (from PyPI, with the wheel `npm run setup` installs),
// against a real bridge, driven in Debian's headless Chromium: the notebook's toolbar "Tune…" opens
// the Tune form pre-filled from its parameters cell; the search is set up there (a range widened,
// the rest held fixed, the metric, random search with the median pruner, 12 trials two at a time)
// and started; the tuning's view shows the trials as they arrive, the clearly worse ones pruned
// with their step, the best one starred, the plots and importance; "Create model from best" makes
// a model version of the best trial's training; then the same in Korean. One JupyterLab and one bridge for the whole file.
// Screenshots under test-artifacts/e2e-jupyterlab-tunings/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tuning } from '@emkit/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { settledTuning } from '../support/tunings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { showEmkitSidebar, startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'optuna'));
// enough trials after the pruner's three to start from that one of them is all but sure to be pruned
const TRIALS = 12;

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
let tuning: Tuning | undefined;
const shot = screenshots('e2e-jupyterlab-tunings');
const pageErrors: string[] = [];

const form = () => page.locator('.emkit-tune-form:visible');
const view = () => page.locator('.emkit-tuning-view:visible');
const row = (key: string) => form().locator(`tr[data-key="${key}"]`);
const dialog = () => page.locator('.jp-Dialog');

/**
 * A notebook whose loss has its minimum at x = 2, logged per step with emkit.tracking and falling a
 * little each step: a trial far from 2 is worse at every step, which is what the median pruner sees.
 */
const NOTEBOOK = JSON.stringify({
  cells: [
    {
      cell_type: 'code',
      execution_count: null,
      metadata: { tags: ['parameters'] },
      outputs: [],
      source: 'x = 0.5\nsteps = 12\npause = 0.25',
    },
    {
      cell_type: 'code',
      execution_count: null,
      metadata: {},
      outputs: [],
      source: [
        'import os, pathlib, time\n',
        'from emkit.tracking import flush, log_metric\n',
        '# the "model" Create model registers: a custom predictor that answers x\n',
        '(pathlib.Path(os.environ["EM_MODEL_DIR"]) / "predict.py").write_text(\n',
        '    f"def load():\\n    return None\\n\\ndef predict(model, instances):\\n    return [{float(x)}] * len(instances)\\n"\n',
        ')\n',
        'for step in range(int(steps)):\n',
        '    log_metric("loss", (float(x) - 2) ** 2 + 1.0 / (step + 1), step)\n',
        '    flush()\n',
        '    time.sleep(float(pause))\n',
      ].join(''),
    },
  ],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5,
});

describe.skipIf(skipReason !== '')(`tuning a notebook in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-tune-');
    const home = tempDir('emkit-e2e-tune-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    writeFileSync(join(labDir, 'notebooks', 'quad.ipynb'), NOTEBOOK);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    if (tuning) await bridge?.client.api.stopTuning({ params: { id: tuning.id } }).catch(() => undefined);
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(work ?? '');
  });

  it("opens the Tune form from the notebook's toolbar, pre-filled from its parameters cell, and starts", async () => {
    await page.goto(lab.labUrl().replace('/lab?', '/lab/tree/quad.ipynb?'));
    const button = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="emkit-tune"]');
    await button.waitFor({ timeout: 60_000 });
    await showEmkitSidebar(page);
    await button.locator('button').click();
    await form().waitFor({ timeout: 20_000 });
    // a positive float: log-uniform over [x/10, x*10]; an int: from half to twice it
    await expect.poll(() => row('x').locator('[data-field="kind"]').inputValue(), { timeout: 20_000 }).toBe('loguniform');
    expect(await row('x').locator('[data-field="low"]').inputValue()).toBe('0.05');
    expect(await row('x').locator('[data-field="high"]').inputValue()).toBe('5');
    expect(await row('steps').locator('[data-field="kind"]').inputValue()).toBe('int');
    expect(await form().locator('[data-field="name"]').inputValue()).toBe('quad-tune');
    // never trained: no tags to offer, the metric is typed
    expect(await form().locator('[data-emkit-action="useMetric"]').count()).toBe(0);

    // x searched over [0, 10]; steps and pause held at the notebook's values
    await row('x').locator('[data-field="kind"]').selectOption('uniform');
    await row('x').locator('[data-field="low"]').fill('0');
    await row('x').locator('[data-field="high"]').fill('10');
    await row('steps').locator('[data-field="kind"]').selectOption('fixed');
    expect(await row('steps').locator('[data-field="values"]').inputValue()).toBe('12');
    await row('pause').locator('[data-field="kind"]').selectOption('fixed');
    await form().locator('[data-field="metric"]').fill('loss');
    await form().locator('[data-field="mode"]').selectOption('min');
    await form().locator('[data-field="algorithm"]').selectOption('random');
    await form().locator('[data-field="pruner"]').selectOption('median');
    await form().locator('[data-field="trials"]').fill(String(TRIALS));
    await form().locator('[data-field="parallel"]').fill('2');

    // a range the bridge would refuse is said beside its row, and nothing is sent
    await row('x').locator('[data-field="high"]').fill('-1');
    await form().locator('[data-emkit-action="startTuning"]').click();
    expect(await form().locator('.emkit-tune-error').textContent()).toBe('space.x: low (0) must be below high (-1).');
    expect(await row('x').getAttribute('aria-invalid')).toBe('true');
    expect((await bridge.client.api.listTunings({ query: {} })).total).toBe(0);
    await row('x').locator('[data-field="high"]').fill('10');
    await shot(page, 'tune-form');
    await form().locator('[data-emkit-action="startTuning"]').click();

    await view().waitFor({ timeout: 30_000 });
    await expect.poll(() => view().locator('.emkit-title').textContent(), { timeout: 10_000 }).toBe('quad-tune');
    const list = await bridge.client.api.listTunings({ query: {} });
    tuning = list.items[0];
    expect(tuning).toMatchObject({
      name: 'quad-tune',
      space: { x: { type: 'uniform', low: 0, high: 10 } },
      fixed: { steps: '12', pause: '0.25' },
      objective: { metric: 'loss', mode: 'min' },
      algorithm: 'random',
      pruner: 'median',
      maxTrials: TRIALS,
      parallel: 2,
    });
    expect(tuning?.source.entryPoint).toBe('quad.ipynb');
  }, 180_000);

  it('shows the trials as they arrive, the clearly worse ones pruned with their step, and the best starred', async () => {
    const id = (tuning as Tuning).id;
    const trials = view().locator('.emkit-trials tbody tr.emkit-trial');
    await expect.poll(() => trials.count(), { timeout: 120_000, intervals: [500] }).toBeGreaterThanOrEqual(2);
    await shot(page, 'trials-arriving');
    const settled = await settledTuning(bridge.client, id, 360_000);
    expect(settled.state).toBe('COMPLETE');
    await expect.poll(() => view().locator('.emkit-state').textContent(), { timeout: 20_000 }).toBe('COMPLETE');
    await expect.poll(() => trials.count(), { timeout: 20_000 }).toBe(TRIALS);

    const stored = (await bridge.client.api.listTuningTrials({ params: { id }, query: {} })).items;
    const pruned = stored.filter((t) => t.state === 'PRUNED');
    expect(pruned.length, 'trials the median pruner stopped').toBeGreaterThan(0);
    for (const trial of pruned) {
      expect(trial.stateReason).toBe(`pruned at step ${trial.prunedAtStep}`);
      const shown = view().locator(`tr[data-trial="${trial.number}"]`);
      expect(await shown.locator('.emkit-badge').textContent()).toBe(`PRUNED at step ${trial.prunedAtStep}`);
      // its training was stopped for it, saying why
      const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
      expect(training.state).toBe('STOPPED');
      expect(training.stateReason).toContain(`pruned at step ${trial.prunedAtStep}`);
    }
    const best = settled.best;
    expect(best).not.toBeNull();
    expect(pruned.map((t) => t.number)).not.toContain(best?.number);
    expect(await view().locator('.emkit-trial-best').getAttribute('data-trial')).toBe(String(best?.number));
    expect(await view().locator('.emkit-tuning-best').textContent()).toContain(`trial ${best?.number}`);
    // the plots: a line per scored trial, the best one marked
    const scored = stored.filter((t) => t.value !== null).length;
    expect(await view().locator('.emkit-parallel-line').count()).toBe(scored);
    expect(await view().locator('.emkit-parallel-best').count()).toBe(1);
    expect(await view().locator('.emkit-objective-chart canvas').count()).toBeGreaterThan(0);
    // sorted by the objective, the best comes first
    await view().locator('th[data-column="value"]').click();
    expect(await trials.first().getAttribute('data-trial')).toBe(String(best?.number));
    await view().locator('.emkit-section-trials').scrollIntoViewIfNeeded();
    await shot(page, 'tuning-view');

    // the sidebar's row says how it went
    await showEmkitSidebar(page);
    const sidebarRow = page.locator('.emkit-Sidebar [data-emkit-kind="tuning"][data-emkit-name="quad-tune"]');
    await expect.poll(() => sidebarRow.locator('.emkit-Badge').textContent(), { timeout: 20_000 }).toBe('COMPLETE');
    expect(await sidebarRow.locator('.emkit-Row-detail').textContent()).toContain(`${TRIALS}/${TRIALS} trials · best loss`);
    // and a notification says it ended, with its best
    await page.getByText('Tuning quad-tune finished: best loss').first().waitFor({ timeout: 20_000 });
    await shot(page, 'tuning-finished');
  }, 420_000);

  it('creates the model from the best trial', async () => {
    const best = (await bridge.client.api.getTuning({ params: { id: (tuning as Tuning).id } })).best;
    await view().locator('[data-emkit-action="createModel"]').click();
    await dialog().waitFor({ timeout: 20_000 });
    await dialog().locator('input[name="name"]').fill('quad-best');
    await shot(page, 'create-model');
    await dialog().locator('.jp-mod-accept').click();
    await expect
      .poll(async () => (await bridge.client.api.listModels({ query: {} })).items.some((m) => m.name === 'quad-best'), {
        timeout: 30_000,
      })
      .toBe(true);
    const created = (await bridge.client.api.listModels({ query: {} })).items.find((m) => m.name === 'quad-best');
    expect(created?.source.training?.id).toBe(best?.trainingId);
  }, 120_000);

  it("opens a trial's training from the table, and Tune… there starts from that training's values", async () => {
    const best = (await bridge.client.api.getTuning({ params: { id: (tuning as Tuning).id } })).best;
    await view().locator(`a[data-training="${best?.trainingId}"]`).click();
    const training = page.locator('.emkit-view:visible').filter({ has: page.locator('[data-emkit-action="tune"]') });
    await expect.poll(() => training.locator('.emkit-title').textContent(), { timeout: 20_000 }).toBe(best?.trainingName);
    await training.locator('[data-emkit-action="tune"]').click();
    await form().waitFor({ timeout: 20_000 });
    // the training's values: x searched around the best one, the fixed ones around theirs; its tags offered
    await expect.poll(() => row('x').locator('[data-field="kind"]').inputValue(), { timeout: 20_000 }).toBe('loguniform');
    const x = Number(best?.params.x);
    expect(await row('x').locator('[data-field="low"]').inputValue()).toBe(String(Number((x / 10).toPrecision(4))));
    expect(await form().locator('[data-emkit-action="useMetric"]').allTextContents()).toEqual(['loss']);
    expect(await form().locator('[data-field="metric"]').inputValue()).toBe('loss');
    await shot(page, 'tune-from-training');
    await form().locator('[data-emkit-action="cancelTuning"]').click();
    await expect.poll(() => form().count(), { timeout: 10_000 }).toBe(0);
  }, 120_000);

  it('speaks Korean: the Tunings section, the tuning view and the Tune form', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);

    // the reload brought the tuning's tab back, titled in Korean
    await page.locator('#jp-main-dock-panel .lm-TabBar-tabLabel', { hasText: '튜닝 quad-tune' }).waitFor({ timeout: 30_000 });
    await showEmkitSidebar(page);
    const section = page.locator('.emkit-Sidebar [data-emkit-section="tunings"]');
    expect(await section.locator('.emkit-Section-title').textContent()).toBe('튜닝');
    expect(await section.locator('.emkit-Row-detail').textContent()).toContain(`시도 ${TRIALS}/${TRIALS} · 최고 loss`);
    await section.locator('.emkit-Row-open').first().click();
    await view().waitFor({ timeout: 20_000 });
    expect(await view().locator('[data-emkit-action="createModel"]').textContent()).toBe('최고 시도로 모델 만들기');
    const pruned = view().locator('tr[data-state="PRUNED"] .emkit-badge').first();
    await expect.poll(() => pruned.textContent(), { timeout: 20_000 }).toMatch(/^스텝 \d+에서 가지치기됨$/);
    await shot(page, 'tuning-view-ko');

    // the section's + tunes the notebook in front
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'quad.ipynb' }).click();
    await section.locator('.emkit-Section-actions button').click();
    await expect
      .poll(() => form().locator('[data-emkit-action="startTuning"]').textContent(), { timeout: 20_000 })
      .toBe('튜닝 시작');
    await shot(page, 'tune-form-ko');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
