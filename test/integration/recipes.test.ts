import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { MODEL_TYPES, type Recipe, type ResourceEvent, type Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { notebook, pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const reason = hasSklearn ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-recipes-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** Rows of the iris flowers as a CSV with a `species` label, `every`-th row from `start`. */
function irisCsv(path: string, start = 0, every = 1): string {
  const script = [
    'import sys',
    'from sklearn.datasets import load_iris',
    'd = load_iris(as_frame=True)',
    'f = d.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))',
    'f["species"] = [d.target_names[t] for t in d.target]',
    'f = f.drop(columns=["target"]).iloc[int(sys.argv[2])::int(sys.argv[3])]',
    'f.to_csv(sys.argv[1], index=False)',
  ].join('\n');
  const run = spawnSync(venvPython, ['-c', script, path, String(start), String(every)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return path;
}

// a notebook training that reads the table EM_DATASET_TRAIN names and says what it did in EM_ARTIFACT_DIR
const NOTEBOOK = notebook([
  { source: 'C = 1.0\nmax_iter = 200\nlabel = "species"', tags: ['parameters'] },
  {
    source: [
      'import json, os, joblib, pandas',
      'from sklearn.linear_model import LogisticRegression',
      'frame = pandas.read_csv(os.environ["EM_DATASET_TRAIN"])',
      'X, y = frame.drop(columns=[label]), frame[label]',
      'model = LogisticRegression(C=C, max_iter=max_iter).fit(X, y)',
      'joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
      'summary = {"rows": len(frame), "C": C, "max_iter": max_iter, "types": [type(C).__name__, type(max_iter).__name__]}',
      'json.dump(summary, open(os.path.join(os.environ["EM_ARTIFACT_DIR"], "summary.json"), "w"))',
    ].join('\n'),
  },
]);

async function summaryOf(training: Training): Promise<Record<string, unknown>> {
  const response = await fetch(`${bridge.url}/api/v1/trainings/${training.id}/file?path=artifacts/summary.json`, {
    headers: { authorization: `Bearer ${bridge.token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** The CLI as a user runs it, against this bridge. */
function emkit(...args: string[]) {
  const result = spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('recipes', () => {
  it('lists the six built-ins first, with their parameters, and refuses to delete one', async () => {
    const list = await bridge.client.api.listRecipes({});
    expect(list.items.slice(0, 6).map((r) => r.name)).toEqual([...MODEL_TYPES]);
    for (const recipe of list.items.slice(0, 6)) {
      expect(recipe).toMatchObject({ builtin: true, entryPoint: 'train.py', source: null, createdAt: null });
      expect(recipe.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['holdout', 'seed']));
    }
    const knn = await bridge.client.api.getRecipe({ params: { id: 'number-classification' } });
    expect(knn.parameters.find((p) => p.name === 'k')).toMatchObject({ type: 'integer', default: '5', minimum: 1 });
    expect(knn.datasets).toEqual([expect.objectContaining({ name: 'train', kinds: ['table'] })]);

    const table = emkit('recipe', 'list');
    expect(table.stdout).toMatch(/^NAME\s+KIND\s+TASK/);
    expect(table.stdout).toMatch(/number-classification\s+built-in\s+classification/);
    const cli = emkit('recipe', 'delete', 'clustering');
    expect(cli.code).toBe(5);
    expect(cli.stderr).toContain('built-in');
    const refused = await refusal(bridge.client.api.deleteRecipe({ params: { id: 'clustering' } }));
    expect(refused.status).toBe(409);
    expect(refused.message).toContain('built-in');
    expect((await refusal(bridge.client.api.getRecipe({ params: { id: 'nope' } }))).status).toBe(404);
  });

  it('refuses bad values and data naming the field, and makes no training', async () => {
    const csv = irisCsv(join(work, 'iris-bad.csv'));
    const folders = writeTree(join(work, 'classes'), { 'cat/a.txt': 'a', 'dog/b.txt': 'b' });
    const before = (await bridge.client.api.listTrainings({})).total;
    const train = (hyperparameters: Record<string, string>, datasets: Record<string, string> = { train: csv }) =>
      refusal(bridge.client.api.trainRecipe({ params: { id: 'number-classification' }, body: { datasets, hyperparameters } }));

    const cases: [Promise<Awaited<ReturnType<typeof train>>>, number, string][] = [
      [train({ label: 'species', nope: '1' }), 400, 'hyperparameters.nope'],
      [train({ label: 'species', k: 'five' }), 400, 'hyperparameters.k'],
      [train({ label: 'species', k: '0' }), 400, 'hyperparameters.k'],
      [train({ label: 'species', k: '2.5' }), 400, 'hyperparameters.k'],
      [train({ label: 'species', weights: 'closest' }), 400, 'hyperparameters.weights'],
      [train({ label: 'species', scale: 'maybe' }), 400, 'hyperparameters.scale'],
      [train({}), 422, 'hyperparameters.label'],
      [train({ label: 'colour' }), 422, 'hyperparameters.label'],
      [train({ label: 'species', features: 'sepal_length,petals' }), 422, 'hyperparameters.features'],
      [train({ label: 'species' }, {}), 422, 'datasets.train'],
      [train({ label: 'species' }, { train: csv, extra: csv }), 400, 'datasets.extra'],
      [train({ label: 'species' }, { train: folders }), 422, 'datasets.train'],
      [train({ label: 'species' }, { train: join(work, 'missing.csv') }), 422, 'datasets.train'],
    ];
    for (const [call, status, field] of cases) {
      const error = await call;
      expect({ status: error.status, field: error.field }, error.message).toEqual({ status, field });
    }
    // a dataset ref is checked against its stored schema: the columns and the kind of the version it names
    await bridge.client.api.createDataset({ body: { name: 'iris-table', path: csv } });
    await bridge.client.api.createDataset({ body: { name: 'pets', path: folders } });
    const refs: [Promise<Awaited<ReturnType<typeof train>>>, number, string][] = [
      [train({ label: 'colour' }, { train: 'iris-table' }), 422, 'hyperparameters.label'],
      [train({ label: 'species', features: 'petals' }, { train: 'iris-table:1' }), 422, 'hyperparameters.features'],
      [train({ label: 'species' }, { train: 'pets' }), 422, 'datasets.train'],
    ];
    for (const [call, status, field] of refs) {
      const error = await call;
      expect({ status: error.status, field: error.field }, error.message).toEqual({ status, field });
    }
    const dataless = await refusal(bridge.client.api.trainRecipe({ params: { id: 'nope' }, body: { datasets: { train: csv } } }));
    expect(dataless.status).toBe(404);
    expect((await bridge.client.api.listTrainings({})).total).toBe(before);
    expect((await bridge.client.api.health()).status).toBe('ok');
  });

  it.skipIf(!hasSklearn)(
    `saves a notebook training as a recipe (parameters cell → types and defaults) and trains it again on other data${reason}`,
    async () => {
      const source = writeTree(join(work, 'nb'), { 'iris.ipynb': NOTEBOOK });
      const first = irisCsv(join(work, 'iris-even.csv'), 0, 2);
      const second = irisCsv(join(work, 'iris-third.csv'), 0, 3);
      const made = await bridge.client.api.createTraining({
        body: { source: { path: join(source, 'iris.ipynb') }, datasets: { train: first }, hyperparameters: { C: '0.5' } },
      });
      const done = await settledTraining(bridge.client, made.id);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      expect(done.recipe).toBeNull();
      expect(await summaryOf(done)).toMatchObject({ rows: 75, C: 0.5 });

      // the editors' lists follow the event stream: a recipe saved from the CLI shows up there
      const recipeEvents: ResourceEvent[] = [];
      const socket = new WebSocket(bridge.client.eventsUrl(), bridge.client.socketProtocols());
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; event?: ResourceEvent };
        if (message.type === 'event' && message.event?.resource === 'recipes') recipeEvents.push(message.event);
      });
      await new Promise((resolve) => socket.on('open', resolve));

      const notYet = await refusal(bridge.client.api.saveRecipe({ body: { training: 'no-such-training', name: 'iris-logreg' } }));
      expect(notYet.status).toBe(404);
      const saved = emkit('recipe', 'save', 'iris-logreg', '--from', done.name, '--json');
      expect(saved.code, saved.stderr).toBe(0);
      const recipe = JSON.parse(saved.stdout) as Recipe;
      expect(recipe).toMatchObject({
        name: 'iris-logreg',
        builtin: false,
        modelType: null,
        entryPoint: 'iris.ipynb',
        source: { training: done.id, trainingName: done.name },
        datasets: [expect.objectContaining({ name: 'train', kinds: [] })],
      });
      expect(recipe.parameters.map(({ name, type, default: d }) => ({ name, type, default: d }))).toEqual([
        { name: 'C', type: 'number', default: '1.0' },
        { name: 'max_iter', type: 'integer', default: '200' },
        { name: 'label', type: 'string', default: 'species' },
      ]);
      expect((await bridge.client.api.listRecipes({})).items.map((r) => r.name)).toContain('iris-logreg');
      await waitFor(async () => recipeEvents.length > 0, 5000, 'the recipe created event');
      expect(recipeEvents[0]).toMatchObject({ action: 'created', id: recipe.id, data: { name: 'iris-logreg', builtin: false } });
      expect((await refusal(bridge.client.api.saveRecipe({ body: { training: done.name, name: 'iris-logreg' } }))).status).toBe(
        409,
      );
      expect((await refusal(bridge.client.api.saveRecipe({ body: { training: done.name, name: 'clustering' } }))).status).toBe(
        409,
      );
      const wrongType = await refusal(
        bridge.client.api.trainRecipe({
          params: { id: 'iris-logreg' },
          body: { datasets: { train: second }, hyperparameters: { max_iter: 'many' } },
        }),
      );
      expect(wrongType).toMatchObject({ status: 400, field: 'hyperparameters.max_iter' });

      const shown = emkit('recipe', 'get', 'iris-logreg');
      expect(shown.stdout).toContain('max_iter (integer; default "200")');
      const trained = emkit(
        'recipe',
        'train',
        'iris-logreg',
        '--dataset',
        `train=${second}`,
        '--hp',
        'C=2',
        '--hp',
        'max_iter=300',
        '--wait',
        '--json',
      );
      expect(trained.code, trained.stderr).toBe(0);
      const again = JSON.parse(trained.stdout) as Training;
      expect(again).toMatchObject({ recipe: 'iris-logreg', model: null, evaluation: null });
      expect(again.hyperparameters).toEqual({ C: '2', max_iter: '300', label: 'species' });
      const retrained = await settledTraining(bridge.client, again.id);
      expect(retrained.state, retrained.stateReason ?? '').toBe('COMPLETE');
      expect(retrained.model).toBeNull();
      expect(await summaryOf(retrained)).toMatchObject({ rows: 50, C: 2, max_iter: 300, types: ['int', 'int'] });

      // a copy of a recipe's training is a training of that recipe
      const copy = await bridge.client.api.copyTraining({ params: { id: retrained.id }, body: {} });
      expect(copy.recipe).toBe('iris-logreg');
      await settledTraining(bridge.client, copy.id);

      await bridge.client.api.deleteRecipe({ params: { id: 'iris-logreg' } });
      expect((await refusal(bridge.client.api.getRecipe({ params: { id: 'iris-logreg' } }))).status).toBe(404);
      await waitFor(async () => recipeEvents.length > 1, 5000, 'the recipe deleted event');
      socket.close();
      expect(recipeEvents.map((e) => [e.action, e.id])).toEqual([
        ['created', recipe.id],
        ['deleted', recipe.id],
      ]);
      // the trainings made from it stay
      expect((await bridge.client.api.getTraining({ params: { id: retrained.id } })).recipe).toBe('iris-logreg');
    },
    240_000,
  );
});
