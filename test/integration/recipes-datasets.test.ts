import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassificationResult, Dataset, Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, settledTraining, venvPython } from '../support/trainings.js';

/**
 * The image and audio built-ins trained from a dataset NAME, as the no-code form sends it:
 * a class-folder dataset made with POST /datasets (copy mode), `train: "name"` pinned to
 * `name:1` in the training record, the data read from the copy (the user's folder is gone
 * by then), the holdout evaluation there when the training ends. And a referenced class
 * folder changed after its preview: the recipe's training is refused naming the version.
 * Small data and few epochs: this is about the dataset path, recipes-types.test.ts has the
 * accuracy bars.
 */

const pythonTests = join(repoRoot, 'server-bridge', 'python', 'tests');
const torch = pythonHas(venvPython, 'torch', 'PIL', 'scipy', 'sklearn');
const espeak = spawnSync('espeak-ng', ['--version']).status === 0;
const noTorch = torch ? '' : ' (SKIPPED: PyTorch, Pillow, SciPy or scikit-learn is not installed in .venv)';
const noAudio = noTorch || (espeak ? '' : ' (SKIPPED: espeak-ng is not installed: no spoken words to train on)');
const noScanner = pythonHas(venvPython, 'PIL') ? '' : ' (SKIPPED: Pillow is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-recipes-datasets-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const api = () => bridge.client.api;

/** Writes data at `work/name` with `call`, a Python expression of `path` using the tests' makers. */
function makeData(name: string, call: string): string {
  const path = join(work, name);
  const script = [
    'import sys',
    'from pathlib import Path',
    `sys.path.insert(0, ${JSON.stringify(pythonTests)})`,
    'import media_data',
    'path = Path(sys.argv[1])',
    call,
  ].join('\n');
  const run = spawnSync(venvPython, ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making ${name} failed:\n${run.stderr}`);
  return path;
}

/** A copy-mode dataset of `folder`; the folder is removed after, so a training can only read the copy. */
async function copiedIn(name: string, folder: string): Promise<Dataset> {
  const dataset = await api().createDataset({ body: { name, path: folder } });
  expect(dataset).toMatchObject({ mode: 'copy', latest: { version: 1, schema: { kind: 'class-folders' } } });
  removeDir(folder);
  return dataset;
}

/** Trains the built-in `type` on the dataset named `dataset` to COMPLETE; its holdout classification. */
async function trainFromRef(
  type: string,
  dataset: string,
  hyperparameters: Record<string, string>,
): Promise<{ training: Training; result: ClassificationResult; rows: number }> {
  const submitted = await api().trainRecipe({
    params: { id: type },
    body: { name: `${dataset}-run`, datasets: { train: dataset }, hyperparameters, model: dataset },
  });
  expect(submitted.datasets).toEqual({ train: `${dataset}:1` }); // pinned at submit, before it runs
  const training = await settledTraining(bridge.client, submitted.id, 240_000);
  expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
  expect(training.datasets).toEqual({ train: `${dataset}:1` });
  expect(training.model).toMatchObject({ name: dataset, version: 1 });
  const evaluation = await api().getEvaluation({ params: { id: training.evaluation as string } });
  expect(evaluation).toMatchObject({ state: 'COMPLETE', task: 'classification', model: { name: dataset, version: 1 } });
  const result = evaluation.result?.classification as ClassificationResult;
  for (const figures of result.perClass) {
    expect(figures.precision).toEqual(expect.any(Number));
    expect(figures.recall).toEqual(expect.any(Number));
  }
  return { training, result, rows: evaluation.result?.rows ?? 0 };
}

describe('image and audio built-ins trained from a dataset name', () => {
  it.skipIf(!torch)(
    `image-classification: digits 0 and 1 copied in as "digits", trained as train: "digits" → digits:1, evaluated${noTorch}`,
    async () => {
      const folder = makeData('digits', 'media_data.digits_folder(path, classes=(0, 1))');
      const files = readdirSync(join(folder, '0')).length + readdirSync(join(folder, '1')).length;
      const dataset = await copiedIn('digits', folder);
      expect(dataset.latest.schema.classes.map((c) => c.name)).toEqual(['0', '1']);

      const { result, rows } = await trainFromRef('image-classification', 'digits', { epochs: '3', image_size: '16' });
      expect(result.classes).toEqual(['0', '1']);
      expect(rows).toBe(Math.ceil(files * 0.2)); // the holdout of the copy: every file was there
    },
    300_000,
  );

  it.skipIf(!torch || !espeak)(
    `audio-classification: "yes" and "no" by espeak-ng copied in as "words", trained as train: "words" → words:1, evaluated${noAudio}`,
    async () => {
      const folder = makeData('words', 'media_data.spoken_words(path, words=("yes", "no"), pitches=(50,))');
      await copiedIn('words', folder);

      const { result, rows } = await trainFromRef('audio-classification', 'words', { epochs: '5' });
      expect(result.classes).toEqual(['no', 'yes']);
      expect(rows).toBeGreaterThan(0);
    },
    300_000,
  );
});

describe('a referenced class-folder dataset changed between its preview and the training', () => {
  it.skipIf(!!noScanner)(
    `POST /recipes/{type}/trainings answers 409 naming the version, and makes no training${noScanner}`,
    async () => {
      const folder = makeData('shapes', 'media_data.digits_folder(path, classes=(0, 1))');
      await api().createDataset({ body: { name: 'shapes', path: folder, mode: 'reference' } });
      const shown = await api().previewDataset({ params: { id: 'shapes:1' }, query: {} });
      expect(shown.schema.classes.map((c) => c.name)).toEqual(['0', '1']);

      // the user adds an image after looking at the preview
      const [first] = readdirSync(join(folder, '1')).sort();
      copyFileSync(join(folder, '1', first as string), join(folder, '1', `again-${first}`));
      const before = (await api().listTrainings({ query: {} })).total;
      for (const train of ['shapes', 'shapes:1']) {
        const error = await refusal(
          api().trainRecipe({ params: { id: 'image-classification' }, body: { datasets: { train }, hyperparameters: {} } }),
        );
        expect(error.status).toBe(409);
        expect(error.code).toBe('conflict');
        expect(error.field).toBe('datasets.train');
        expect(error.message).toContain(
          'dataset shapes changed since version 1: make a new version (emkit dataset version shapes)',
        );
      }
      expect((await api().listTrainings({ query: {} })).total).toBe(before);
    },
  );
});
