import { join } from 'node:path';
import { pythonJson } from '../../support/endpoints.js';
import { writeTree } from '../../support/trainings.js';

/** What the model view's end-to-end tests evaluate: two versions of one classifier and the held-out file. */
export interface CancerModels {
  /** artifact folders of v1 (a weak model) and v2 (a better one): model.joblib in each */
  versions: [string, string];
  /** the held-out CSV: 5 feature columns and `diagnosis` */
  csv: string;
  /** two rows of the CSV's features, for the quick test */
  instances: number[][];
}

/**
 * A binary scikit-learn classifier (breast cancer: "malignant" / "benign", five features so it
 * makes mistakes worth a confusion matrix) at two strengths, and the rows neither saw.
 */
export function writeCancerModels(dir: string): CancerModels {
  return pythonJson(`
import json, os, joblib, numpy as np, pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
data = load_breast_cancer()
X = data.data[:, :5]
y = np.array(["malignant", "benign"])[data.target]
order = np.random.default_rng(1).permutation(len(y))
train, test = order[:400], order[400:]
dirs = []
for version, C in ((1, 0.001), (2, 1.0)):
    folder = os.path.join(${JSON.stringify(dir)}, f"v{version}")
    os.makedirs(folder, exist_ok=True)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000)).fit(X[train], y[train])
    joblib.dump(model, os.path.join(folder, "model.joblib"))
    dirs.append(folder)
frame = pd.DataFrame(X[test], columns=[f"f{i}" for i in range(5)])
frame["diagnosis"] = y[test]
csv = os.path.join(${JSON.stringify(dir)}, "cancer-test.csv")
frame.to_csv(csv, index=False)
print(json.dumps({"versions": dirs, "csv": csv, "instances": X[test][:2].round(4).tolist()}))
`);
}

/** A custom predict.py model that takes files: it names the kind of file each instance is, by its first bytes. */
export function writeFileModel(dir: string): string {
  return writeTree(join(dir, 'file-kind'), {
    'predict.py': [
      'import base64',
      '',
      '',
      'def predict(instances):',
      '    kinds = []',
      '    for instance in instances:',
      '        data = base64.b64decode(instance["b64"])',
      '        kinds.append("png" if data[:8] == b"\\x89PNG\\r\\n\\x1a\\n" else "other")',
      '    return kinds',
      '',
    ].join('\n'),
  });
}

/** A 16×16 PNG, red: what the quick test's file picker is given. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGM4oaFBEmIY1TCqYfhqAAB8MxgQ+Pjr0gAAAABJRU5ErkJggg==',
  'base64',
);
