// Datasets and recipes in real JupyterLab (from PyPI, with the wheel `npm run setup` installs),
// against a real bridge whose real scanner reads the data, driven in Debian's headless Chromium:
// the panel's Datasets and Recipes sections, a table's preview opened from its row, and a
// class-folder tree uploaded from the file browser's context menu, then previewed with its
// thumbnails; then both previews again once JupyterLab speaks Korean. Screenshots under
// test-artifacts/e2e-jupyterlab-datasets/.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { runSweep, SWEEP } from '../support/comparison.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, failedStep, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'PIL'));

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-jupyterlab-datasets');
const pageErrors: string[] = [];

const panel = () => page.locator('.emkit-Sidebar');
const preview = () => page.locator('.emkit-dataset-view:visible');

/** Iris as scikit-learn ships it, as a CSV; and class folders of small PNGs (one per colour) in the lab's folder. */
function makeData(csv: string, folder: string): void {
  const script = `
import sys
from pathlib import Path
from PIL import Image
from sklearn.datasets import load_iris
load_iris(as_frame=True).frame.to_csv(sys.argv[1], index=False)
for name, colour in (("circle", (200, 40, 40)), ("square", (40, 40, 200))):
    folder = Path(sys.argv[2]) / name
    folder.mkdir(parents=True)
    for i in range(4):
        Image.new("RGB", (24 + 4 * i, 24), colour).save(folder / f"{name}-{i}.png")
`;
  execFileSync(venvPython, ['-c', script, csv, folder]);
}

async function showSidebar(id: 'emkit-sidebar' | 'filebrowser'): Promise<void> {
  const tab = page.locator(`.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="${id}"]`);
  await tab.waitFor({ timeout: 30_000 });
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

describe.skipIf(skipReason !== '')(`datasets and recipes in JupyterLab${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-datasets-');
    const home = tempDir('emkit-e2e-datasets-home-');
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    const labDir = join(work, 'lab');
    lab = await startJupyterLab(labDir, { ...env, EMKIT_HOME: home });
    bridge = await startBridge({ home, args: ['--cors-origin', lab.origin] });
    const csv = join(work, 'iris.csv');
    makeData(csv, join(labDir, 'notebooks', 'shapes'));
    writeFileSync(join(labDir, 'notebooks', 'README.txt'), 'not a dataset\n');
    await bridge.client.api.createDataset({ body: { name: 'iris', path: csv } });
    // one real COMPLETE training, to save as a recipe
    await runSweep(bridge.client, work, SWEEP.slice(0, 1));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
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

  it('lists the datasets with their newest version, kind and size, and the built-in recipes first', async () => {
    await page.goto(lab.labUrl());
    await page.locator('#jp-main-dock-panel').waitFor({ timeout: 60_000 });
    await showSidebar('emkit-sidebar');
    const iris = panel().locator('[data-emkit-kind="dataset"][data-emkit-name="iris"]');
    await iris.waitFor({ timeout: 20_000 });
    expect(await iris.textContent()).toMatch(/v1 · table · 150 rows · \d+\.\d KiB/);
    const recipes = await panel()
      .locator('[data-emkit-section="recipes"] [data-emkit-kind="recipe"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-emkit-name')));
    expect(recipes.slice(0, 6)).toEqual([
      'image-classification',
      'text-classification',
      'audio-classification',
      'number-classification',
      'number-prediction',
      'clustering',
    ]);
  });

  it("opens a table's preview from its row: columns with their types, the first rows", async () => {
    await panel().locator('[data-emkit-kind="dataset"][data-emkit-name="iris"] .emkit-Row-open').click();
    const view = preview();
    await view.waitFor({ timeout: 20_000 });
    await expect.poll(() => view.locator('.emkit-dataset-columns tbody tr').count(), { timeout: 20_000 }).toBe(5);
    expect(await view.locator('[data-column="target"] td').allTextContents()).toEqual(['target', 'integer', '0', '3']);
    expect(await view.locator('.emkit-dataset-rows tbody tr').count()).toBe(20);
    expect(await view.locator('.emkit-dataset-summary').textContent()).toMatch(/^table \(csv\) · .* · 1 files · copied in$/);
    expect(await page.locator('#jp-main-dock-panel .lm-TabBar-tabLabel').allTextContents()).toContain('Dataset iris');
    await shot(page, 'iris-preview');
  });

  it("uploads a folder from the file browser's context menu, then previews its classes with thumbnails", async () => {
    await showSidebar('filebrowser');
    const folder = page.locator('.jp-DirListing-item[data-isdir="true"]', { hasText: 'shapes' });
    await folder.waitFor({ timeout: 20_000 });
    // a file that is not a table has no upload item
    await page.locator('.jp-DirListing-item', { hasText: 'README.txt' }).click({ button: 'right' });
    await page.locator('.lm-Menu').waitFor();
    expect(await page.locator('.lm-Menu-itemLabel:visible', { hasText: 'Upload to emkit as Dataset…' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await folder.click({ button: 'right' });
    await page.locator('.lm-Menu-itemLabel', { hasText: 'Upload to emkit as Dataset…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor();
    expect(await dialog.locator('input').inputValue()).toBe('shapes');
    await shot(page, 'upload-dialog');
    await dialog.locator('.jp-mod-accept').click();
    const view = page.locator('.emkit-dataset-view:visible', { hasText: 'shapes' });
    await view.locator('[data-class="square"] img').first().waitFor({ timeout: 60_000 });
    expect(await view.locator('.emkit-dataset-class h4').allTextContents()).toEqual(['circle4 files', 'square4 files']);
    expect(await view.locator('[data-class="circle"] img').count()).toBeGreaterThan(0);
    // the panel has it too, from the bridge's event
    await showSidebar('emkit-sidebar');
    const shapes = panel().locator('[data-emkit-kind="dataset"][data-emkit-name="shapes"]');
    await shapes.waitFor({ timeout: 20_000 });
    expect(await shapes.textContent()).toContain('v1 · 2 classes');
    const dataset = await bridge.client.api.getDataset({ params: { id: 'shapes' } });
    expect([dataset.mode, dataset.source]).toEqual(['copy', null]);
    await shot(page, 'shapes-uploaded-preview');
    expect(pageErrors).toEqual([]);
  });

  it("saves a COMPLETE training as a recipe from its view's button; the Recipes section lists it", async () => {
    const name = SWEEP[0]?.name ?? '';
    const training = panel().locator(`[data-emkit-kind="training"][data-emkit-name="${name}"]`);
    await training.waitFor({ timeout: 20_000 });
    await training.locator('.emkit-Row-open').first().click();
    const view = page.locator('.emkit-training-view:visible');
    const save = view.locator('[data-emkit-action="saveRecipe"]');
    await expect.poll(() => save.isEnabled(), { timeout: 20_000 }).toBe(true);
    await save.click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor();
    await dialog.locator('input').first().fill('sweep-recipe');
    await dialog.locator('.jp-mod-accept').click();
    const recipe = panel().locator('[data-emkit-kind="recipe"][data-emkit-name="sweep-recipe"]');
    await recipe.waitFor({ timeout: 20_000 });
    expect(await recipe.textContent()).toContain(`from ${name}`);
    const saved = await bridge.client.api.getRecipe({ params: { id: 'sweep-recipe' } });
    expect([saved.builtin, saved.source?.trainingName, saved.parameters.map((p) => p.name)]).toEqual([false, name, ['lr']]);
    await shot(page, 'recipe-saved');
  });

  it('brings the preview tabs back in Korean once JupyterLab is switched to Korean: a table and class folders', async () => {
    await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Language$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /Korean/ }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.waitFor();
    await Promise.all([page.waitForEvent('load'), dialog.locator('.jp-mod-accept').click()]);

    // both preview tabs come back after the reload, titled in Korean
    const tab = (name: string) => page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: `데이터 세트 ${name}` });
    await tab('iris').click({ timeout: 60_000 });
    const iris = page.locator('.emkit-dataset-view:visible', { hasText: 'iris' });
    await expect.poll(() => iris.locator('.emkit-dataset-columns tbody tr').count(), { timeout: 20_000 }).toBe(5);
    expect(await iris.locator('.emkit-dataset-summary').textContent()).toMatch(/^표 \(csv\) · .* · 파일 1개 · 복사본$/);
    expect(await iris.locator('h3').allTextContents()).toEqual(['열 · 150행', '처음 20행']);
    expect(await iris.locator('.emkit-dataset-columns thead th').allTextContents()).toEqual(['열', '유형', '빈 값', '고유 값']);
    await shot(page, 'iris-preview-korean');

    await tab('shapes').click();
    const shapes = page.locator('.emkit-dataset-view:visible', { hasText: 'shapes' });
    await shapes.locator('[data-class="square"] img').first().waitFor({ timeout: 20_000 });
    expect(await shapes.locator('.emkit-dataset-summary').textContent()).toMatch(/^클래스 폴더 · .* · 파일 8개 · 복사본$/);
    expect(await shapes.locator('h3').allTextContents()).toEqual(['클래스 2개']);
    expect(await shapes.locator('.emkit-dataset-class h4').allTextContents()).toEqual(['circle파일 4개', 'square파일 4개']);
    await shot(page, 'shapes-preview-korean');
    expect(pageErrors).toEqual([]);
  });
});
