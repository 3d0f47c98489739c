// Datasets and recipes in real VS Code (code-server in headless Chromium), against a real bridge
// whose real scanner reads the data: the Datasets and Recipes trees, a table's preview opened
// from its row, and a class-folder tree uploaded from the explorer's context menu, then
// previewed with its thumbnails. Screenshots under test-artifacts/vscode-datasets/.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failedStep, screenshots } from '../e2e/support/browser.js';
import { runSweep, SWEEP } from '../support/comparison.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { vscodeSkipReason } from './support/code-server.js';
import { answer, openWorkbench, palette, pick, treeRows, type Workbench, webview } from './support/workbench.js';

const skipReason =
  vscodeSkipReason({ scikitLearn: true }) ||
  (pythonHas(venvPython, 'PIL') ? '' : ' (SKIPPED: Pillow is not installed in .venv: npm run setup)');

/** Iris as scikit-learn ships it, as a CSV; and class folders of small PNGs in the open folder. */
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

describe.skipIf(skipReason !== '')(`datasets and recipes in VS Code${skipReason}`, () => {
  let workbench: Workbench;
  let page: Page;
  const shot = screenshots('vscode-datasets');

  beforeAll(async () => {
    workbench = await openWorkbench({ prepare: (work) => makeData(join(work, 'iris.csv'), join(work, 'shapes')) });
    page = workbench.page;
    await workbench.bridge.client.api.createDataset({ body: { name: 'iris', path: join(workbench.work, 'iris.csv') } });
    // one real COMPLETE training, to save as a recipe
    await runSweep(workbench.bridge.client, workbench.work, SWEEP.slice(0, 1));
  }, 240_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, failedStep(task.name));
  });

  afterAll(() => workbench?.close());

  it("lists the datasets and the built-in recipes; a dataset's row opens its preview", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    const iris = treeRows(page).filter({ hasText: /^iris/ });
    await iris.first().waitFor({ timeout: 30_000 });
    expect(await iris.first().textContent()).toMatch(/v1 · table · 150 rows · \d+\.\d KiB/);
    await treeRows(page)
      .filter({ hasText: /^image-classification/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await iris.first().click();
    await page.locator('.tab', { hasText: 'Dataset iris' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => webview(page, '.emkit-dataset-columns'), { timeout: 30_000 }).toContain('integer');
    await shot(page, 'iris-preview');
  });

  it("uploads a folder from the explorer's context menu, then previews its classes", async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
    const rows = page.locator('.explorer-folders-view .monaco-list-row');
    const folder = rows.filter({ hasText: /^shapes$/ });
    await folder.first().waitFor({ timeout: 20_000 });
    // the explorer still adds the folders the set-up wrote (sweep-src): a row clicked while the
    // list reflows is its neighbour, so wait for the list to hold still, and check the row taken
    const listed = () => rows.allTextContents().then((texts) => texts.join('|'));
    let before = '';
    const unchanged = async () => {
      const now = await listed();
      const same = now === before;
      before = now;
      return same;
    };
    await expect.poll(unchanged, { intervals: [700], timeout: 20_000 }).toBe(true);
    await folder.first().click({ button: 'right' });
    expect(await rows.and(page.locator('.focused')).first().textContent()).toBe('shapes');
    const item = page.locator('.monaco-menu .action-label', { hasText: 'Upload as Dataset…' });
    await item.hover();
    // the menu takes no click in its first moments (the right-click's own mouseup would choose an item)
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    expect(await answer(page)).toBe('shapes');
    await page.locator('.tab', { hasText: 'Dataset shapes' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => webview(page, '.emkit-section-classes'), { timeout: 30_000 }).toContain('circle4 files');
    const dataset = await workbench.bridge.client.api.getDataset({ params: { id: 'shapes' } });
    expect([dataset.mode, dataset.source, dataset.latest.schema.classes.map((c) => c.count)]).toEqual(['copy', null, [4, 4]]);
    await page.locator('.activitybar .action-item a[aria-label^="emkit"]').click();
    await treeRows(page)
      .filter({ hasText: /^shapes/ })
      .first()
      .waitFor({ timeout: 20_000 });
    await shot(page, 'shapes-uploaded-preview');
  });

  it('saves a COMPLETE training as a recipe from the palette; the Recipes tree lists it', async () => {
    const name = SWEEP[0]?.name ?? '';
    await palette(page, 'emkit: Save as Recipe…');
    await pick(page, name);
    expect(await answer(page, 'vs-recipe')).toBe(name);
    await expect
      .poll(() => workbench.bridge.client.api.getRecipe({ params: { id: 'vs-recipe' } }).catch(() => null), {
        timeout: 20_000,
      })
      .toMatchObject({ builtin: false, source: { trainingName: name } });
    // the Recipes pane shows about six rows: scroll it to its seventh
    await treeRows(page)
      .filter({ hasText: /^image-classification/ })
      .first()
      .hover();
    await page.mouse.wheel(0, 400);
    const row = treeRows(page)
      .filter({ hasText: /^vs-recipe/ })
      .first();
    await row.waitFor({ timeout: 20_000 });
    expect(await row.textContent()).toContain(`from ${name}`);
    await shot(page, 'recipe-saved');
  });
});
