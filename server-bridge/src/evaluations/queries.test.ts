import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Evaluation, EvaluationList, EvaluationResult, ModelIterations } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { createEchoModel } from '../testing/echo-model.js';
import { type InProcessBridge, startInProcess } from '../testing/in-process.js';

// The read side of evaluations on records and files as a runner leaves them (written here, no Python): the result,
// the threshold figures from curves.json, files that can't be used, iterations, delete.

let bridge: InProcessBridge;
let store: Store;

beforeAll(async () => {
  bridge = await startInProcess();
  store = new Store(join(bridge.home, 'emkit.db'));
});
afterAll(async () => {
  store?.close();
  await bridge?.close();
});

const RESULT: EvaluationResult = {
  task: 'classification',
  rows: 10,
  seconds: 0.1,
  classification: {
    accuracy: 0.8,
    classes: ['no', 'yes'],
    perClass: [],
    macro: { precision: 0.8, recall: 0.8, f1: 0.8 },
    weighted: { precision: 0.8, recall: 0.8, f1: 0.8 },
    confusionMatrix: [
      [5, 1],
      [1, 3],
    ],
    hasScores: true,
    noScoresReason: null,
    rocAuc: 0.9,
    prCurves: [],
    unseenLabels: [],
    bestF1: null,
  },
  regression: null,
  clustering: null,
  errors: [],
};

const CURVES = {
  rows: 10,
  classes: ['no', 'yes'],
  support: [6, 4],
  curves: [
    { class: 'no', thresholds: [0.2, 0.5, 0.9], precision: [0.6, 0.75, 1], recall: [1, 0.5, 1 / 6] },
    { class: 'yes', thresholds: [0.1, 0.4, 0.8], precision: [0.4, 0.5, 1], recall: [1, 0.75, 0.25] },
  ],
};

/** A COMPLETE evaluation of a (recorded) model version, with the files its runner would have written. */
async function recorded(version: number, sha256: string, files: { result?: string; curves?: string } = {}): Promise<string> {
  const name = 'judged';
  let model = store.models.find(`${name}:${version}`);
  if (!model) {
    await createEchoModel(bridge, name, `artifact-${version}`);
    model = store.models.find(`${name}:${version}`);
  }
  if (!model) throw new Error('no model');
  const id = store.evaluations.newId();
  const dir = join(bridge.home, 'evaluations', id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'result.json'), files.result ?? JSON.stringify(RESULT));
  writeFileSync(join(dir, 'curves.json'), files.curves ?? JSON.stringify(CURVES));
  store.tx(() => {
    store.evaluations.insert({
      id,
      model: { id: model.id, name: model.name, version: model.version },
      data: { path: '/data/test.csv', format: 'csv', label: null, features: null, sha256: null },
      task: null,
      threshold: 0.5,
      maxErrors: 50,
      batchRows: 4096,
      environmentId: null,
      environment: null,
      python: 'python3',
      runnerPid: null,
      dir,
    });
    store.evaluations.update(id, { state: 'COMPLETE', sha256, task: 'classification', metrics: { accuracy: 0.8 } });
  });
  return id;
}

describe('an evaluation with its result and threshold figures', () => {
  it('answers the result, and precision/recall per class at its threshold or the one asked', async () => {
    const id = await recorded(1, 'a'.repeat(64));
    const own = await bridge.call<Evaluation>('GET', `/api/v1/evaluations/${id}`);
    expect(own.status).toBe(200);
    expect(own.body.result).toEqual(RESULT);
    expect(own.body.atThreshold?.threshold).toBe(0.5);
    expect(own.body.atThreshold?.perClass.map((c) => [c.class, c.precision, c.recall, c.predicted])).toEqual([
      ['no', 0.75, 0.5, 4],
      ['yes', 1, 0.25, 1],
    ]);
    const low = await bridge.call<Evaluation>('GET', `/api/v1/evaluations/${id}?threshold=0.05`);
    expect(low.body.atThreshold?.perClass.map((c) => [c.precision, c.recall, c.predicted])).toEqual([
      [0.6, 1, 10],
      [0.4, 1, 10],
    ]);
    const high = await bridge.call<Evaluation>('GET', `/api/v1/evaluations/${id}?threshold=0.95`);
    expect(high.body.atThreshold?.macro).toEqual({ precision: null, recall: 0, f1: null });
  });

  it('curves that cannot be read cost only the threshold figures; a result that cannot be read is a 500, not a hang', async () => {
    const damaged = await recorded(1, 'b'.repeat(64), { curves: '{"rows": 10, "curv' });
    const answer = await bridge.call<Evaluation>('GET', `/api/v1/evaluations/${damaged}?threshold=0.3`);
    expect(answer.status).toBe(200);
    expect(answer.body.result?.classification?.accuracy).toBe(0.8);
    expect(answer.body.atThreshold).toBeNull();

    // the runner runs the user's model: what it leaves where result.json goes may be a FIFO or a link to a device
    const fifo = await recorded(1, 'c'.repeat(64));
    const fifoPath = join(bridge.home, 'evaluations', fifo, 'result.json');
    rmSync(fifoPath);
    execFileSync('mkfifo', [fifoPath]);
    const linked = await recorded(1, 'd'.repeat(64));
    const linkPath = join(bridge.home, 'evaluations', linked, 'result.json');
    rmSync(linkPath);
    symlinkSync('/dev/zero', linkPath);
    for (const id of [fifo, linked]) {
      const refused = await bridge.call<{ error: { code: string; message: string } }>('GET', `/api/v1/evaluations/${id}`);
      expect(refused.status).toBe(500);
      expect(refused.body.error.message).toContain('could not be read');
    }
    expect((await bridge.call('GET', '/api/v1/health')).status).toBe(200);
  });
});

describe('iterations and delete', () => {
  it("lines a name's versions up on the dataset evaluated last, or the one asked", async () => {
    const first = await recorded(1, 'e'.repeat(64));
    const second = await recorded(2, 'e'.repeat(64));
    const lined = await bridge.call<ModelIterations>('GET', '/api/v1/models/judged/evaluations');
    expect(lined.body.dataset).toEqual({ sha256: 'e'.repeat(64), path: '/data/test.csv' });
    expect(lined.body.iterations.map((i) => [i.version, i.evaluation?.id])).toEqual([
      [1, first],
      [2, second],
    ]);
    const asked = await bridge.call<ModelIterations>('GET', `/api/v1/models/judged:2/evaluations?dataset=${'a'.repeat(64)}`);
    expect(asked.body.iterations.map((i) => i.evaluation?.id ?? null)).toEqual([expect.any(String), null]);
    expect(asked.body.datasets.map((d) => d.sha256)).toContain('a'.repeat(64));
  });

  it('deletes a settled evaluation with its folder; lists filter by version', async () => {
    const id = await recorded(2, 'f'.repeat(64));
    const onlyTwo = await bridge.call<EvaluationList>('GET', '/api/v1/evaluations?model=judged:2');
    expect(onlyTwo.body.items.every((e) => e.model.version === 2)).toBe(true);
    expect(onlyTwo.body.items.map((e) => e.id)).toContain(id);
    expect((await bridge.call('DELETE', `/api/v1/evaluations/${id}`)).status).toBe(204);
    expect(existsSync(join(bridge.home, 'evaluations', id))).toBe(false);
    expect((await bridge.call('GET', `/api/v1/evaluations/${id}`)).status).toBe(404);
  });
});
