import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassificationResult } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { deployModel, infer } from '../support/endpoints.js';
import { pythonHas, settledTraining, venvPython } from '../support/trainings.js';

const knnModule = join(repoRoot, 'server-bridge/python/src/emkit/recipes/modeltypes/number_classification.py');
const ready = existsSync(knnModule) && pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const reason = ready ? '' : ' (SKIPPED: the number-classification recipe or scikit-learn/pandas is not there)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-recipes-builtin-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The 150 iris flowers as a CSV: four measures and a `species` label. */
function irisCsv(path: string): string {
  const script = [
    'import sys',
    'from sklearn.datasets import load_iris',
    'd = load_iris(as_frame=True)',
    'f = d.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))',
    'f["species"] = [d.target_names[t] for t in d.target]',
    'f.drop(columns=["target"]).to_csv(sys.argv[1], index=False)',
  ].join('\n');
  const run = spawnSync(venvPython, ['-c', script, path], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return path;
}

describe('a built-in recipe, end to end', () => {
  it.skipIf(!ready)(
    `trains number-classification on iris, ends COMPLETE with its model and holdout evaluation, and serves raw rows${reason}`,
    async () => {
      const csv = irisCsv(join(work, 'iris.csv'));
      const submitted = await bridge.client.api.trainRecipe({
        params: { id: 'number-classification' },
        body: {
          name: 'iris-knn-run',
          datasets: { train: csv },
          hyperparameters: { label: 'species', k: '3' },
          model: 'iris-knn',
        },
      });
      expect(submitted).toMatchObject({ recipe: 'number-classification', model: null, evaluation: null });
      expect(submitted.source).toMatchObject({ entryPoint: 'train.py', kind: 'script' });
      // the catalog's defaults overlaid by the values given, all passed to the training
      expect(submitted.hyperparameters).toMatchObject({ label: 'species', k: '3', weights: 'uniform', holdout: '0.2' });

      const training = await settledTraining(bridge.client, submitted.id, 180_000);
      expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
      expect(training.stateReason).toBeNull();
      expect(training.model).toMatchObject({ name: 'iris-knn', version: 1 });
      expect(training.evaluation).toEqual(expect.any(String));

      const model = await bridge.client.api.getModel({ params: { id: 'iris-knn:1' } });
      expect(model).toMatchObject({
        id: training.model?.id,
        framework: 'custom',
        tags: { recipe: 'number-classification' },
        source: { training: { id: training.id, name: 'iris-knn-run' } },
      });

      const evaluation = await bridge.client.api.getEvaluation({ params: { id: training.evaluation as string } });
      expect(evaluation).toMatchObject({
        state: 'COMPLETE',
        model: { id: model.id, name: 'iris-knn', version: 1 },
        task: 'classification',
      });
      expect(evaluation.data.path).toBe(join(training.dir, 'artifacts', 'holdout', 'holdout.csv'));
      expect(evaluation.data.sha256).toMatch(/^[0-9a-f]{64}$/);
      const result = evaluation.result?.classification as ClassificationResult;
      expect(evaluation.result?.rows).toBe(30);
      expect(result.accuracy).toBeGreaterThan(0.85);
      expect(result.perClass.map((c) => c.class).sort()).toEqual(['setosa', 'versicolor', 'virginica']);
      for (const figures of result.perClass) {
        expect(figures.precision).toEqual(expect.any(Number));
        expect(figures.recall).toEqual(expect.any(Number));
      }
      // its files are the evaluation's own now, beside the others
      for (const file of ['spec.json', 'status.json', 'result.json']) {
        expect(existsSync(join(bridge.home, 'evaluations', evaluation.id, file)), file).toBe(true);
      }
      const listed = await bridge.client.api.listEvaluations({ query: { model: 'iris-knn' } });
      expect(listed.items.map((e) => e.id)).toEqual([evaluation.id]);

      await deployModel(bridge.client, 'iris-knn', 'iris-knn:1');
      const answer = await infer(bridge, '/inference/iris-knn', {
        instances: [
          { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
          { sepal_length: 6.7, sepal_width: 3.0, petal_length: 5.2, petal_width: 2.3 },
        ],
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.predictions).toEqual(['setosa', 'virginica']);
      await bridge.client.api.deleteEndpoint({ params: { id: 'iris-knn' } });
    },
    300_000,
  );

  it.skipIf(!ready)(
    `registers nothing when asked for no model${reason}`,
    async () => {
      const csv = irisCsv(join(work, 'iris-none.csv'));
      const submitted = await bridge.client.api.trainRecipe({
        params: { id: 'number-classification' },
        body: { datasets: { train: csv }, hyperparameters: { label: 'species' }, model: null },
      });
      expect(submitted.name).toMatch(/^number-classification-\d{8}-\d{6}/);
      const training = await settledTraining(bridge.client, submitted.id, 180_000);
      expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
      expect(training).toMatchObject({ recipe: 'number-classification', model: null, evaluation: null });
    },
    240_000,
  );

  it('leaves a training COMPLETE, saying why, when its model or its evaluation cannot be recorded', async () => {
    // a fixture in place of the generated entry point (rewritten at each start; the snapshot is taken at submit)
    const entry = join(bridge.home, 'recipes', 'builtin', 'clustering', 'train.py');
    const generated = readFileSync(entry, 'utf8');
    expect(generated).toContain('sys.exit(main("clustering"))');
    const csv = join(work, 'fixture.csv');
    writeFileSync(csv, 'a,b\n1,2\n3,4\n');
    const run = async (script: string, model: string) => {
      writeFileSync(entry, script);
      const submitted = await bridge.client.api.trainRecipe({
        params: { id: 'clustering' },
        body: { datasets: { train: csv }, model },
      });
      return settledTraining(bridge.client, submitted.id);
    };
    try {
      const nothing = await run('print("saved nothing")\n', 'fixture-none');
      expect(nothing).toMatchObject({ state: 'COMPLETE', model: null, evaluation: null });
      expect(nothing.stateReason).toMatch(/its model could not be registered as "fixture-none": .*saved nothing in EM_MODEL_DIR/);

      const modelOnly = await run(
        [
          'import os',
          'open(os.path.join(os.environ["EM_MODEL_DIR"], "predict.py"), "w").write(',
          '    "def load(d):\\n    return None\\ndef predict(m, xs):\\n    return [0 for _ in xs]\\n")',
        ].join('\n'),
        'fixture-model',
      );
      expect(modelOnly).toMatchObject({ state: 'COMPLETE', model: { name: 'fixture-model', version: 1 }, evaluation: null });
      expect(modelOnly.stateReason).toMatch(/its holdout evaluation could not be imported: its status.json is missing/);
      expect((await bridge.client.api.listEvaluations({ query: { model: 'fixture-model' } })).total).toBe(0);
    } finally {
      writeFileSync(entry, generated);
    }
  }, 240_000);
});
