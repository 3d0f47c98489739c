import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, repoRoot, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint } from '../support/endpoints.js';
import { writeCsv, writeCustomEvaluationModel } from '../support/evaluations.js';
import { refusal } from '../support/refusal.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

// Model activation against real bridges: a deactivated version is refused deployment, quick tests and evaluations
// (409, nothing made); a served one can't be deactivated; --max-active-models caps the ACTIVE versions (create,
// reactivation, a built-in recipe's registration); a deactivated one is deleted with the training and uploads that made it.

const hasTools = pythonHas(venvPython, 'pandas', 'pyarrow', 'PIL');
const noTools = hasTools ? '' : ' (SKIPPED: pandas, pyarrow or Pillow is not installed in .venv)';
const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';

let work: string;
beforeAll(() => {
  work = tempDir('emkit-activation-');
});
afterAll(() => removeDir(work ?? ''));

const model = (dir: string) => writeCustomEvaluationModel(join(work, dir));

describe('a deactivated model version', () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge({ args: ['--python', venvPython] });
  });
  afterAll(async () => {
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
  });
  const api = () => bridge.client.api;

  it('is refused deployment, quick tests and evaluations with 409 naming it, and nothing is made', async () => {
    await api().createModel({ body: { name: 'act', artifactPath: model('act') } });
    const inactive = await api().updateModel({ params: { id: 'act:1' }, body: { active: false } });
    expect(inactive.state).toBe('INACTIVE');
    expect((await api().getModel({ params: { id: 'act' } })).state).toBe('INACTIVE');

    const deploy = await refusal(api().createEndpoint({ body: { name: 'act-ep', model: 'act:1' } }));
    expect(deploy).toMatchObject({ status: 409, code: 'conflict' });
    expect(deploy.message).toContain('model "act" version 1 is deactivated');
    expect(deploy.message).toContain('emkit model activate act:1');
    expect((await api().listEndpoints({})).total).toBe(0);

    const quick = await refusal(api().predictModel({ params: { id: 'act:1' }, body: { instances: [[1]] } }));
    expect(quick).toMatchObject({ status: 409, code: 'conflict' });
    expect(quick.message).toContain('emkit model activate act:1');

    const data = writeCsv(
      join(work, 'eval.csv'),
      ['x', 'label'],
      [
        [1, 1],
        [2, 2],
      ],
    );
    const evaluate = await refusal(api().createEvaluation({ body: { model: 'act:1', data, label: 'label' } }));
    expect(evaluate).toMatchObject({ status: 409, code: 'conflict' });
    expect(evaluate.message).toContain('emkit model activate act:1');
    expect((await api().listEvaluations({})).total).toBe(0);
    const evaluations = join(bridge.home, 'evaluations');
    expect(existsSync(evaluations) ? readdirSync(evaluations) : []).toEqual([]);

    // reactivated: served and quick-tested again
    expect((await api().updateModel({ params: { id: 'act:1' }, body: { active: true } })).state).toBe('ACTIVE');
    const answer = await api().predictModel({ params: { id: 'act:1' }, body: { instances: [[3]] } });
    expect(answer.predictions).toEqual([3]);
  }, 120_000);

  it('is not deactivated while a stage serves it (409: stop the stage first), nor a stage added for it', async () => {
    await api().createModel({ body: { name: 'served', artifactPath: model('served') } });
    await api().createEndpoint({ body: { name: 'served', model: 'served:1' } });
    await activeEndpoint(bridge.client, 'served');
    const refused = await refusal(api().updateModel({ params: { id: 'served:1' }, body: { active: false } }));
    expect(refused).toMatchObject({ status: 409, code: 'conflict' });
    expect(refused.message).toContain('stage "default" of endpoint "served"');
    expect(refused.message).toContain('stop it first');
    expect((await api().getModel({ params: { id: 'served:1' } })).state).toBe('ACTIVE');

    await api().createModel({ body: { name: 'idle', artifactPath: model('idle') } });
    await api().updateModel({ params: { id: 'idle' }, body: { active: false } });
    const stage = await refusal(
      api().createEndpointStage({ params: { id: 'served' }, body: { name: 'canary', model: 'idle:1' } }),
    );
    expect(stage).toMatchObject({ status: 409, code: 'conflict' });
    expect(stage.message).toContain('model "idle" version 1 is deactivated');
    expect((await api().getEndpoint({ params: { id: 'served' } })).stages.map((s) => s.name)).toEqual(['default']);

    // an active version isn't deleted with its sources: deactivate it first
    const withSources = await refusal(api().deleteModel({ params: { id: 'served:1' }, query: { withSources: true } }));
    expect(withSources).toMatchObject({ status: 409, code: 'conflict' });
    expect(withSources.message).toContain('emkit model deactivate served:1');

    await api().deleteEndpoint({ params: { id: 'served' } });
  }, 180_000);

  it('the CLI deactivates, lists the state, reactivates, and deletes --with-sources', async () => {
    await api().createModel({ body: { name: 'by-cli', artifactPath: model('by-cli') } });
    const off = await emkitCli(bridge, 'model', 'deactivate', 'by-cli:1');
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toContain('model by-cli:1: INACTIVE');
    const listed = await emkitCli(bridge, 'model', 'list', 'by-cli');
    expect(listed.stdout).toMatch(/STATE/);
    expect(listed.stdout).toMatch(/INACTIVE/);
    const deploy = await emkitCli(bridge, 'endpoint', 'create', 'by-cli', '--model', 'by-cli:1');
    expect(deploy.code).not.toBe(0);
    expect(deploy.stderr).toContain('emkit model activate by-cli:1');
    const on = await emkitCli(bridge, 'model', 'activate', 'by-cli:1');
    expect(on.stdout).toContain('model by-cli:1: ACTIVE');
    const active = await emkitCli(bridge, 'model', 'delete', 'by-cli:1', '--with-sources');
    expect(active.code).not.toBe(0);
    expect(active.stderr).toContain('deactivate it first');
    await emkitCli(bridge, 'model', 'deactivate', 'by-cli:1');
    const deleted = await emkitCli(bridge, 'model', 'delete', 'by-cli:1', '--with-sources');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('deleted with its sources');
  }, 120_000);

  it.skipIf(!hasTools)(
    `deleted withSources: its training and the upload only it used go, a dataset another training uses stays${noTools}`,
    async () => {
      const upload = (name: string, text: string) =>
        api().uploadDataset({ query: { name, filename: 'rows.csv' }, body: new Blob([text], { type: 'text/csv' }) });
      await upload('only-mine', 'a,label\n1,x\n2,y\n');
      await upload('shared', 'a,label\n3,x\n4,y\n');
      const source = writeTree(join(work, 'source'), {
        'train.py': [
          'import os, shutil',
          'open(os.path.join(os.environ["EM_MODEL_DIR"], "predict.py"), "w").write(',
          '    "def load():\\n    return None\\ndef predict(m, xs):\\n    return [0 for _ in xs]\\n")',
        ].join('\n'),
      });
      const train = async (datasets: Record<string, string>) => {
        const submitted = await api().createTraining({ body: { source: { path: source, entryPoint: 'train.py' }, datasets } });
        const settled = await settledTraining(bridge.client, submitted.id);
        expect(settled.state, settled.stateReason ?? '').toBe('COMPLETE');
        return settled;
      };
      const mine = await train({ train: 'only-mine', extra: 'shared' });
      const other = await train({ train: 'shared' });
      await api().createModel({ body: { name: 'made', training: mine.id } });

      await api().updateModel({ params: { id: 'made:1' }, body: { active: false } });
      await api().deleteModel({ params: { id: 'made:1' }, query: { withSources: true } });

      expect((await refusal(api().getModel({ params: { id: 'made:1' } }))).status).toBe(404);
      expect((await refusal(api().getTraining({ params: { id: mine.id } }))).status).toBe(404);
      expect((await refusal(api().getDataset({ params: { id: 'only-mine' } }))).status).toBe(404);
      expect(readdirSync(join(bridge.home, 'datasets'))).not.toContain('only-mine');
      expect((await api().getDataset({ params: { id: 'shared' } })).name).toBe('shared');
      expect((await api().getTraining({ params: { id: other.id } })).id).toBe(other.id);
    },
    240_000,
  );
});

describe('--max-active-models 2', () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge({ args: ['--python', venvPython, '--max-active-models', '2'] });
  });
  afterAll(async () => {
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
  });
  const api = () => bridge.client.api;

  it('refuses a third active version at create and at reactivation, naming the oldest to deactivate', async () => {
    await api().createModel({ body: { name: 'cap', artifactPath: model('cap-1') } });
    await api().createModel({ body: { name: 'cap', artifactPath: model('cap-2') } });
    const third = await refusal(api().createModel({ body: { name: 'cap', artifactPath: model('cap-3') } }));
    expect(third).toMatchObject({ status: 409, code: 'conflict' });
    expect(third.message).toContain('--max-active-models');
    expect(third.message).toContain('deactivate cap:1 first');
    expect((await api().listModels({})).total).toBe(2);
    expect(readdirSync(join(bridge.home, 'models', 'cap')).length).toBe(2);

    await api().updateModel({ params: { id: 'cap:1' }, body: { active: false } });
    expect((await api().createModel({ body: { name: 'cap', artifactPath: model('cap-3') } })).version).toBe(3);
    const back = await refusal(api().updateModel({ params: { id: 'cap:1' }, body: { active: true } }));
    expect(back).toMatchObject({ status: 409, code: 'conflict' });
    expect(back.message).toContain('deactivate cap:2 first');
    expect((await api().getModel({ params: { id: 'cap:1' } })).state).toBe('INACTIVE');
  });

  it.skipIf(!hasSklearn)(
    `a built-in recipe's training over the cap ends COMPLETE, its stateReason saying why no model${noSklearn}`,
    async () => {
      const csv = join(work, 'iris.csv');
      const script = [
        'import sys',
        'from sklearn.datasets import load_iris',
        'd = load_iris(as_frame=True)',
        'f = d.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))',
        'f["species"] = [d.target_names[t] for t in d.target]',
        'f.drop(columns=["target"]).to_csv(sys.argv[1], index=False)',
      ].join('\n');
      const made = spawnSync(venvPython, ['-c', script, csv], { encoding: 'utf8', cwd: repoRoot });
      expect(made.status, made.stderr).toBe(0);
      const submitted = await api().trainRecipe({
        params: { id: 'number-classification' },
        body: { name: 'over-cap', datasets: { train: csv }, hyperparameters: { label: 'species' }, model: 'capped' },
      });
      const training = await settledTraining(bridge.client, submitted.id, 180_000);
      expect(training).toMatchObject({ state: 'COMPLETE', model: null, evaluation: null });
      expect(training.stateReason).toMatch(
        /its model could not be registered as "capped": .*--max-active-models.*deactivate cap:2/,
      );
      expect((await refusal(api().getModel({ params: { id: 'capped' } }))).status).toBe(404);
    },
    240_000,
  );
});

describe('a stage of a deactivated version at restart', () => {
  it('is not started again: DEPLOY FAILED, saying why and how to undo it', async () => {
    let bridge = await startBridge({ args: ['--python', venvPython] });
    const home = bridge.home;
    try {
      await bridge.client.api.createModel({ body: { name: 'restart', artifactPath: model('restart') } });
      await bridge.client.api.createEndpoint({ body: { name: 'restart', model: 'restart:1' } });
      await activeEndpoint(bridge.client, 'restart');
      await bridge.stop();
      // the API never leaves a served version INACTIVE (409 above): only a hand-edited or older home can
      const db = new Database(join(home, 'emkit.db'));
      db.prepare("UPDATE models SET active = 0 WHERE name = 'restart'").run();
      db.close();
      bridge = await startBridge({ home, args: ['--python', venvPython] });
      const stage = await bridge.client.api.getEndpointStage({ params: { id: 'restart', stage: 'default' } });
      expect(stage.state).toBe('DEPLOY FAILED');
      expect(stage.stateReason).toContain('its model version is deactivated');
      // its pool is set up, as a failed stage's is, but no worker was launched
      expect(stage.instances.map((i) => i.pid)).toEqual([null]);
    } finally {
      await bridge.stop();
      removeDir(home);
    }
  }, 180_000);
});
