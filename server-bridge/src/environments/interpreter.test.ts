import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '@emkit/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { Store } from '../store/index.js';
import { insertScriptTraining } from '../testing/training-rows.js';
import { givenInterpreter, modelInterpreter } from './interpreter.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-interpreter-'));
const store = new Store(join(dir, 'emkit.db'));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
const bridge = () => givenInterpreter('python3');
/** Only what modelInterpreter reads of a model version: where it came from. */
const modelOf = (trainingId: string | null) =>
  ({ source: { training: trainingId === null ? null : { id: trainingId, name: 'fit' } } }) as unknown as Model;

describe("a model version's own Python", () => {
  it('is the Python its training ran with, while that is there', () => {
    const python = join(dir, 'python');
    writeFileSync(python, '');
    const training = insertScriptTraining(store, { name: 'fit', experimentId, dir: join(dir, 'fit'), python });
    expect(modelInterpreter(store, modelOf(training.id), undefined, bridge)).toEqual({
      environmentId: null,
      environmentName: null,
      python,
    });
  });

  it('is refused, naming the training, its Python and the field to fix, once that Python is gone', () => {
    const python = join(dir, 'gone', 'python');
    const training = insertScriptTraining(store, { name: 'fit-gone', experimentId, dir: join(dir, 'gone'), python });
    let refusal: unknown;
    try {
      modelInterpreter(store, modelOf(training.id), undefined, bridge);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(HttpError);
    expect(refusal).toMatchObject({ status: 422, field: 'environment' });
    expect((refusal as Error).message).toContain(`training "fit-gone" ran with (${python}) is gone`);
  });

  it("is the bridge's for a version registered from an artifact (no training)", () => {
    expect(modelInterpreter(store, modelOf(null), undefined, bridge)).toEqual(givenInterpreter('python3'));
  });
});
