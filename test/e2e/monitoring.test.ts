// Monitoring in real JupyterLab (from PyPI, with the wheel `npm run setup` installs), against a
// real bridge sampling every second, driven in Debian's headless Chromium: the endpoint view
// shows its worker's CPU and memory live; the stage's settings form turns payload logging and
// drift on against a reference table; shifted traffic then shows the shifted feature drifted
// (and the unshifted not) in the view's drift table; labels sent back show the accuracy per
// window in its model quality; an alert rule made from the view's
// "Add alert…" fires on that traffic, and its notification opens the endpoint. Screenshots
// under test-artifacts/e2e-jupyterlab-monitoring/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint } from '../support/endpoints.js';
import { pythonHas, venvPython, writeTree } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'psutil', 'scipy', 'pandas'));

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-monitoring');
const pageErrors: string[] = [];

const endpointView = () => page.locator('.emkit-endpoint-view:visible');
const dialog = () => page.locator('.jp-Dialog');

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

/** `count` calls of 50 shifted (or unshifted) instances each, through the gateway as any caller's. */
async function traffic(count: number, shift: number, seed = 7): Promise<void> {
  for (let i = 0; i < count; i++)
    await bridge.client.api.infer({ params: { endpoint: 'sensors' }, body: { instances: rows(50, seed + i, shift) } });
}

describe.skipIf(skipReason !== '')(`monitoring in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-monitoring-');
    const home = tempDir('emkit-e2e-monitoring-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: home });
    // sampled every second, rules read twice a second: the views move in seconds
    bridge = await startBridge({
      home,
      args: ['--cors-origin', lab.origin, '--python', venvPython, '--usage-interval', '1', '--alert-interval', '0.5'],
    });
    const reference = join(work, 'reference.csv');
    writeFileSync(reference, ['a,b,c', ...rows(600, 3).map((r) => `${r.a},${r.b},${r.c}`)].join('\n'));
    const model = writeTree(join(work, 'model'), { 'predict.py': PREDICT });
    await bridge.client.api.createModel({ body: { name: 'sensors', artifactPath: model } });
    await bridge.client.api.createEndpoint({ body: { name: 'sensors', model: 'sensors' } });
    await activeEndpoint(bridge.client, 'sensors');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1100 } });
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

  it("shows the worker's CPU and memory live in the endpoint view", async () => {
    await page.goto(lab.labUrl());
    await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
    await showSidebar();
    await page.locator('.emkit-Sidebar [data-emkit-kind="endpoint"][data-emkit-name="sensors"] .emkit-Row-open').click();
    const view = endpointView();
    await view.waitFor({ timeout: 20_000 });
    const worker = view.locator('.emkit-resource-table tr[data-process="default · worker 0"]');
    await worker.waitFor({ timeout: 30_000 });
    // memory is a Python process's: tens of MB at least, and the chart has lines once samples come
    const memory = async () => Number(await worker.locator('td').nth(3).textContent());
    await expect.poll(memory, { timeout: 20_000 }).toBeGreaterThan(5);
    await expect.poll(() => view.locator('.emkit-resource-chart[data-metric="memoryMb"] canvas').count()).toBeGreaterThan(0);
    await shot(page, 'resources');
  }, 180_000);

  it("turns payload logging and drift on from the stage's settings, and says so on its row", async () => {
    const view = endpointView();
    const stage = view.locator('tr[data-stage="default"]');
    await stage.locator('[data-emkit-action="stageSettings"]').click();
    const form = view.locator('.emkit-stage-settings');
    await form.waitFor();
    await form.locator('[data-field="payloadLogging"]').selectOption('on');
    await form.locator('[data-field="sampleRate"]').fill('100');
    await form.locator('[data-field="drift"]').selectOption('on');
    // a reference the bridge can't read as a table is refused in its words, beside the field
    await form.locator('[data-field="reference"]').fill(join(work, 'reference.txt'));
    await form.locator('[data-field="window"]').fill('10s');
    await form.locator('[data-emkit-action="saveStageSettings"]').click();
    await expect
      .poll(() => form.locator('.emkit-form-problem').textContent(), { timeout: 20_000 })
      .toContain("isn't a table emkit reads");
    expect(await form.locator('[data-field="reference"]').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'settings-refused');
    await form.locator('[data-field="reference"]').fill(join(work, 'reference.csv'));
    await form.locator('[data-emkit-action="saveStageSettings"]').click();
    await form.waitFor({ state: 'hidden', timeout: 20_000 });
    await expect
      .poll(() => stage.locator('.emkit-payload-logging').textContent(), { timeout: 20_000 })
      .toBe('payload logging on (100 %)');
    const saved = await bridge.client.api.getEndpoint({ params: { id: 'sensors' } });
    expect(saved.stages[0]).toMatchObject({ payloadLogging: { enabled: true, sampleRate: 1 }, drift: { window: '10s' } });
  }, 120_000);

  it('shows the shifted feature drifted, and the others not, after shifted traffic', async () => {
    const view = endpointView();
    await traffic(6, 0.8);
    const drifted = view.locator('.emkit-drift-table tbody tr[data-drifted="true"]');
    await expect
      .poll(
        async () => {
          await view.locator('[data-emkit-action="refreshMonitoring"]').click();
          return view.locator('.emkit-drift-table tbody tr[data-feature="b"]').getAttribute('data-drifted', { timeout: 2000 });
        },
        { timeout: 90_000, intervals: [2000] },
      )
      .toBe('true');
    expect(await view.locator('.emkit-drift-table tbody tr[data-feature="a"]').getAttribute('data-drifted')).toBe('false');
    expect(await view.locator('.emkit-drift-table tbody tr[data-feature="c"]').getAttribute('data-drifted')).toBe('false');
    expect(await drifted.first().getAttribute('data-feature')).toBe('b');
    expect(await view.locator('.emkit-drift-summary').textContent()).toMatch(/^Drifted: b\b/);
    await view.locator('.emkit-section-drift').scrollIntoViewIfNeeded();
    await shot(page, 'drift');
  }, 180_000);

  it("shows accuracy from the labels sent back, per window, in the view's model quality", async () => {
    const view = endpointView();
    const logged = await bridge.client.api.listEndpointPayloads({ params: { id: 'sensors' }, query: { limit: 20 } });
    // every logged prediction labelled "low": the shifted inputs' "high" answers were wrong
    const items = logged.items.flatMap((payload) =>
      (payload.predictions as string[]).map((_, index) => ({ inferenceId: payload.inferenceId, index, label: 'low' })),
    );
    expect(items.length).toBeGreaterThan(0);
    await bridge.client.api.sendEndpointFeedback({ params: { id: 'sensors' }, body: { items } });
    await view.locator('[data-emkit-action="refreshMonitoring"]').click();
    const accuracy = view.locator('.emkit-quality-table tbody tr').last().locator('td[data-metric="accuracy"]');
    await expect.poll(async () => Number(await accuracy.textContent()), { timeout: 20_000 }).toBeLessThan(1);
    // no evaluation of this model to compare with: the window's figures are said as they are
    expect(await view.locator('.emkit-quality-summary').textContent()).toMatch(/^Latest window: accuracy [\d.]+, f1 [\d.]+$/);
    await view.locator('.emkit-section-quality').scrollIntoViewIfNeeded();
    await shot(page, 'model-quality');
  }, 60_000);

  it('makes an alert rule from the view, and its notification arrives and opens the endpoint', async () => {
    const view = endpointView();
    // from the stage's row: the rule watches that stage
    await view.locator('tr[data-stage="default"] [data-emkit-action="addAlert"]').click();
    // the series first, then the rule's form
    await dialog().locator('select').selectOption({ label: 'p99 latency (ms)' });
    await dialog().locator('.jp-mod-accept').click();
    await dialog().locator('input[name="threshold"]').waitFor();
    expect(await dialog().locator('input[name="name"]').inputValue()).toBe('sensors-default-latency');
    expect(await dialog().locator('select[name="stage"]').inputValue()).toBe('default');
    await dialog().locator('input[name="threshold"]').fill('0');
    await dialog().locator('input[name="forSeconds"]').fill('1');
    await dialog().locator('select[name="severity"]').selectOption('critical');
    await shot(page, 'alert-form');
    await dialog().locator('.jp-mod-accept').click();
    await dialog().waitFor({ state: 'detached' });
    const rule = await bridge.client.api.getAlertRule({ params: { id: 'sensors-default-latency' } });
    expect(rule).toMatchObject({
      series: 'endpoint.p99LatencyMs',
      stage: 'default',
      op: '>',
      threshold: 0,
      forSeconds: 1,
      severity: 'critical',
    });

    // the view stays out of the way while the notification comes: another tab in front
    await page
      .locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Launcher' })
      .first()
      .click()
      .catch(() => undefined);
    const toast = page.getByText(/^Alert sensors-default-latency is firing: /).first();
    await expect
      .poll(
        async () => {
          await traffic(2, 0);
          return toast.isVisible();
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBe(true);
    // the toast slides in from the right: shot once it is all in sight
    const box = page.locator('.Toastify__toast', { hasText: 'Alert sensors-default-latency is firing' }).first();
    await expect
      .poll(async () => {
        const at = await box.boundingBox();
        return at !== null && at.x + at.width <= 1500;
      })
      .toBe(true);
    await page.waitForTimeout(300);
    await shot(page, 'alert-notification');
    await page.getByRole('button', { name: 'Open endpoint' }).first().click();
    await endpointView().waitFor({ timeout: 10_000 });
    await showSidebar();
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="alert"][data-emkit-name="sensors-default-latency"]');
    // FIRING while the traffic goes on (with none the series has no data and the rule resolves)
    await expect
      .poll(
        async () => {
          await traffic(1, 0);
          return row.locator('.emkit-Badge').first().textContent();
        },
        { timeout: 20_000, intervals: [300] },
      )
      .toBe('FIRING');
    expect(await row.locator('[data-emkit-kind="alert-event"]').first().textContent()).toContain('FIRING');
    await shot(page, 'alert-in-sidebar');

    // its bell turns it off (the badge says so, the bridge has it off), and on again
    const enabled = () => bridge.client.api.getAlertRule({ params: { id: 'sensors-default-latency' } }).then((r) => r.enabled);
    // a row's buttons show under the pointer
    await row.locator('.emkit-Row').first().hover();
    await row.locator('[aria-label="Turn alert sensors-default-latency off"]').click();
    await expect.poll(enabled).toBe(false);
    await expect.poll(() => row.locator('.emkit-Badge').first().textContent(), { timeout: 20_000 }).toBe('off');
    await shot(page, 'alert-off-in-sidebar');
    await row.locator('.emkit-Row').first().hover();
    await row.locator('[aria-label="Turn alert sensors-default-latency on"]').click();
    await expect.poll(enabled).toBe(true);
    await expect.poll(() => row.locator('.emkit-Badge').first().textContent(), { timeout: 20_000 }).not.toBe('off');
  }, 180_000);

  it("speaks Korean: the endpoint view's monitoring and the Alerts section", async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    await dialog().waitFor();
    await Promise.all([page.waitForEvent('load'), dialog().locator('.jp-mod-accept').click()]);
    await showSidebar();
    expect(await page.locator('.emkit-Sidebar [data-emkit-section="alerts"] .emkit-Section-title').textContent()).toBe('알림');
    // the rule's toggle, in Korean too
    expect(
      await page
        .locator('.emkit-Sidebar [data-emkit-kind="alert"][data-emkit-name="sensors-default-latency"] .emkit-IconButton')
        .first()
        .getAttribute('aria-label'),
    ).toBe('알림 sensors-default-latency 끄기');
    await page.locator('.emkit-Sidebar [data-emkit-kind="endpoint"][data-emkit-name="sensors"] .emkit-Row-open').click();
    const view = endpointView();
    await view.waitFor({ timeout: 20_000 });
    expect(await view.locator('.emkit-section-drift h3').textContent()).toBe('데이터 드리프트');
    expect(await view.locator('.emkit-section-resources h3').textContent()).toBe('워커: CPU와 메모리');
    await expect
      .poll(() => view.locator('tr[data-stage="default"] .emkit-payload-logging').textContent(), { timeout: 20_000 })
      .toBe('페이로드 로깅 켜짐(100 %)');
    expect(await view.locator('tr[data-stage="default"] [data-emkit-action="deactivateStage"]').textContent()).toBe('비활성화');
    await view.locator('[data-emkit-action="refreshMonitoring"]').click();
    // which windows the answer holds by now depends on the clock (the alert test's traffic, windows
    // closing): whichever summary it is, it is said in Korean
    await expect
      .poll(() => view.locator('.emkit-drift-summary').textContent(), { timeout: 20_000 })
      .toMatch(/^(드리프트 발생: |최근 판정 구간에서 드리프트가 발생한 특성이 없습니다\.|아직 판정하지 않음: )/);
    await view.locator('.emkit-section-drift').scrollIntoViewIfNeeded();
    await shot(page, 'endpoint-view-ko');
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
