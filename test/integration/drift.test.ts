import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DriftWindow, EndpointDrift } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, infer, pythonJson } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

// Data drift (issue 18, part 3) against a real bridge, a real model worker and real traffic: the
// gateway logs the payloads, `python -m emkit.drift` judges each window against a reference CSV.
// The traffic's income is shifted; its age and city are drawn as the reference's were.

let bridge: TestBridge;
let work: string;
let reference: string;
let lacking: string;

/** Like a built-in recipe's row model: predict.py, and recipe.json naming its input columns. */
function writeIncomeModel(dir: string): string {
  return writeTree(dir, {
    'predict.py': [
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      '    return ["high" if x["income"] > 55 else "low" for x in instances]',
      '',
    ].join('\n'),
    'recipe.json': JSON.stringify({ modelType: 'custom', input: 'row', columns: ['age', 'income', 'city'] }),
  });
}

/** `count` rows drawn with a fixed seed: age ~ N(40, 10), income ~ N(50 + shift, 5), city of three. */
function rows(count: number, seed: number, shift: number): { age: number; income: number; city: string }[] {
  return pythonJson(`
import json, numpy
rng = numpy.random.default_rng(${seed})
print(json.dumps([
    {"age": round(float(rng.normal(40, 10)), 3), "income": round(float(rng.normal(${50 + shift}, 5)), 3),
     "city": str(rng.choice(["seoul", "busan", "incheon"]))}
    for _ in range(${count})
]))
`);
}

function writeCsv(path: string, table: Record<string, unknown>[], columns: string[]): string {
  const lines = [columns.join(','), ...table.map((row) => columns.map((c) => String(row[c])).join(','))];
  writeTree(join(path, '..'), { [path.split('/').at(-1) as string]: `${lines.join('\n')}\n` });
  return path;
}

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython, '--drift-poll', '1'] });
  work = tempDir('emkit-drift-');
  const table = rows(3000, 18, 0).map((r) => ({ ...r, label: r.income > 55 ? 'high' : 'low' }));
  reference = writeCsv(join(work, 'reference.csv'), table, ['age', 'income', 'city', 'label']);
  lacking = writeCsv(join(work, 'no-city.csv'), table, ['age', 'income', 'label']);
  await bridge.client.api.createModel({ body: { name: 'incomes', artifactPath: writeIncomeModel(join(work, 'model')) } });
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const drift = (query: { stage?: string; windows?: number } = {}) =>
  bridge.client.api.getEndpointDrift({ params: { id: 'incomes' }, query });

function expectShiftedIncome(window: DriftWindow): void {
  expect(window.judged).toBe(true);
  const byName = Object.fromEntries(window.features.map((f) => [f.feature, f]));
  expect(byName.income).toMatchObject({ kind: 'numeric', test: 'ks', drifted: true });
  expect(byName.age).toMatchObject({ kind: 'numeric', test: 'ks', drifted: false });
  expect(byName.city).toMatchObject({ kind: 'categorical', test: 'chi2', drifted: false });
  expect(window.features[0]?.feature).toBe('income'); // the worst first
  expect(byName.income?.psi).toBeGreaterThan(1);
  // the model answers "high" far more often than it did on the reference
  expect(window.prediction).toMatchObject({ feature: 'prediction', kind: 'categorical', test: 'chi2', drifted: true });
}

describe('data drift', () => {
  it('flags the shifted feature, and not the others, in each closed window and the current one', async () => {
    await bridge.client.api.createEndpoint({
      body: {
        name: 'incomes',
        model: 'incomes',
        payloadLogging: { enabled: true },
        drift: { reference, window: '10s', minCount: 100, pValue: 0.001 },
      },
    });
    await activeEndpoint(bridge.client, 'incomes');
    const traffic = rows(600, 7, 15);
    for (let at = 0; at < traffic.length; at += 10) {
      const answer = await infer(bridge, '/inference/incomes', { instances: traffic.slice(at, at + 10) });
      expect(answer.status).toBe(200);
    }

    // the timer stores the closed 10 s windows; the traffic may straddle two, one holds most of it
    const closed = await waitFor(
      async () => {
        const answer = await drift();
        const stored = answer.windows.slice(0, -1);
        const sum = stored.reduce((n, w) => n + w.count, 0);
        return sum === 600 && stored.find((w) => w.count >= 300) && { answer, stored };
      },
      90_000,
      'the closed drift windows holding the 600 logged inputs',
    );
    expect(closed.answer.reference).toEqual({ source: reference, rows: 3000, columns: ['age', 'income', 'city', 'label'] });
    const fullest = closed.stored.reduce((a, b) => (b.count > a.count ? b : a));
    expect(fullest.stage).toBe('default');
    expectShiftedIncome(fullest);

    // a day-wide window holds all of it: computed on demand, as the current window
    await bridge.client.api.updateEndpointStage({
      params: { id: 'incomes', stage: 'default' },
      body: { drift: { reference, window: '1d', minCount: 100, pValue: 0.001 } },
    });
    const day: EndpointDrift = await drift({ stage: 'default' });
    const current = day.windows.at(-1) as DriftWindow;
    expect(current.count).toBe(600);
    expect(Date.parse(current.end) - Date.parse(current.start)).toBe(86_400_000);
    expectShiftedIncome(current);

    // the CLI: the windows, then the current window's features worst first
    const cli = await emkitCli(bridge, 'endpoint', 'drift', 'incomes', '--stage', 'default');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`reference: ${reference} (3000 rows; age, income, city, label)`);
    const features = cli.stdout.split('worst first:\n')[1]?.trim().split('\n') ?? [];
    expect(features[0]).toMatch(/^FEATURE\s+KIND\s+PSI/);
    expect(features[1]).toMatch(/^income\s+numeric\s+[\d.]+\s+ks\s.*yes$/);
    expect(features.find((l) => l.startsWith('city'))).toMatch(/chi2/);
    const json = await emkitCli(bridge, '--json', 'endpoint', 'drift', 'incomes', '--windows', '1');
    expect((JSON.parse(json.stdout) as EndpointDrift).windows).toHaveLength(1);
    const unknown = await emkitCli(bridge, 'endpoint', 'drift', 'nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('nope');
  });

  it("refuses a reference that lacks the model's inputs, naming them, and keeps the watch as it was", async () => {
    const refused = await refusal(
      bridge.client.api.updateEndpointStage({
        params: { id: 'incomes', stage: 'default' },
        body: { drift: { reference: lacking, window: '1h' } },
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.field).toBe('drift.reference');
    expect(refused.message).toContain('city');
    const stage = await bridge.client.api.getEndpointStage({ params: { id: 'incomes', stage: 'default' } });
    expect(stage.drift?.reference).toBe(reference);

    const notTable = await refusal(
      bridge.client.api.updateEndpointStage({
        params: { id: 'incomes', stage: 'default' },
        body: { drift: { reference: join(work, 'model', 'predict.py') } },
      }),
    );
    expect(notTable.status).toBe(422);
    expect(notTable.message).toContain('.csv, .parquet or .jsonl');

    // read only as a regular file: a link (to a table, or to anything the bridge's user can read) is not followed
    const link = join(work, 'link.csv');
    symlinkSync(reference, link);
    const linked = await refusal(
      bridge.client.api.updateEndpointStage({
        params: { id: 'incomes', stage: 'default' },
        body: { drift: { reference: link } },
      }),
    );
    expect(linked.status).toBe(422);
    expect(linked.message).toContain(`cannot read the reference ${link}`);
  });

  it("names the logged fields a reference lacks when the model doesn't list its inputs (422 from GET)", async () => {
    const dir = writeTree(join(work, 'any-model'), {
      'predict.py': 'def load():\n    return None\n\ndef predict(model, instances):\n    return [0 for _ in instances]\n',
    });
    await bridge.client.api.createModel({ body: { name: 'shoes', artifactPath: dir } });
    // nothing to check at create: the model doesn't say its inputs
    await bridge.client.api.createEndpoint({
      body: {
        name: 'shoes',
        model: 'shoes',
        payloadLogging: { enabled: true },
        drift: { reference, window: '1d', minCount: 10 },
      },
    });
    await activeEndpoint(bridge.client, 'shoes');
    const instances = Array.from({ length: 20 }, (_, i) => ({ age: 30 + i, shoe: 40 + (i % 5) }));
    expect((await infer(bridge, '/inference/shoes', { instances })).status).toBe(200);
    const refused = await refusal(bridge.client.api.getEndpointDrift({ params: { id: 'shoes' }, query: {} }));
    expect(refused.status).toBe(422);
    expect(refused.field).toBe('drift.reference');
    expect(refused.message).toContain('shoe');
    expect(refused.message).toContain('age, income, city, label');
    // the bridge keeps serving, the stage too
    expect((await infer(bridge, '/inference/shoes', { instances })).status).toBe(200);
  });

  it.skipIf(process.platform !== 'linux')('starts its drift process again when it is killed, and keeps answering', async () => {
    const [killed] = driftProcesses(bridge.process.pid as number);
    expect(killed).toBeDefined();
    process.kill(killed as number, 'SIGKILL');
    // new traffic: the current window is computed again, not the one kept 5 s
    const more = rows(10, 8, 15);
    expect((await infer(bridge, '/inference/incomes', { instances: more })).status).toBe(200);
    // a request that meets the dead process may fail (500); the next starts a new one
    const answer = await waitFor(
      async () => {
        try {
          return await drift({ stage: 'default' });
        } catch {
          return undefined;
        }
      },
      60_000,
      'a drift answer after the drift process was killed',
    );
    expect(answer.windows.at(-1)?.count).toBe(610);
    const now = driftProcesses(bridge.process.pid as number);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(killed);
  });

  it('answers 404 for an unknown endpoint or stage and 400 for a bad query, and keeps serving', async () => {
    expect((await refusal(bridge.client.api.getEndpointDrift({ params: { id: 'nope' }, query: {} }))).status).toBe(404);
    const stage = await refusal(drift({ stage: 'nope' }));
    expect(stage.status).toBe(404);
    expect(stage.message).toContain('incomes/nope');
    const response = await fetch(`${bridge.url}/api/v1/endpoints/incomes/drift?windows=0`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field?: string } }).error.field).toBe('windows');
    expect((await drift()).windows.length).toBeGreaterThan(0);
  });
});

const recipeReady = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const recipeSkip = recipeReady ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not in .venv)';

describe("data drift against the model's training table", () => {
  it.skipIf(!recipeReady)(
    `takes a built-in recipe's training CSV as the reference and its columns as the inputs${recipeSkip}`,
    async () => {
      const table = pythonJson<{ x1: number; x2: number; label: string }[]>(`
import json, numpy
rng = numpy.random.default_rng(3)
rows = rng.normal(size=(400, 2))
print(json.dumps([{"x1": round(float(a), 4), "x2": round(float(b), 4), "label": "up" if a + b > 0 else "down"} for a, b in rows]))
`);
      const csv = writeCsv(join(work, 'train.csv'), table, ['x1', 'x2', 'label']);
      const submitted = await bridge.client.api.trainRecipe({
        params: { id: 'number-classification' },
        body: { name: 'drift-knn-run', datasets: { train: csv }, hyperparameters: { label: 'label' }, model: 'drift-knn' },
      });
      const training = await settledTraining(bridge.client, submitted.id, 240_000);
      expect(training.state, training.stateReason ?? '').toBe('COMPLETE');

      // the model lists x1 and x2 as its inputs: a reference without x2 is refused at create
      const refused = await refusal(
        bridge.client.api.createEndpoint({
          body: {
            name: 'drift-knn',
            model: 'drift-knn:1',
            payloadLogging: { enabled: true },
            drift: { reference: writeCsv(join(work, 'x1.csv'), table, ['x1', 'label']) },
          },
        }),
      );
      expect(refused.status).toBe(422);
      expect(refused.message).toContain('x2');
      await expect(bridge.client.api.getEndpoint({ params: { id: 'drift-knn' } })).rejects.toMatchObject({ status: 404 });

      // no reference given: the training's table
      await bridge.client.api.createEndpoint({
        body: {
          name: 'drift-knn',
          model: 'drift-knn:1',
          payloadLogging: { enabled: true },
          drift: { window: '1d', minCount: 50, pValue: 0.001 },
        },
      });
      await activeEndpoint(bridge.client, 'drift-knn');
      const traffic = pythonJson<{ x1: number; x2: number }[]>(`
import json, numpy
rng = numpy.random.default_rng(4)
print(json.dumps([{"x1": float(a), "x2": float(b) + 1.5} for a, b in rng.normal(size=(200, 2))]))
`);
      for (let at = 0; at < traffic.length; at += 20) {
        expect((await infer(bridge, '/inference/drift-knn', { instances: traffic.slice(at, at + 20) })).status).toBe(200);
      }
      const answer = await bridge.client.api.getEndpointDrift({ params: { id: 'drift-knn' }, query: {} });
      expect(answer.reference).toEqual({ source: csv, rows: 400, columns: ['x1', 'x2', 'label'] });
      const current = answer.windows.at(-1) as DriftWindow;
      expect(current.count).toBe(200);
      expect(current.features.map((f) => [f.feature, f.drifted])).toEqual([
        ['x2', true],
        ['x1', false],
      ]);
      expect(current.prediction?.drifted).toBe(true);
    },
    300_000,
  );
});

/** The `python -m emkit.drift serve` processes the bridge started (Linux: read from /proc). */
function driftProcesses(bridgePid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return parent === bridgePid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('emkit.drift\0serve');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('drift windows missed while the bridge was down', () => {
  it('computes them after a restart, the shifted one judged and the empty ones counted', async () => {
    const home = tempDir('emkit-drift-restart-');
    // this bridge never gets to look for closed windows: every window that closes is missed
    let down: TestBridge | undefined = await startBridge({ home, args: ['--python', venvPython, '--drift-poll', '3600'] });
    try {
      await down.client.api.createModel({ body: { name: 'restarts', artifactPath: writeIncomeModel(join(work, 'restarts')) } });
      await down.client.api.createEndpoint({
        body: {
          name: 'restarts',
          model: 'restarts',
          payloadLogging: { enabled: true },
          drift: { reference, window: '10s', minCount: 50, pValue: 0.001 },
        },
      });
      await activeEndpoint(down.client, 'restarts');
      const traffic = rows(300, 11, 15);
      for (let at = 0; at < traffic.length; at += 10) {
        expect((await infer(down, '/inference/restarts', { instances: traffic.slice(at, at + 10) })).status).toBe(200);
      }
      const lastSent = Date.now();
      await down.stop();
      down = undefined;
      // down until the traffic's window and a whole empty one after it have closed: the
      // traffic's is no longer the last closed window when the bridge comes back
      const trafficEnd = Math.ceil(lastSent / 10_000) * 10_000;
      await waitFor(async () => Date.now() > trafficEnd + 10_500, 60_000, 'an empty window after the traffic to close');

      const up = await startBridge({ home, args: ['--python', venvPython, '--drift-poll', '1'] });
      try {
        const stored = await waitFor(
          async () => {
            const answer = await up.client.api.getEndpointDrift({ params: { id: 'restarts' }, query: { windows: 30 } });
            const closed = answer.windows.slice(0, -1);
            const shifted = closed.filter((w) => w.count > 0);
            const after = closed.filter((w) => Date.parse(w.start) >= trafficEnd);
            return shifted.reduce((n, w) => n + w.count, 0) === 300 && after.length > 0 && { shifted, after };
          },
          90_000,
          'the windows missed while the bridge was down',
        );
        const fullest = stored.shifted.reduce((a, b) => (b.count > a.count ? b : a));
        expect(fullest.judged).toBe(true);
        const byName = Object.fromEntries(fullest.features.map((f) => [f.feature, f]));
        expect(byName.income?.drifted).toBe(true);
        expect(byName.age?.drifted).toBe(false);
        expect(stored.after[0]).toMatchObject({ count: 0, judged: false, features: [] });
        // every window, the reference check and the GETs went through one long-lived drift process
        const drifts = process.platform === 'linux' ? driftProcesses(up.process.pid as number) : [];
        if (process.platform === 'linux') expect(drifts).toHaveLength(1);
        await up.stop();
        // it ends with its bridge
        for (const pid of drifts) {
          await waitFor(async () => !existsSync(`/proc/${pid}`), 10_000, 'the drift process to end with the bridge');
        }
      } finally {
        await up.stop();
      }
    } finally {
      await down?.stop();
      removeDir(home);
    }
  }, 240_000);
});

describe('a reference checked against the inputs a trained model declares', () => {
  it("refuses, at create and PATCH, a reference lacking the training table's columns, naming them; the label may be left out", async () => {
    const table = rows(300, 21, 0).map((r) => ({ ...r, outcome: r.income > 55 ? 'high' : 'low' }));
    const train = writeCsv(join(work, 'trained-on.csv'), table, ['age', 'income', 'city', 'outcome']);
    const source = writeTree(join(work, 'plain-source'), {
      'train.py': [
        'import os',
        'open(os.path.join(os.environ["EM_MODEL_DIR"], "predict.py"), "w").write(',
        '    "def load():\\n    return None\\ndef predict(m, xs):\\n    return [0 for _ in xs]\\n")',
      ].join('\n'),
    });
    // a plain script's training, not a recipe: the model has no recipe.json, only its training's table
    const submitted = await bridge.client.api.createTraining({
      body: {
        source: { path: source, entryPoint: 'train.py' },
        datasets: { train },
        hyperparameters: { label: 'outcome' },
      },
    });
    const training = await settledTraining(bridge.client, submitted.id);
    expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
    await bridge.client.api.createModel({ body: { name: 'plain', training: training.id } });

    const created = await refusal(
      bridge.client.api.createEndpoint({
        body: { name: 'plain', model: 'plain', payloadLogging: { enabled: true }, drift: { reference: lacking } },
      }),
    );
    expect(created.status).toBe(422);
    expect(created.field).toBe('drift.reference');
    expect(created.message).toContain('city');
    expect(created.message).toContain(`its training table ${train}`);
    await expect(bridge.client.api.getEndpoint({ params: { id: 'plain' } })).rejects.toMatchObject({ status: 404 });

    // the label (the training's `label` hyperparameter) is no input: a reference without it is taken
    const unlabelled = writeCsv(join(work, 'unlabelled.csv'), table, ['city', 'income', 'age']);
    await bridge.client.api.createEndpoint({
      body: { name: 'plain', model: 'plain', payloadLogging: { enabled: true }, drift: { reference: unlabelled } },
    });
    const patched = await refusal(
      bridge.client.api.updateEndpointStage({
        params: { id: 'plain', stage: 'default' },
        body: { drift: { reference: lacking, window: '1h' } },
      }),
    );
    expect(patched.status).toBe(422);
    expect(patched.message).toContain("lacks the model's input column city");
    const stage = await bridge.client.api.getEndpointStage({ params: { id: 'plain', stage: 'default' } });
    expect(stage.drift?.reference).toBe(unlabelled);
  }, 240_000);

  it('refuses a reference lacking the columns a scikit-learn model was fitted on (its feature_names_in_), at create', async () => {
    // a pipeline fitted on a DataFrame keeps its columns' names; no recipe.json, no training
    const dir = join(work, 'fitted');
    pythonJson(`
import json, os, joblib, pandas
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
table = pandas.DataFrame({"age": [30, 40, 50, 60], "income": [40.0, 60.0, 45.0, 70.0], "city": ["seoul", "busan", "seoul", "incheon"]})
encode = make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough")
os.makedirs(${JSON.stringify(dir)}, exist_ok=True)
joblib.dump(make_pipeline(encode, LogisticRegression()).fit(table, [0, 1, 0, 1]), os.path.join(${JSON.stringify(dir)}, "model.joblib"))
print(json.dumps(True))
`);
    await bridge.client.api.createModel({ body: { name: 'fitted', artifactPath: dir } });
    const refused = await refusal(
      bridge.client.api.createEndpoint({
        body: { name: 'fitted', model: 'fitted', payloadLogging: { enabled: true }, drift: { reference: lacking } },
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.field).toBe('drift.reference');
    expect(refused.message).toContain("lacks the model's input column city");
    expect(refused.message).toContain('feature_names_in_');
    await expect(bridge.client.api.getEndpoint({ params: { id: 'fitted' } })).rejects.toMatchObject({ status: 404 });
    // the whole reference (its label column beside the inputs) is taken
    await bridge.client.api.createEndpoint({
      body: { name: 'fitted', model: 'fitted', payloadLogging: { enabled: true }, drift: { reference } },
    });
    expect((await activeEndpoint(bridge.client, 'fitted')).name).toBe('fitted');
  }, 120_000);
});
