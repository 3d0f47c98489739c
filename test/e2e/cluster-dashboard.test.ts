// A cluster's Ray dashboard from JupyterLab's own controls, in real JupyterLab + a real bridge +
// a real (one-node) Ray cluster started with `emkit cluster up` + headless Chromium: the button
// on the cluster's sidebar row opens a tab with the dashboard through the bridge's proxy, the
// dashboard's own pages load their data through it, and no token is in any address.
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { hasProc } from '../support/processes.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const hasRay = hasProc && pythonHas(venvPython, 'ray');
const skipReason = hasRay
  ? e2eSkipReason(true)
  : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)';

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-cluster-dashboard');

describe.skipIf(skipReason !== '')(`a cluster's Ray dashboard in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-dashboard-');
    const home = tempDir('emkit-e2e-dashboard-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin, '--cluster-poll', '1'] });
    // one node is all a dashboard needs: the head serves it
    const up = await emkitCli(bridge, 'cluster', 'up', 'dash', '--nodes', '1', '--cpus-per-node', '1', '--memory-mb', '512');
    if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  }, 300_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.client.api.deleteCluster({ params: { id: 'dash' } }).catch(() => {});
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    removeDir(work ?? '');
  }, 60_000);

  it("opens from the cluster's sidebar row in a tab, with the cluster's nodes, and no token in its address", async () => {
    await page.goto(lab.labUrl());
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
    const row = page.locator('.emkit-Sidebar [data-emkit-kind="cluster"][data-emkit-name="dash"]');
    await expect.poll(() => row.locator('.emkit-Badge').first().textContent(), { timeout: 60_000 }).toBe('REACHABLE');
    await shot(page, 'sidebar');

    // a row's actions show on hover, as a user finds them
    await row.locator('.emkit-Row').first().hover();
    await row.getByRole('button', { name: 'Open the Ray dashboard of dash' }).click();
    const iframe = page.locator('.emkit-RayDashboard iframe');
    await iframe.waitFor({ timeout: 30_000 });
    expect(await iframe.getAttribute('src')).toMatch(/\/clusters\/[\w-]+\/dashboard\/\?ticket=/);
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: 'Ray Dashboard: dash' }).waitFor({ timeout: 10_000 });
    let frame: Frame | undefined;
    await expect
      .poll(
        async () => {
          frame = page.frames().find((f) => f.url().includes('/dashboard/'));
          return frame ? frame.title() : '';
        },
        { timeout: 60_000, intervals: [1000] },
      )
      .toBe('Ray Dashboard');
    const dashboard = frame as Frame;
    // the ticket was spent for a session cookie and taken out of the address; no token anywhere
    expect(dashboard.url()).not.toContain('ticket=');
    expect(dashboard.url()).not.toContain(bridge.token);
    // the overview, drawn from Ray's API through the proxy (no "enter your token" dialog)
    await dashboard.getByText('Cluster status and autoscaler').first().waitFor({ timeout: 60_000 });
    expect(await dashboard.getByText('Token authentication is enabled').count()).toBe(0);
    await page.waitForTimeout(2000);
    await shot(page, 'dashboard-overview');

    // its Cluster page lists the node, read from Ray's state API through the proxy
    await dashboard.evaluate(() => {
      window.location.hash = '#/cluster';
    });
    await dashboard.getByText('127.0.0.2').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1000);
    await shot(page, 'dashboard-cluster-nodes');
  });
});
