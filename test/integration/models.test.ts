import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib');
const reason = hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-models-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const TRAIN = [
  'import os, sys, joblib',
  'from sklearn.datasets import load_iris',
  'from sklearn.linear_model import LogisticRegression',
  'from emkit.tracking import log_metric',
  'C = float(sys.argv[sys.argv.index("--C") + 1])',
  'X, y = load_iris(return_X_y=True)',
  'model = LogisticRegression(C=C, max_iter=300).fit(X, y)',
  'log_metric("accuracy", model.score(X, y), 1)',
  'joblib.dump(model, os.path.join(os.environ["EM_MODEL_DIR"], "model.joblib"))',
].join('\n');

describe('models', () => {
  it.skipIf(!hasSklearn)(
    `registers versions from COMPLETE trainings with their lineage, promotes aliases, and guards the training${reason}`,
    async () => {
      const source = writeTree(join(work, 'iris'), { 'train.py': TRAIN });
      const trainings = [];
      for (const C of ['0.1', '1.0']) {
        const t = await bridge.client.api.createTraining({
          body: { source: { path: join(source, 'train.py') }, hyperparameters: { C }, experiment: 'iris' },
        });
        const done = await settledTraining(bridge.client, t.id);
        expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
        trainings.push(done);
      }
      const [first, second] = trainings as [(typeof trainings)[0], (typeof trainings)[0]];

      const v1 = await bridge.client.api.createModel({ body: { name: 'iris', training: first.name, aliases: ['staging'] } });
      expect(v1).toMatchObject({ name: 'iris', version: 1, framework: 'scikit-learn', aliases: ['staging'], files: 1 });
      expect(v1.frameworkVersion).toMatch(/^\d+\.\d+/);
      expect(v1.source).toEqual({
        training: { id: first.id, name: first.name },
        experiment: { id: first.experimentId, name: 'iris' },
        path: null,
      });
      expect(v1.hyperparameters).toEqual({ C: '0.1' });
      expect(v1.metrics.accuracy?.last).toBeGreaterThan(0.8);
      expect(existsSync(join(v1.artifactPath, 'model.joblib'))).toBe(true);

      const v2 = await bridge.client.api.createModel({ body: { name: 'iris', training: second.id } });
      expect(v2.version).toBe(2);

      // name → newest, name:version, name@alias
      expect((await bridge.client.api.getModel({ params: { id: 'iris' } })).id).toBe(v2.id);
      expect((await bridge.client.api.getModel({ params: { id: 'iris:1' } })).id).toBe(v1.id);
      expect((await bridge.client.api.getModel({ params: { id: 'iris@staging' } })).id).toBe(v1.id);

      // promote moves the alias
      const promoted = await bridge.client.api.promoteModel({ params: { id: 'iris:2' }, body: { alias: 'staging' } });
      expect(promoted.aliases).toEqual(['staging']);
      expect((await bridge.client.api.getModel({ params: { id: 'iris:1' } })).aliases).toEqual([]);
      expect((await bridge.client.api.getModel({ params: { id: 'iris@staging' } })).version).toBe(2);
      await bridge.client.api.promoteModel({ params: { id: 'iris:1' }, body: { alias: 'production' } });
      const listed = await bridge.client.api.listModels({ query: { name: 'iris' } });
      expect(listed.items.map((m: Model) => [m.version, m.aliases])).toEqual([
        [2, ['staging']],
        [1, ['production']],
      ]);

      // the training a model comes from can't be deleted
      const guarded = await refusal(bridge.client.api.deleteTraining({ params: { id: first.id } }));
      expect(guarded.status).toBe(409);
      expect(guarded.message).toContain('iris:1');

      const cli = spawnSync(process.execPath, [cliPath, '--home', bridge.home, 'model', 'list', 'iris'], { encoding: 'utf8' });
      expect(cli.stdout).toMatch(/iris\s+2\s+staging\s+scikit-learn/);

      await bridge.client.api.deleteModel({ params: { id: 'iris:1' } });
      expect(existsSync(v1.artifactPath)).toBe(false);
      expect((await refusal(bridge.client.api.getModel({ params: { id: 'iris@production' } }))).status).toBe(404);
      await bridge.client.api.deleteTraining({ params: { id: first.id } });
    },
  );

  it('registers an artifact path, tells the framework from the files, and refuses what it cannot register', async () => {
    const custom = writeTree(join(work, 'custom'), {
      'predict.py': 'def load():\n    return None\n\ndef predict(instances):\n    return instances\n',
    });
    const model = await bridge.client.api.createModel({ body: { name: 'echo', artifactPath: custom, tags: { kind: 'demo' } } });
    expect(model).toMatchObject({
      name: 'echo',
      version: 1,
      framework: 'custom',
      frameworkVersion: null,
      tags: { kind: 'demo' },
    });
    expect(model.source).toEqual({ training: null, experiment: null, path: custom });

    const onnx = writeTree(join(work, 'onnx'), { 'model.onnx': 'not really onnx, but named so' });
    const file = await bridge.client.api.createModel({
      body: { name: 'net', artifactPath: join(onnx, 'model.onnx'), frameworkVersion: '1.17' },
    });
    expect(file).toMatchObject({ framework: 'onnx', frameworkVersion: '1.17', files: 1 });

    const unknown = writeTree(join(work, 'unknown'), { 'weights.bin': 'x' });
    const noFramework = await refusal(bridge.client.api.createModel({ body: { name: 'x', artifactPath: unknown } }));
    expect([noFramework.status, noFramework.field]).toEqual([422, 'framework']);
    const both = await refusal(bridge.client.api.createModel({ body: { name: 'x', artifactPath: unknown, training: 'y' } }));
    expect(both.status).toBe(400);
    const missing = await refusal(bridge.client.api.createModel({ body: { name: 'x', artifactPath: join(work, 'absent') } }));
    expect([missing.status, missing.field]).toEqual([422, 'artifactPath']);
    const badAlias = await refusal(
      bridge.client.api.createModel({ body: { name: 'x', artifactPath: custom, aliases: ['Prod!'] } }),
    );
    expect(badAlias.status).toBe(400);

    const failing = writeTree(join(work, 'failing'), { 'fail.py': 'raise SystemExit(1)\n' });
    const failed = await settledTraining(
      bridge.client,
      (await bridge.client.api.createTraining({ body: { source: { path: join(failing, 'fail.py') } } })).id,
    );
    const notComplete = await refusal(bridge.client.api.createModel({ body: { name: 'x', training: failed.id } }));
    expect([notComplete.status, notComplete.message]).toEqual([409, expect.stringContaining('FAIL TRAIN')]);
    const nothing = writeTree(join(work, 'nothing'), { 'ok.py': 'print("saved nothing")\n' });
    const empty = await settledTraining(
      bridge.client,
      (await bridge.client.api.createTraining({ body: { source: { path: join(nothing, 'ok.py') } } })).id,
    );
    const emptyDir = await refusal(bridge.client.api.createModel({ body: { name: 'x', training: empty.id } }));
    expect([emptyDir.status, emptyDir.message]).toEqual([422, expect.stringContaining('EM_MODEL_DIR')]);
    expect((await bridge.client.api.listModels({ query: { name: 'x' } })).total).toBe(0);
  });
});
