// Monitoring in real VS Code (code-server in headless Chromium), against a real bridge sampling
// every second: the endpoint's panel shows its worker's CPU and memory live; the stage's settings
// form in the panel turns payload logging and drift on (a reference that isn't a table refused
// beside its field first), and shifted traffic shows the shifted feature drifted and the others
// not; "Add Alert…" from the endpoint row's bell asks the series, threshold, duration, severity,
// webhook and name as QuickInput steps, and the rule's firing arrives as a notification whose
// "Open endpoint" brings the panel; the Alerts view lists the rule FIRING with its event, and its
// inline toggle turns it off and on; a running training's panel charts its rank's CPU and memory.
// Screenshots under test-artifacts/vscode-monitoring/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { activeEndpoint } from '../support/endpoints.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, clickInlineAction, input, openWorkbench, palette, pick, treeRows, type Workbench } from './support/workbench.js';

const needs = pythonHas(venvPython, 'psutil', 'scipy', 'pandas');
const skipReason =
  vscodeSkipReason() || (needs ? '' : ' (SKIPPED: psutil, scipy or pandas is not installed in .venv: npm run setup)');

/** A model of three numeric inputs a, b, c: "high" where b is over 0.5. */
const PREDICT = [
  'def load():',
  '    return None',
  '',
  'def predict(model, instances):',
  '    return ["high" if row["b"] > 0.5 else "low" for row in instances]',
  '',
].join('\n');

/** Rows like the reference (a, b, c uniform in 0..1), or with b moved up by `shift`. */
function rows(count: number, seed: number, shift = 0): { a: number; b: number; c: number }[] {
  // mulberry32: each seed its own stream, uniform from the first draw
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => ({ a: next(), b: next() + shift, c: next() }));
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

describe.skipIf(skipReason !== '')(`monitoring in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-monitoring');
  /** The endpoint's row in the Endpoints view (not the model's "sensors:1", nor its stage's) */
  const endpointRow = () =>
    treeRows(page).filter({ hasText: 'sensors' }).filter({ hasNotText: 'sensors:1' }).filter({ hasNotText: 'sensors-' }).first();

  /** `count` calls of 50 instances each through the gateway, b moved up by `shift`. */
  async function traffic(count: number, shift: number, seed = 11): Promise<void> {
    for (let i = 0; i < count; i++)
      await workbench.bridge.client.api.infer({
        params: { endpoint: 'sensors' },
        body: { instances: rows(50, seed + i, shift) },
      });
  }

  beforeAll(async () => {
    workbench = await openWorkbench({
      // sampled every second, rules read twice a second: the panel moves in seconds
      bridgeArgs: ['--python', venvPython, '--usage-interval', '1', '--alert-interval', '0.5'],
      prepare: (work) => {
        writeFileSync(join(work, 'reference.csv'), ['a,b,c', ...rows(600, 5).map((r) => `${r.a},${r.b},${r.c}`)].join('\n'));
        writeFileSync(join(work, 'reference.txt'), 'not a table\n');
        writeTree(join(work, 'model'), { 'predict.py': PREDICT });
        // a training that holds 64 MB until the test has seen it charted
        writeTree(join(work, 'holder'), {
          'train.py': [
            'import os, time',
            'block = bytearray(64 * 1024 * 1024)',
            'for i in range(0, len(block), 4096):',
            '    block[i] = 1',
            'print("holding 64 MB", flush=True)',
            `while not os.path.exists(${JSON.stringify(join(work, 'release'))}):`,
            '    time.sleep(0.05)',
          ].join('\n'),
        });
      },
    });
    page = workbench.page;
    const { client } = workbench.bridge;
    await client.api.createModel({ body: { name: 'sensors', artifactPath: join(workbench.work, 'model') } });
    await client.api.createEndpoint({ body: { name: 'sensors', model: 'sensors' } });
    await activeEndpoint(client, 'sensors');
  }, 300_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it("shows the worker's CPU and memory live in the endpoint's panel", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const row = endpointRow();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const view = await frameWith(
      page,
      '.emkit-endpoint-view .emkit-resource-table tr[data-process="default · worker 0"]',
      60_000,
    );
    const memory = async () =>
      Number(await view.locator('.emkit-resource-table tr[data-process="default · worker 0"] td').nth(3).textContent());
    await expect.poll(memory, { timeout: 20_000 }).toBeGreaterThan(5);
    await expect.poll(() => view.locator('.emkit-resource-chart[data-metric="memoryMb"] canvas').count()).toBeGreaterThan(0);
    await shot(page, 'resources');
  }, 120_000);

  it("turns payload logging and drift on from the stage's settings form, and says so on its row", async () => {
    const view = await frameWith(page, '.emkit-endpoint-view');
    const stage = view.locator('tr[data-stage="default"]');
    await stage.locator('[data-emkit-action="stageSettings"]').click();
    const form = view.locator('.emkit-stage-settings');
    await form.waitFor();
    // VS Code's own controls (vscode-elements): a select opens its list, an option is clicked
    const choose = async (field: string, option: string) => {
      await form.locator(`[data-field="${field}"]`).click();
      await form.locator(`[data-field="${field}"] li.option`, { hasText: new RegExp(`^\\s*${option}\\s*$`) }).click();
    };
    const fill = (field: string, text: string) => form.locator(`[data-field="${field}"] input`).fill(text);
    await choose('payloadLogging', 'On');
    await fill('sampleRate', '100');
    await choose('drift', 'On');
    // a reference the bridge can't read as a table is refused in its words, beside the field
    await fill('reference', join(workbench.work, 'reference.txt'));
    await fill('window', '10s');
    await form.locator('[data-emkit-action="saveStageSettings"]').click();
    await expect
      .poll(() => form.locator('.emkit-form-problem').textContent(), { timeout: 20_000 })
      .toContain("isn't a table emkit reads");
    expect(await form.locator('[data-field="reference"]').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'settings-refused');
    await fill('reference', join(workbench.work, 'reference.csv'));
    await form.locator('[data-emkit-action="saveStageSettings"]').click();
    await form.waitFor({ state: 'hidden', timeout: 20_000 });
    await expect
      .poll(() => stage.locator('.emkit-payload-logging').textContent(), { timeout: 20_000 })
      .toBe('payload logging on (100 %)');
    const saved = await workbench.bridge.client.api.getEndpoint({ params: { id: 'sensors' } });
    expect(saved.stages[0]).toMatchObject({ payloadLogging: { enabled: true, sampleRate: 1 }, drift: { window: '10s' } });
    await shot(page, 'settings-saved');
  }, 120_000);

  it('shows the shifted feature drifted, and the others not, after shifted traffic', async () => {
    const view = await frameWith(page, '.emkit-endpoint-view');
    await traffic(6, 0.8);
    await expect
      .poll(
        async () => {
          await view.locator('[data-emkit-action="refreshMonitoring"]').click();
          return view.locator('.emkit-drift-table tbody tr[data-feature="b"]').getAttribute('data-drifted', { timeout: 2000 });
        },
        { timeout: 90_000, intervals: [2000] },
      )
      .toBe('true');
    for (const feature of ['a', 'c'])
      expect(await view.locator(`.emkit-drift-table tbody tr[data-feature="${feature}"]`).getAttribute('data-drifted')).toBe(
        'false',
      );
    await view.locator('.emkit-section-drift').scrollIntoViewIfNeeded();
    await shot(page, 'drift');
  }, 180_000);

  it("charts a running training's CPU and memory in its panel", async () => {
    const { client } = workbench.bridge;
    await client.api.createExperiment({ body: { name: 'usage' } });
    const training = await client.api.createTraining({
      body: { name: 'holder', source: { path: join(workbench.work, 'holder', 'train.py') }, experiment: 'usage' },
    });
    try {
      await palette(page, 'Open Training Panel');
      await pick(page, 'holder');
      const view = await frameWith(page, '.emkit-training-view .emkit-resource-table tr[data-process="rank 0"]', 90_000);
      const memory = async () =>
        Number(await view.locator('.emkit-resource-table tr[data-process="rank 0"] td').nth(3).textContent());
      // the rank holds 64 MB over what Python takes
      await expect.poll(memory, { timeout: 60_000 }).toBeGreaterThan(64);
      await expect
        .poll(() => view.locator('.emkit-training-view .emkit-resource-chart[data-metric="memoryMb"] canvas').count())
        .toBeGreaterThan(0);
      await view.locator('.emkit-section-resources').scrollIntoViewIfNeeded();
      await shot(page, 'training-resources');
    } finally {
      writeFileSync(join(workbench.work, 'release'), '');
    }
    expect((await settledTraining(client, training.id)).state).toBe('COMPLETE');
  }, 240_000);

  it("adds an alert from the endpoint row's bell; its firing arrives as a notification that opens the endpoint", async () => {
    const row = endpointRow();
    await clickInlineAction(row, 'Add Alert');
    // a click while the tree re-renders reaches the command without its row (VS Code drops the
    // handle): it then asks which endpoint, as from the palette
    await input(page).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(300);
    if ((await input(page).getAttribute('placeholder')) === 'Add an alert on which endpoint?') await pick(page, 'sensors');
    await pick(page, 'p99 latency (ms)');
    expect(await answer(page, '0')).toBe('500');
    expect(await answer(page, '1')).toBe('60');
    await pick(page, 'critical');
    await answer(page, '');
    await shot(page, 'alert-name');
    expect(await answer(page)).toBe('sensors-latency');
    // the command creates it once the last step is answered
    const { client } = workbench.bridge;
    await expect
      .poll(() =>
        client.api.getAlertRule({ params: { id: 'sensors-latency' } }).then(
          () => true,
          () => false,
        ),
      )
      .toBe(true);
    const rule = await client.api.getAlertRule({ params: { id: 'sensors-latency' } });
    expect(rule).toMatchObject({ series: 'endpoint.p99LatencyMs', op: '>', threshold: 0, forSeconds: 1, severity: 'critical' });

    // another editor in front: the notification's button is what brings the endpoint back
    await page.keyboard.press('Control+K');
    await page.keyboard.press('W');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Alert sensors-latency is firing' });
    await expect
      .poll(
        async () => {
          await traffic(2, 0);
          return toast.count();
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBeGreaterThan(0);
    await toast.first().hover();
    await page.waitForTimeout(500); // the toast's fade-in, for the screenshot
    await shot(page, 'alert-notification');
    await toast.first().locator('.monaco-button', { hasText: 'Open endpoint' }).click();
    await frameWith(page, '.emkit-endpoint-view', 20_000);
    await page.locator('.tab.active', { hasText: 'sensors' }).waitFor({ timeout: 20_000 });
    // the Alerts view in sight: the views this test doesn't use folded, as a user does
    for (const view of ['Environments', 'Datasets', 'Recipes', 'Experiments', 'Models', 'Clusters']) {
      const header = page.locator('.pane-header[aria-expanded="true"]', { hasText: view });
      if (await header.count()) await header.first().click();
    }
    // the rule FIRING while the traffic goes on (with none it has no data and resolves)
    const alert = treeRows(page).filter({ hasText: 'sensors-latency' }).first();
    await alert.scrollIntoViewIfNeeded();
    await expect
      .poll(
        async () => {
          await traffic(1, 0);
          return alert.textContent();
        },
        { timeout: 20_000, intervals: [300] },
      )
      .toContain('FIRING');
    // its firing under it (the twistie: a click on the row opens its endpoint)
    await alert.locator('.monaco-tl-twistie').click();
    await expect
      .poll(() =>
        treeRows(page)
          .filter({ hasText: /^FIRING \d{4}-/ })
          .count(),
      )
      .toBeGreaterThan(0);
    await shot(page, 'alerts-view');

    // the rule's inline toggle: off (it reads "off" and isn't read any more), then on again
    const { client: bridgeClient } = workbench.bridge;
    await clickInlineAction(alert, 'Turn Alert Off');
    await expect
      .poll(() => bridgeClient.api.getAlertRule({ params: { id: 'sensors-latency' } }).then((r) => r.enabled))
      .toBe(false);
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('off');
    await shot(page, 'alert-off');
    await clickInlineAction(alert, 'Turn Alert On');
    await expect
      .poll(() => bridgeClient.api.getAlertRule({ params: { id: 'sensors-latency' } }).then((r) => r.enabled))
      .toBe(true);
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).not.toContain('off');
  }, 180_000);
});
