import { spawnSync } from 'node:child_process';
import type { EmkitClient, Endpoint, EndpointStage } from '@emkit/shared';
import { waitFor } from './bridge.js';
import { venvPython, writeTree } from './trainings.js';

/** Poll until the endpoint is ACTIVE; a failure (CREATE FAILED, UPDATE FAILED) ends the wait with its reason. */
export function activeEndpoint(client: EmkitClient, name: string, timeoutMs = 90_000): Promise<Endpoint> {
  return waitFor(
    async () => {
      const endpoint = await client.api.getEndpoint({ params: { id: name } });
      if (endpoint.state.endsWith('FAILED')) throw new Error(`endpoint ${name} is ${endpoint.state}: ${endpoint.stateReason}`);
      return endpoint.state === 'ACTIVE' && endpoint;
    },
    timeoutMs,
    `endpoint ${name} to be ACTIVE`,
  );
}

/** Deploy a model version (`name:version`) on a new endpoint and wait until it serves. */
export async function deployModel(client: EmkitClient, endpoint: string, model: string): Promise<Endpoint> {
  await client.api.createEndpoint({ body: { name: endpoint, model } });
  return activeEndpoint(client, endpoint);
}

export function activeStage(client: EmkitClient, name: string, stage: string, timeoutMs = 90_000): Promise<EndpointStage> {
  return waitFor(
    async () => {
      const found = await client.api.getEndpointStage({ params: { id: name, stage } });
      if (found.state.endsWith('FAILED')) throw new Error(`stage ${name}/${stage} is ${found.state}: ${found.stateReason}`);
      return found.state === 'ACTIVE' && found;
    },
    timeoutMs,
    `stage ${name}/${stage} to be ACTIVE`,
  );
}

export interface InferenceAnswer {
  status: number;
  body: { predictions?: unknown[]; error?: { code: string; message: string } };
  inferenceId: string | null;
  ms: number;
}

/** One call of the gateway as any HTTP client makes it; `raw` sends a body as it is. */
export async function infer(
  bridge: { url: string; token: string },
  path: string,
  document: unknown,
  options: { raw?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<InferenceAnswer> {
  const started = performance.now();
  const response = await fetch(`${bridge.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json', ...options.headers },
    body: options.raw ?? JSON.stringify(document),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as InferenceAnswer['body'],
    inferenceId: response.headers.get('x-inference-id'),
    ms: performance.now() - started,
  };
}

/**
 * A custom predictor (predict.py with load() and predict(instances)) that answers each
 * instance with `[label, sum]`, after `delayMs`: the label tells which stage answered.
 */
export function writeCustomModel(dir: string, label: string, delayMs = 0): string {
  return writeTree(dir, {
    'predict.py': [
      'import time',
      '',
      `LABEL = ${JSON.stringify(label)}`,
      '',
      'def load():',
      '    return LABEL',
      '',
      'def predict(model, instances):',
      `    time.sleep(${delayMs / 1000})`,
      '    return [[LABEL, sum(x)] for x in instances]',
      '',
    ].join('\n'),
  });
}

/** Run Python in the project's .venv; its stdout parsed as JSON. */
export function pythonJson<T>(code: string): T {
  const run = spawnSync(venvPython, ['-c', code], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed (${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A linear ONNX model (X @ W + B, 4 inputs, 3 outputs) in `dir`/model.onnx; answers W and B. */
export function writeOnnxModel(dir: string): { W: number[][]; B: number[] } {
  return pythonJson(`
import json, os, numpy, onnx
from onnx import TensorProto, helper, numpy_helper
W = ((numpy.arange(12, dtype=numpy.float32).reshape(4, 3) - 5) / 10)
B = numpy.array([0.5, -1.0, 2.0], dtype=numpy.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["X", "W"], ["XW"]), helper.make_node("Add", ["XW", "B"], ["Y"])],
    "linear",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 3])],
    initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
os.makedirs(${JSON.stringify(dir)}, exist_ok=True)
onnx.save(model, os.path.join(${JSON.stringify(dir)}, "model.onnx"))
print(json.dumps({"W": W.tolist(), "B": B.tolist()}))
`);
}

/** What the model saved at `modelDir` (a joblib file) predicts in Python itself. */
export function sklearnPredictions(modelDir: string, rows: number[][]): unknown[] {
  return pythonJson(`
import glob, json, joblib, os
model = joblib.load(glob.glob(os.path.join(${JSON.stringify(modelDir)}, "*.joblib"))[0])
print(json.dumps(model.predict(${JSON.stringify(rows)}).tolist()))
`);
}

export const IRIS_ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
  [7.7, 3.0, 6.1, 2.3],
  [4.9, 2.5, 4.5, 1.7],
];

/** What an iris classifier answers for IRIS_ROWS, computed by scikit-learn itself. */
export interface IrisAnswers {
  predictions: number[];
  scores: number[][];
  classes: number[];
}

/** An iris LogisticRegression saved in `dir`, and what it answers in Python itself. */
export function writeIrisClassifier(dir: string): IrisAnswers {
  return pythonJson(`
import json, os, joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=500).fit(X, y)
os.makedirs(${JSON.stringify(dir)}, exist_ok=True)
joblib.dump(model, os.path.join(${JSON.stringify(dir)}, "model.joblib"))
rows = ${JSON.stringify(IRIS_ROWS)}
print(json.dumps({
    "predictions": model.predict(rows).tolist(),
    "scores": model.predict_proba(rows).tolist(),
    "classes": model.classes_.tolist(),
}))
`);
}
