// The %emkit magics in a real notebook in real JupyterLab (the .venv's, whose python3 kernel
// imports emkit), against a real bridge, in Debian's headless Chromium: the whole loop from
// cells, read off the page as a user reads it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonJson } from '../support/endpoints.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { e2eSkipReason, launchChromium, screenshots } from './support/browser.js';
import { startJupyterLab, type TestJupyterLab } from './support/jupyterlab.js';

const skipReason = e2eSkipReason(pythonHas(venvPython, 'sklearn', 'joblib', 'IPython'));

const TRAIN = [
  '%%emkit train --wait --experiment e2e --name e2e-1',
  'import os, joblib',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'X, y = load_iris(return_X_y=True)',
  'joblib.dump(LogisticRegression(max_iter=300).fit(X, y), os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
  'print("trained")',
].join('\n');

const CELLS = [
  '%load_ext emkit',
  TRAIN,
  '%emkit model create --from e2e-1',
  '%emkit promote e2e 1 --alias production',
  '%emkit endpoint create e2e-api --model e2e@production',
  'from sklearn.datasets import load_iris\nX, _ = load_iris(return_X_y=True)\n%emkit predict e2e-api X[[0, 60, 120]]',
];

function notebook(cells: string[]): string {
  return JSON.stringify({
    cells: cells.map((source) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
}

let work: string;
let bridge: TestBridge;
let lab: TestJupyterLab;
let browser: Browser;
let page: Page;
const shot = screenshots('e2e-magics');

describe.skipIf(skipReason !== '')(`the %emkit magics in a JupyterLab notebook${skipReason}`, () => {
  beforeAll(async () => {
    work = tempDir('emkit-e2e-magics-');
    bridge = await startBridge({ args: ['--python', venvPython] });
    // the kernel finds the bridge the way a user's does: runtime.json in the emkit home
    const { EMKIT_URL: _url, EMKIT_TOKEN: _token, ...env } = process.env;
    lab = await startJupyterLab(join(work, 'lab'), { ...env, EMKIT_HOME: bridge.home });
    writeFileSync(join(work, 'lab', 'notebooks', 'loop.ipynb'), notebook(CELLS));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(page, 'FAILED');
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
    removeDir(work ?? '');
  });

  it('trains from a cell, registers, promotes, deploys and predicts, the predictions shown under the last cell', async () => {
    await page.goto(`${lab.origin}/lab/tree/loop.ipynb?reset&token=${lab.token}`);
    const cells = page.locator('.jp-NotebookPanel .jp-Cell');
    await expect.poll(() => cells.count(), { timeout: 60_000 }).toBe(CELLS.length);
    // the kernel is up once its status says idle
    await page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').waitFor({ timeout: 60_000 });
    await shot(page, 'notebook-open');

    // Run → Run All Cells, as a user does it. On a loaded machine the menu can open before the
    // notebook has the focus that enables the command, and then nothing runs: try again until the
    // first cell has started (its prompt shows * or a number).
    const started = cells.first().locator('.jp-InputPrompt', { hasText: /\[(\*|\d+)\]/ });
    for (let attempt = 0; attempt < 3; attempt++) {
      await cells.first().click();
      await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Run$/ }).click();
      await page.locator('.lm-Menu-itemLabel', { hasText: /^Run All Cells$/ }).click();
      if (
        await started.waitFor({ timeout: 20_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
      await page.keyboard.press('Escape');
    }

    const last = cells.nth(CELLS.length - 1);
    const result = last.locator('.jp-OutputArea-output[data-mime-type="text/plain"]');
    await result.waitFor({ timeout: 180_000 });
    await last.scrollIntoViewIfNeeded();
    await shot(page, 'predictions');

    // no cell shows an error; the training cell ended COMPLETE
    expect(await page.locator('.jp-NotebookPanel .jp-OutputArea').allTextContents()).not.toContainEqual(
      expect.stringMatching(/Traceback|Error/),
    );
    expect(await cells.nth(1).locator('.jp-OutputArea').textContent()).toContain('COMPLETE');
    // what the model itself predicts for those rows, in Python
    const model = await bridge.client.api.getModel({ params: { id: 'e2e@production' } });
    const expected = pythonJson<number[]>(`
import glob, json, os, joblib
from sklearn.datasets import load_iris
X, _ = load_iris(return_X_y=True)
model = joblib.load(glob.glob(os.path.join(${JSON.stringify(model.artifactPath)}, "*.joblib"))[0])
print(json.dumps(model.predict(X[[0, 60, 120]]).tolist()))
`);
    expect((await result.textContent())?.trim()).toBe(JSON.stringify(expected).replaceAll(',', ', '));
  }, 300_000);
});
