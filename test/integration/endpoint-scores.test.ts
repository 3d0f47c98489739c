import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint, IRIS_ROWS, type IrisAnswers, infer, writeIrisClassifier } from '../support/endpoints.js';
import { pythonHas, venvPython } from '../support/trainings.js';

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-endpoint-scores-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('class scores through the gateway', () => {
  it.skipIf(!hasSklearn)(
    `return_scores: true gets predict_proba and classes_; without it the answer is unchanged${noSklearn}`,
    async () => {
      const dir = join(work, 'iris');
      const expected = writeIrisClassifier(dir);
      await bridge.client.api.createModel({ body: { name: 'iris', artifactPath: dir } });
      await bridge.client.api.createEndpoint({ body: { name: 'iris-scores', model: 'iris:1' } });
      await activeEndpoint(bridge.client, 'iris-scores');

      const scored = await infer(bridge, '/inference/iris-scores', { instances: IRIS_ROWS, return_scores: true });
      expect(scored.status, JSON.stringify(scored.body)).toBe(200);
      const body = scored.body as unknown as IrisAnswers;
      expect(Object.keys(body).sort()).toEqual(['classes', 'predictions', 'scores']);
      expect(body.predictions).toEqual(expected.predictions);
      expect(body.classes).toEqual(expected.classes);
      expect(body.scores).toHaveLength(IRIS_ROWS.length);
      for (const [i, row] of body.scores.entries()) {
        for (const [j, p] of row.entries()) expect(p).toBeCloseTo(expected.scores[i]?.[j] ?? Number.NaN, 12);
      }

      const plain = await infer(bridge, '/inference/iris-scores', { instances: IRIS_ROWS });
      expect(plain.status).toBe(200);
      expect(plain.body).toEqual({ predictions: expected.predictions });

      const bad = await infer(bridge, '/inference/iris-scores', { instances: IRIS_ROWS, return_scores: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.error?.code).toBe('validation');
      expect(bad.body.error?.message).toContain('return_scores');
    },
    120_000,
  );
});
