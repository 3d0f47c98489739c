import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ClassificationResult, Evaluation, Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { deployModel, type InferenceAnswer, infer } from '../support/endpoints.js';
import { pythonHas, settledTraining, venvPython } from '../support/trainings.js';

/**
 * Five of the six built-in model types (number-classification is recipes-builtin.test.ts's),
 * each trained through POST /recipes/{type}/trainings on data made here offline by the Python
 * tests' own data makers, to its stated holdout figure, then deployed and called through the
 * gateway with a raw input. Epochs and sizes are cut down from the catalog's defaults to keep
 * the file short; the figures are the Python tests' bars.
 */

const pythonTests = join(repoRoot, 'server-bridge', 'python', 'tests');
const tables = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const torch = tables && pythonHas(venvPython, 'torch', 'PIL', 'scipy');
const espeak = spawnSync('espeak-ng', ['--version']).status === 0;
const noTables = tables ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';
const noTorch = torch ? '' : ' (SKIPPED: PyTorch, Pillow or SciPy is not installed in .venv)';
const noAudio = noTorch || (espeak ? '' : ' (SKIPPED: espeak-ng is not installed: no spoken words to train on)');

let bridge: TestBridge;
let work: string;
const measured: string[] = [];

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-recipes-types-');
});
afterAll(async () => {
  if (measured.length > 0) console.info(`recipes-types, measured:\n${measured.join('\n')}`);
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** Writes data at `path` with `call`, a Python expression of `path` using the tests' makers. */
function makeData(name: string, call: string): string {
  const path = join(work, name);
  const script = [
    'import sys',
    'from pathlib import Path',
    `sys.path.insert(0, ${JSON.stringify(pythonTests)})`,
    'import media_data, recipe_data',
    'path = Path(sys.argv[1])',
    call,
  ].join('\n');
  const run = spawnSync(venvPython, ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`making ${name} failed:\n${run.stderr}`);
  return path;
}

/** Trains a built-in to COMPLETE with its model and holdout evaluation; answers both records. */
async function trainBuiltin(
  type: string,
  model: string,
  train: string,
  hyperparameters: Record<string, string>,
): Promise<{ training: Training; evaluation: Evaluation }> {
  const submitted = await bridge.client.api.trainRecipe({
    params: { id: type },
    body: { name: `${model}-run`, datasets: { train }, hyperparameters, model },
  });
  const training = await settledTraining(bridge.client, submitted.id, 240_000);
  expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
  expect(training.stateReason).toBeNull();
  expect(training.recipe).toBe(type);
  expect(training.model).toMatchObject({ name: model, version: 1 });
  expect(training.evaluation).toEqual(expect.any(String));
  const evaluation = await bridge.client.api.getEvaluation({ params: { id: training.evaluation as string } });
  expect(evaluation).toMatchObject({ state: 'COMPLETE', model: { id: training.model?.id, name: model, version: 1 } });
  const seconds = (Date.parse(training.endedAt ?? '') - Date.parse(training.startedAt ?? '')) / 1000;
  const result = evaluation.result;
  const figure = result?.classification
    ? `accuracy ${result.classification.accuracy?.toFixed(3)}`
    : result?.regression
      ? `R² ${result.regression.r2?.toFixed(3)}`
      : `silhouette ${result?.clustering?.silhouette?.toFixed(3)}`;
  measured.push(`  ${type}: trained in ${seconds.toFixed(1)} s (started to ended), holdout ${figure}`);
  return { training, evaluation };
}

/** Deploys the model, calls the gateway with `instances` (twice: the second call is the one timed warm). */
async function serve(type: string, model: string, instances: unknown[]): Promise<InferenceAnswer> {
  await deployModel(bridge.client, model, `${model}:1`);
  const answer = await infer(bridge, `/inference/${model}`, { instances });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const again = await infer(bridge, `/inference/${model}`, { instances });
  expect(again.body).toEqual(answer.body);
  measured.push(
    `  ${type}: gateway ${answer.ms.toFixed(0)} ms first call, ${again.ms.toFixed(0)} ms next (${instances.length} raw inputs)`,
  );
  await bridge.client.api.deleteEndpoint({ params: { id: model } });
  return answer;
}

/**
 * A held-out file of `label` that the holdout evaluation got right: its rows are the class
 * folders' files in sorted order (sorted classes, then sorted files), its mistakes listed by row.
 */
function rightlyHeldOut(training: Training, evaluation: Evaluation, label: string): string {
  const holdout = join(training.dir, 'artifacts', 'holdout');
  const wrong = new Set(evaluation.result?.errors.map((e) => e.row));
  let row = 0;
  for (const folder of readdirSync(holdout).sort()) {
    for (const file of readdirSync(join(holdout, folder)).sort()) {
      if (folder === label && !wrong.has(row)) return join(holdout, folder, file);
      row += 1;
    }
  }
  throw new Error(`no held-out ${label} file was predicted right`);
}

/** A file as the quick test's upload sends it. */
function upload(path: string, contentType: string): { b64: string; filename: string; contentType: string } {
  return { b64: readFileSync(path).toString('base64'), filename: basename(path), contentType };
}

function classification(evaluation: Evaluation): ClassificationResult {
  expect(evaluation.task).toBe('classification');
  const result = evaluation.result?.classification as ClassificationResult;
  for (const figures of result.perClass) {
    expect(figures.precision).toEqual(expect.any(Number));
    expect(figures.recall).toEqual(expect.any(Number));
  }
  return result;
}

describe('the built-in model types, trained, evaluated on their holdout and served raw inputs', () => {
  it.skipIf(!tables)(
    `text-classification: English and Korean texts from a dataset, holdout accuracy >= 0.8, strings served${noTables}`,
    async () => {
      const folders = makeData('texts', 'recipe_data.write_text_folders(path)');
      await bridge.client.api.createDataset({ body: { name: 'topics', path: folders } });
      const { training, evaluation } = await trainBuiltin('text-classification', 'topics', 'topics', {});
      expect(training.datasets).toEqual({ train: 'topics:1' }); // pinned to the version it read
      const result = classification(evaluation);
      expect(evaluation.result?.rows).toBe(18); // 20% of 90, stratified
      expect(result.accuracy).toBeGreaterThanOrEqual(0.8);
      expect(result.perClass.map((c) => c.class)).toEqual(['food', 'sports', 'weather']);

      const answer = await serve('text-classification', 'topics', [
        '오늘은 날씨가 맑아요',
        'He plays tennis every weekend',
        '피자가 맛있었다',
      ]);
      expect(answer.body.predictions).toEqual(['weather', 'sports', 'food']);
    },
    300_000,
  );

  it.skipIf(!tables)(
    `number-prediction: linear regression on diabetes, holdout R² >= 0.35, a row object served${noTables}`,
    async () => {
      const csv = makeData('diabetes.csv', 'recipe_data.diabetes_csv(path)');
      const { evaluation } = await trainBuiltin('number-prediction', 'diabetes', csv, { target: 'target' });
      expect(evaluation.task).toBe('regression');
      expect(evaluation.result?.rows).toBe(88); // 20% of 442
      expect(evaluation.result?.regression?.r2).toBeGreaterThanOrEqual(0.35);

      const [header, first] = readFileSync(csv, 'utf8').split('\n');
      const values = (first as string).split(',').map(Number);
      const row = Object.fromEntries(
        (header as string)
          .split(',')
          .map((column, i) => [column, values[i]] as const)
          .filter(([column]) => column !== 'target'),
      );
      const answer = await serve('number-prediction', 'diabetes', [row]);
      const [value] = answer.body.predictions as number[];
      expect(value).toEqual(expect.any(Number));
      expect(value).toBeGreaterThanOrEqual(25); // within diabetes's target range
      expect(value).toBeLessThanOrEqual(346);
    },
    300_000,
  );

  it.skipIf(!tables)(
    `clustering: k-means on iris's measurements, holdout silhouette > 0.3, row objects served${noTables}`,
    async () => {
      const csv = makeData('iris.csv', 'recipe_data.iris_csv(path)');
      const { evaluation } = await trainBuiltin('clustering', 'iris-groups', csv, { k: '3' });
      expect(evaluation.task).toBe('clustering');
      const result = evaluation.result?.clustering;
      expect(result?.silhouette).toBeGreaterThan(0.3);
      expect(result?.clusters.map((c) => c.cluster).sort()).toEqual([0, 1, 2]);

      const small = { sepal_length: 5.0, sepal_width: 3.4, petal_length: 1.5, petal_width: 0.2 };
      const large = { sepal_length: 7.7, sepal_width: 3.0, petal_length: 6.1, petal_width: 2.3 };
      const answer = await serve('clustering', 'iris-groups', [small, { ...small, sepal_length: 4.9 }, large]);
      const clusters = answer.body.predictions as number[];
      expect(clusters.every((c) => [0, 1, 2].includes(c))).toBe(true);
      expect(clusters[0]).toBe(clusters[1]);
      expect(clusters[2]).not.toBe(clusters[0]);
    },
    300_000,
  );

  it.skipIf(!torch)(
    `image-classification: scikit-learn's digits 0-3 as PNG/JPEG folders, holdout accuracy >= 0.85, images served${noTorch}`,
    async () => {
      const folders = makeData('digits', 'media_data.digits_folder(path)');
      const { training, evaluation } = await trainBuiltin('image-classification', 'digits', folders, {
        epochs: '8',
        image_size: '16',
      });
      const result = classification(evaluation);
      expect(evaluation.result?.rows).toBe(144);
      expect(result.accuracy).toBeGreaterThanOrEqual(0.85);
      expect(result.classes).toEqual(['0', '1', '2', '3']);

      const three = rightlyHeldOut(training, evaluation, '3');
      const one = rightlyHeldOut(training, evaluation, '1');
      const answer = await serve('image-classification', 'digits', [
        upload(three, three.endsWith('.png') ? 'image/png' : 'image/jpeg'),
        readFileSync(one).toString('base64'), // a bare base64 string works too
      ]);
      expect(answer.body.predictions).toEqual(['3', '1']);
    },
    300_000,
  );

  it.skipIf(!torch || !espeak)(
    `audio-classification: words spoken by espeak-ng, holdout accuracy >= 0.8, WAV uploads served${noAudio}`,
    async () => {
      const folders = makeData('words', 'media_data.spoken_words(path, pitches=(50,))');
      const { training, evaluation } = await trainBuiltin('audio-classification', 'words', folders, { epochs: '15' });
      const result = classification(evaluation);
      expect(result.accuracy).toBeGreaterThanOrEqual(0.8);
      expect(result.classes).toEqual(['down', 'no', 'up', 'yes']);

      const said = ['yes', 'down'].map((word) => upload(rightlyHeldOut(training, evaluation, word), 'audio/wav'));
      const answer = await serve('audio-classification', 'words', said);
      expect(answer.body.predictions).toEqual(['yes', 'down']);
    },
    300_000,
  );
});
