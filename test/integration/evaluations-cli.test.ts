import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { pythonJson } from '../support/endpoints.js';
import { writeCsv, writeCustomEvaluationModel } from '../support/evaluations.js';
import { pythonHas, venvPython } from '../support/trainings.js';

// `emkit model evaluate`, `emkit evaluation …`, `emkit model iterations` and `emkit model promote`, as a user
// types them, against a real bridge and the real runner.

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-evaluations-cli-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

function emkit(...args: string[]) {
  const result = spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the CLI of evaluations', () => {
  it.skipIf(!hasSklearn)(
    `evaluate --wait prints the figures, the per-class table and the confusion matrix; get, iterations, promote${noSklearn}`,
    () => {
      const artifact = join(work, 'model');
      const data = join(work, 'test.csv');
      const expected = pythonJson<{ accuracy: string }>(`
import json, os, joblib, numpy as np, pandas as pd
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier
X, y = load_iris(return_X_y=True)
names = np.array(["setosa", "versicolor", "virginica"])[y]
model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X[::2], names[::2])
os.makedirs(${JSON.stringify(artifact)}, exist_ok=True)
joblib.dump(model, os.path.join(${JSON.stringify(artifact)}, "model.joblib"))
frame = pd.DataFrame(X[1::2], columns=["a", "b", "c", "d"])
frame["kind"] = names[1::2]
frame.to_csv(${JSON.stringify(data)}, index=False)
print(json.dumps({"accuracy": f"{model.score(X[1::2], names[1::2]):.4f}"}))
`);
      expect(emkit('model', 'create', 'flower', '--path', artifact).code).toBe(0);

      const run = emkit('model', 'evaluate', 'flower:1', '--data', data, '--label', 'kind', '--wait');
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`accuracy ${expected.accuracy}`);
      expect(run.stdout).toMatch(/CLASS\s+PRECISION\s+RECALL\s+F1\s+SUPPORT/);
      expect(run.stdout).toContain('confusion matrix (rows: true class, columns: predicted class)');
      for (const name of ['setosa', 'versicolor', 'virginica', '(macro)', '(weighted)']) expect(run.stdout).toContain(name);
      const id = /^evaluation (\S+) of flower:1/.exec(run.stdout)?.[1] as string;
      expect(id).toBeTruthy();

      const at = emkit('evaluation', 'get', id, '--threshold', '0.9');
      expect(at.code).toBe(0);
      expect(at.stdout).toContain('at threshold 0.9:');
      const json = JSON.parse(emkit('--json', 'evaluation', 'get', id, '--threshold', '0.25').stdout);
      expect(json.atThreshold.threshold).toBe(0.25);
      expect(emkit('evaluation', 'list', '--model', 'flower').stdout).toContain(id);
      expect(emkit('evaluation', 'log', id).code).toBe(0);

      const iterations = emkit('model', 'iterations', 'flower');
      expect(iterations.code).toBe(0);
      expect(iterations.stdout).toContain(`flower on ${data}`);
      expect(iterations.stdout).toMatch(new RegExp(`1\\s+${expected.accuracy.replace('.', '\\.')}`));

      const promoted = emkit('model', 'promote', 'flower:1', 'production');
      expect(promoted.code).toBe(0);
      expect(promoted.stdout).toContain('flower@production → version 1');
      expect(promoted.stdout).toContain(`evaluated on ${data}`);
      expect(promoted.stdout).toContain(`accuracy ${expected.accuracy}`);

      expect(emkit('evaluation', 'delete', id).stdout).toContain(`evaluation ${id}: deleted`);
      expect(emkit('evaluation', 'get', id).code).toBe(4);
    },
    180_000,
  );

  it('a failed evaluation with --wait exits 6; a bad threshold is a usage error; a refused dataset exits 1', () => {
    const artifact = writeCustomEvaluationModel(join(work, 'brittle'), { failAt: 1 });
    expect(emkit('model', 'create', 'brittle', '--path', artifact, '--framework', 'custom').code).toBe(0);
    const data = writeCsv(
      join(work, 'rows.csv'),
      ['x', 'label'],
      [
        [0, 0],
        [1, 1],
      ],
    );
    const failed = emkit('model', 'evaluate', 'brittle', '--data', data, '--task', 'classification', '--wait');
    expect(failed.code).toBe(6);
    expect(failed.stdout).toContain(': FAILED');
    expect(failed.stdout).toContain('the model broke on purpose');

    const usage = emkit('model', 'evaluate', 'brittle', '--data', data, '--threshold', '1.5');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('not a probability between 0 and 1');

    const refused = emkit('model', 'evaluate', 'brittle', '--data', join(bridge.home, 'token'), '--format', 'csv');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("emkit's own folder");

    const promoted = emkit('model', 'promote', 'brittle', 'staging');
    expect(promoted.stdout).toContain('no evaluation of brittle:1 yet: `emkit model evaluate brittle:1 --data PATH`');
  }, 120_000);
});
