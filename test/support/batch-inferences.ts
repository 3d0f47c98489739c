import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BatchInference, batchInferenceStates, type EmkitClient, isSettled } from '@emkit/shared';
import { projectEnv, waitFor } from './bridge.js';
import { venvPython } from './trainings.js';

/** Poll until the job settles (COMPLETE, FAILED or STOPPED). */
export function settledBatch(client: EmkitClient, id: string, timeoutMs = 300_000): Promise<BatchInference> {
  return waitFor(
    async () => {
      const job = await client.api.getBatchInference({ params: { id } });
      return isSettled(batchInferenceStates, job.state) ? job : undefined;
    },
    timeoutMs,
    `batch scoring ${id} to settle`,
  );
}

/** Runs a Python snippet in the project's .venv; its stdout. */
export function python(code: string, args: readonly string[] = []): string {
  const run = spawnSync(venvPython, ['-c', code, ...args], { env: projectEnv(), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}`);
  return run.stdout;
}

/**
 * A table of `rows` rows of four numeric columns (a, b, c, d) at `csv`, and a scikit-learn classifier fitted on
 * it saved under `modelDir` (model.joblib); `expected` (a JSON file) gets the model's own predict() of every row,
 * in order, one call per row's batch of the whole table.
 */
export function writeTableAndModel(csv: string, modelDir: string, expected: string, rows: number): void {
  python(
    `
import json, os, sys
import numpy as np, pandas as pd, joblib
from sklearn.linear_model import LogisticRegression
csv, model_dir, expected, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rng = np.random.default_rng(7)
x = rng.normal(size=(rows, 4)).round(6)
y = np.where(x[:, 0] + x[:, 1] > 0.3, "yes", "no")
frame = pd.DataFrame(x, columns=list("abcd"))
model = LogisticRegression().fit(x, y)
os.makedirs(model_dir, exist_ok=True)
joblib.dump(model, os.path.join(model_dir, "model.joblib"))
frame.to_csv(csv, index=False)
back = pd.read_csv(csv)
json.dump(model.predict(back.to_numpy()).tolist(), open(expected, "w"))
`,
    [csv, modelDir, expected, String(rows)],
  );
}

/** The rows of a JSONL file. */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The pids of the processes whose command line names a file under `<home>/batch-inferences/` (Linux: /proc). */
export function batchRunnersUnder(home: string): number[] {
  const marker = join(home, 'batch-inferences');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * A custom predict.py model: each instance's first value (a JSONL instance, or a table row's first column) is its
 * prediction, after `delaySeconds` a call; an instance whose first value is `failAt` raises, as a model that breaks
 * on some input does.
 */
export function customModelFiles(options: { delaySeconds?: number; failAt?: number } = {}): Record<string, string> {
  return {
    'predict.py': [
      'import time',
      '',
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      `    time.sleep(${options.delaySeconds ?? 0})`,
      '    out = []',
      '    for x in instances:',
      '        first = x[0] if isinstance(x, list) else x',
      `        if ${options.failAt === undefined ? 'False' : `float(first) == ${options.failAt}`}:`,
      '            raise ValueError(f"cannot score {first}: the model broke on purpose")',
      '        out.append(int(float(first)))',
      '    return out',
      '',
    ].join('\n'),
  };
}

/**
 * A folder of PNG images under `dir` (class subfolders `light/` and `dark/`, `count` each, of varied grey), one
 * corrupt `.png`, and a custom image model at `modelDir` whose predict_scores says "light" or "dark" from the mean
 * grey, with CLASSES and scores. Answers the relative paths of the good images with the label each should get.
 */
export function writeImagesAndModel(dir: string, modelDir: string, count: number): Record<string, string> {
  const out = python(
    `
import base64, io, json, os, sys
from PIL import Image
folder, count = sys.argv[1], int(sys.argv[2])
expected = {}
for label, low in (("light", 160), ("dark", 0)):
    os.makedirs(os.path.join(folder, label), exist_ok=True)
    for i in range(count):
        grey = low + (i * 7) % 90
        name = f"{label}/{i:03d}.png"
        Image.new("L", (8, 8), grey).save(os.path.join(folder, name))
        expected[name] = "light" if grey >= 128 else "dark"
with open(os.path.join(folder, "light", "broken.png"), "wb") as f:
    f.write(b"not a png at all")
print(json.dumps(expected))
`,
    [dir, String(count)],
  );
  python(
    `
import os, sys
os.makedirs(sys.argv[1], exist_ok=True)
open(os.path.join(sys.argv[1], "predict.py"), "w").write('''
import base64, io
from PIL import Image

CLASSES = ["dark", "light"]

def _grey(instance):
    image = Image.open(io.BytesIO(base64.b64decode(instance["b64"])))
    pixels = list(image.convert("L").getdata())
    return sum(pixels) / len(pixels) / 255

def predict_scores(instances):
    greys = [_grey(x) for x in instances]
    return ["light" if g >= 128 / 255 else "dark" for g in greys], [[1 - g, g] for g in greys]

def predict(instances):
    return predict_scores(instances)[0]
''')
`,
    [modelDir],
  );
  return JSON.parse(out) as Record<string, string>;
}
