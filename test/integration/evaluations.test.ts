import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation, ThresholdFigures } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonJson } from '../support/endpoints.js';
import { settledEvaluation } from '../support/evaluations.js';
import { pythonHas, venvPython } from '../support/trainings.js';

// Every figure an evaluation reports is checked against what sklearn.metrics gives when this test computes it
// itself, in its own Python, from the same model and the same held-out file.

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-evaluations-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function evaluate(body: Record<string, unknown>): Promise<Evaluation> {
  const created = await bridge.client.api.createEvaluation({ body: body as never });
  expect(created.state).toBe('CREATE REQUESTED');
  const settled = await settledEvaluation(bridge.client, created.id);
  if (settled.state !== 'COMPLETE') {
    const log = await bridge.client.api.getEvaluationLog({ params: { id: created.id } });
    throw new Error(`evaluation ${settled.state}: ${settled.stateReason}\n${log.text}`);
  }
  return settled;
}

interface ClassExpected {
  classes: string[];
  accuracy: number;
  precision: number[];
  recall: number[];
  f1: number[];
  support: number[];
  macro: number[];
  weighted: number[];
  confusion: number[][];
  averagePrecision: number[];
  rocAucPerClass: number[];
  rocAuc: number;
}

/** An iris classifier (string labels) trained on 100 rows, and its figures on the 50 it never saw. */
function writeIris(dir: string, C = 1.0): ClassExpected {
  return pythonJson(`
import json, os, joblib, numpy as np, pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn import metrics
iris = load_iris()
names = np.array(["setosa", "versicolor", "virginica"])
X, y = iris.data, names[iris.target]
order = np.random.default_rng(0).permutation(len(y))
train, test = order[:100], order[100:]
model = LogisticRegression(C=${C}, max_iter=1000).fit(X[train], y[train])
os.makedirs(${JSON.stringify(dir)}, exist_ok=True)
joblib.dump(model, os.path.join(${JSON.stringify(dir)}, "model.joblib"))
frame = pd.DataFrame(X[test], columns=["sl", "sw", "pl", "pw"])
frame["species"] = y[test]
frame.to_csv(os.path.join(${JSON.stringify(work)}, "iris-test.csv"), index=False)
Xt, yt = X[test], y[test]
pred, proba, classes = model.predict(Xt), model.predict_proba(Xt), model.classes_
p, r, f, s = metrics.precision_recall_fscore_support(yt, pred, labels=classes, zero_division=0)
avg = lambda kind: list(metrics.precision_recall_fscore_support(yt, pred, labels=classes, average=kind, zero_division=0)[:3])
print(json.dumps({
  "classes": classes.tolist(), "accuracy": metrics.accuracy_score(yt, pred),
  "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
  "macro": avg("macro"), "weighted": avg("weighted"),
  "confusion": metrics.confusion_matrix(yt, pred, labels=classes).tolist(),
  "averagePrecision": [metrics.average_precision_score(yt == c, proba[:, i]) for i, c in enumerate(classes)],
  "rocAucPerClass": [metrics.roc_auc_score(yt == c, proba[:, i]) for i, c in enumerate(classes)],
  "rocAuc": metrics.roc_auc_score(yt, proba, multi_class="ovr", average="macro", labels=classes),
}))
`);
}

describe('evaluating a scikit-learn classifier', () => {
  it.skipIf(!hasSklearn)(
    `every figure equals what sklearn.metrics gives on the same held-out CSV${noSklearn}`,
    async () => {
      const artifact = join(work, 'iris-model');
      const expected = writeIris(artifact);
      await bridge.client.api.createModel({ body: { name: 'iris', artifactPath: artifact } });
      const data = join(work, 'iris-test.csv');
      const evaluation = await evaluate({ model: 'iris:1', data, label: 'species' });

      expect(evaluation.task).toBe('classification');
      expect(evaluation.data).toMatchObject({ path: data, format: 'csv', label: 'species', sha256: sha256(data) });
      expect(evaluation.rowsDone).toBe(50);
      const result = evaluation.result;
      expect(result?.rows).toBe(50);
      const c = result?.classification;
      if (!c) throw new Error('no classification result');
      expect(c.classes).toEqual(expected.classes);
      expect(c.accuracy).toBeCloseTo(expected.accuracy, 12);
      expect(c.confusionMatrix).toEqual(expected.confusion);
      expected.classes.forEach((name, i) => {
        const k = c.perClass[i];
        expect(k?.class).toBe(name);
        expect(k?.precision).toBeCloseTo(expected.precision[i] as number, 12);
        expect(k?.recall).toBeCloseTo(expected.recall[i] as number, 12);
        expect(k?.f1).toBeCloseTo(expected.f1[i] as number, 12);
        expect(k?.support).toBe(expected.support[i]);
        expect(k?.averagePrecision).toBeCloseTo(expected.averagePrecision[i] as number, 12);
        expect(k?.rocAuc).toBeCloseTo(expected.rocAucPerClass[i] as number, 12);
      });
      expect([c.macro.precision, c.macro.recall, c.macro.f1].map((v) => v?.toFixed(12))).toEqual(
        expected.macro.map((v) => v.toFixed(12)),
      );
      expect([c.weighted.precision, c.weighted.recall, c.weighted.f1].map((v) => v?.toFixed(12))).toEqual(
        expected.weighted.map((v) => v.toFixed(12)),
      );
      expect(c.hasScores).toBe(true);
      expect(c.rocAuc).toBeCloseTo(expected.rocAuc, 12);
      expect(c.unseenLabels).toEqual([]);
      // the list carries the headline figures, not the result
      const listed = await bridge.client.api.listEvaluations({ query: { model: 'iris' } });
      expect(listed.items.map((e) => e.id)).toContain(evaluation.id);
      const summary = listed.items.find((e) => e.id === evaluation.id);
      expect(summary?.metrics.accuracy).toBeCloseTo(expected.accuracy, 12);
      expect(summary).not.toHaveProperty('result');
    },
    180_000,
  );
});

interface BinaryExpected {
  classes: number[];
  at: Record<string, { precision: (number | null)[]; recall: number[]; predicted: number[]; support: number[] }>;
  bestThreshold: number;
}

describe('a binary model at a threshold', () => {
  it.skipIf(!hasSklearn)(
    `?threshold=0.3 and 0.8 give each class's precision, recall and count as sklearn does${noSklearn}`,
    async () => {
      const artifact = join(work, 'binary-model');
      const data = join(work, 'binary-test.csv');
      const expected = pythonJson<BinaryExpected>(`
import json, os, joblib, numpy as np, pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn import metrics
X, y = load_breast_cancer(return_X_y=True)
order = np.random.default_rng(1).permutation(len(y))
train, test = order[:350], order[350:]
model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05)).fit(X[train], y[train])
os.makedirs(${JSON.stringify(artifact)}, exist_ok=True)
joblib.dump(model, os.path.join(${JSON.stringify(artifact)}, "model.joblib"))
frame = pd.DataFrame(X[test], columns=[f"f{i}" for i in range(X.shape[1])])
frame["label"] = y[test]
frame.to_csv(${JSON.stringify(data)}, index=False)
proba, yt, classes = model.predict_proba(X[test]), y[test], model.classes_
at = {}
for t in (0.3, 0.8):
    rows = {"precision": [], "recall": [], "predicted": [], "support": []}
    for i, c in enumerate(classes):
        chosen = proba[:, i] >= t
        truth = yt == c
        rows["precision"].append(float(metrics.precision_score(truth, chosen)) if chosen.any() else None)
        rows["recall"].append(float(metrics.recall_score(truth, chosen)))
        rows["predicted"].append(int(chosen.sum()))
        rows["support"].append(int(truth.sum()))
    at[str(t)] = rows
p, r, th = metrics.precision_recall_curve(yt == classes[1], proba[:, 1])
f1 = np.where(p[:-1] + r[:-1] > 0, 2 * p[:-1] * r[:-1] / np.maximum(p[:-1] + r[:-1], 1e-300), 0)
print(json.dumps({"classes": classes.tolist(), "at": at, "bestThreshold": float(th[int(np.argmax(f1))])}))
`);
      await bridge.client.api.createModel({ body: { name: 'cancer', artifactPath: artifact } });
      const evaluation = await evaluate({ model: 'cancer', data });
      expect(evaluation.atThreshold?.threshold).toBe(0.5);
      expect(evaluation.result?.classification?.bestF1?.threshold).toBeCloseTo(expected.bestThreshold, 12);

      for (const t of [0.3, 0.8]) {
        const answer = await bridge.client.api.getEvaluation({ params: { id: evaluation.id }, query: { threshold: t } });
        const at = answer.atThreshold as ThresholdFigures;
        const want = expected.at[String(t)];
        if (!want) throw new Error('no expected figures');
        expect(at.threshold).toBe(t);
        expect(at.perClass.map((k) => k.class)).toEqual(expected.classes);
        at.perClass.forEach((k, i) => {
          const precision = want.precision[i] ?? null;
          if (precision === null) expect(k.precision).toBeNull();
          else expect(k.precision).toBeCloseTo(precision, 12);
          expect(k.recall).toBeCloseTo(want.recall[i] as number, 12);
          expect(k.predicted).toBe(want.predicted[i]);
          expect(k.support).toBe(want.support[i]);
        });
      }
    },
    180_000,
  );
});

describe('a regression model', () => {
  it.skipIf(!hasSklearn)(
    `RMSE, MAE and R² equal sklearn's; the worst residuals come first${noSklearn}`,
    async () => {
      const artifact = join(work, 'regressor');
      const data = join(work, 'regression-test.csv');
      const expected = pythonJson<{ rmse: number; mae: number; r2: number; worst: number }>(`
import json, os, joblib, numpy as np, pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn import metrics
X, y = load_diabetes(return_X_y=True)
model = Ridge(alpha=0.5).fit(X[:300], y[:300])
os.makedirs(${JSON.stringify(artifact)}, exist_ok=True)
joblib.dump(model, os.path.join(${JSON.stringify(artifact)}, "model.joblib"))
frame = pd.DataFrame(X[300:], columns=[f"x{i}" for i in range(X.shape[1])])
frame["target"] = y[300:]
frame.to_csv(${JSON.stringify(data)}, index=False)
pred = model.predict(X[300:])
print(json.dumps({
  "rmse": float(np.sqrt(metrics.mean_squared_error(y[300:], pred))),
  "mae": float(metrics.mean_absolute_error(y[300:], pred)),
  "r2": float(metrics.r2_score(y[300:], pred)),
  "worst": int(np.argmax(np.abs(pred - y[300:]))),
}))
`);
      await bridge.client.api.createModel({ body: { name: 'diabetes', artifactPath: artifact } });
      const evaluation = await evaluate({ model: 'diabetes', data, label: 'target', task: 'regression' });
      const r = evaluation.result?.regression;
      expect(evaluation.task).toBe('regression');
      expect(r?.rmse).toBeCloseTo(expected.rmse, 9);
      expect(r?.mae).toBeCloseTo(expected.mae, 9);
      expect(r?.r2).toBeCloseTo(expected.r2 as number, 9);
      expect(r?.residuals.counts.reduce((a, b) => a + b, 0)).toBe(142);
      expect(evaluation.result?.errors[0]?.row).toBe(expected.worst);
      expect(evaluation.atThreshold).toBeNull();
    },
    180_000,
  );
});

describe('iterations: the versions of a model side by side', () => {
  it.skipIf(!hasSklearn)(
    `two versions line up on the dataset's hash; another dataset is listed and can be asked for${noSklearn}`,
    async () => {
      const v1 = join(work, 'it-v1');
      const v2 = join(work, 'it-v2');
      const first = writeIris(v1, 0.01);
      const second = writeIris(v2, 10);
      const data = join(work, 'iris-test.csv');
      await bridge.client.api.createModel({ body: { name: 'flowers', artifactPath: v1 } });
      await bridge.client.api.createModel({ body: { name: 'flowers', artifactPath: v2, aliases: ['production'] } });
      const e1 = await evaluate({ model: 'flowers:1', data, label: 'species' });
      const e2 = await evaluate({ model: 'flowers:2', data, label: 'species' });

      const lined = await bridge.client.api.listModelEvaluations({ params: { id: 'flowers' } });
      expect(lined.name).toBe('flowers');
      expect(lined.dataset).toEqual({ sha256: sha256(data), path: data });
      expect(lined.iterations.map((i) => [i.version, i.aliases, i.evaluation?.id])).toEqual([
        [1, [], e1.id],
        [2, ['production'], e2.id],
      ]);
      expect(lined.iterations[0]?.evaluation?.metrics.accuracy).toBeCloseTo(first.accuracy, 12);
      expect(lined.iterations[1]?.evaluation?.metrics.accuracy).toBeCloseTo(second.accuracy, 12);

      // version 1 on a second file: now the one evaluated last, and the first can still be asked for
      const other = join(work, 'iris-other.csv');
      const rows = readFileSync(data, 'utf8').trim().split('\n');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(other, `${rows.slice(0, 31).join('\n')}\n`);
      const e3 = await evaluate({ model: 'flowers:1', data: other, label: 'species' });
      const latest = await bridge.client.api.listModelEvaluations({ params: { id: 'flowers' } });
      expect(latest.dataset?.sha256).toBe(sha256(other));
      expect(latest.iterations.map((i) => i.evaluation?.id ?? null)).toEqual([e3.id, null]);
      expect(latest.datasets.map((d) => [d.sha256, d.evaluations])).toEqual([
        [sha256(other), 1],
        [sha256(data), 2],
      ]);
      const asked = await bridge.client.api.listModelEvaluations({
        params: { id: 'flowers@production' },
        query: { dataset: sha256(data) },
      });
      expect(asked.iterations.map((i) => i.evaluation?.id)).toEqual([e1.id, e2.id]);
    },
    300_000,
  );
});
