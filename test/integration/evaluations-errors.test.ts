import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type Evaluation, type ResourceEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { pythonJson } from '../support/endpoints.js';
import {
  evaluationFolders,
  runnersUnder,
  settledEvaluation,
  writeCsv,
  writeCustomEvaluationModel,
} from '../support/evaluations.js';
import { refusal } from '../support/refusal.js';
import { alive, pythonHas, venvPython } from '../support/trainings.js';

// What goes wrong, against a real bridge and the real runner: each a clear error, nothing half-stored.

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib', 'pandas');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn, joblib or pandas is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-evaluation-errors-');
  // a custom model: the prediction is the first column; one that breaks on 7; one that takes its time
  await bridge.client.api.createModel({
    body: { name: 'echo', artifactPath: writeCustomEvaluationModel(join(work, 'echo')), framework: 'custom' },
  });
  await bridge.client.api.createModel({
    body: {
      name: 'brittle',
      artifactPath: writeCustomEvaluationModel(join(work, 'brittle'), { failAt: 7 }),
      framework: 'custom',
    },
  });
  await bridge.client.api.createModel({
    body: {
      name: 'slow',
      artifactPath: writeCustomEvaluationModel(join(work, 'slow'), { delaySeconds: 0.2 }),
      framework: 'custom',
    },
  });
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** A refused create: its status and field, and no record and no folder left behind. */
async function refused(body: Record<string, unknown>, status: number, field = 'data') {
  const before = (await bridge.client.api.listEvaluations({ query: {} })).total;
  const error = await refusal(bridge.client.api.createEvaluation({ body: body as never }));
  expect(error.status, error.message).toBe(status);
  expect(error.field).toBe(field);
  expect((await bridge.client.api.listEvaluations({ query: {} })).total).toBe(before);
  expect(evaluationFolders(bridge.home).length).toBe(before);
  // the runner starts while the data is checked: a refusal ends it too
  expect(runnersUnder(bridge.home)).toEqual([]);
  return error;
}

const rows = (n: number, label = (i: number) => i % 3) =>
  Array.from({ length: n }, (_, i) => [label(i), i % 5, (i * 7) % 11, label(i)]);

describe('bad data is refused before anything is stored', () => {
  it('a missing label column: 422 naming the column and the columns found', async () => {
    const data = writeCsv(join(work, 'no-label.csv'), ['a', 'b', 'c', 'truth'], rows(20));
    const error = await refused({ model: 'echo', data, label: 'species' }, 422, 'label');
    expect(error.message).toContain('"species"');
    for (const column of ['a', 'b', 'c', 'truth']) expect(error.message).toContain(column);
  });

  it('an empty file: 422', async () => {
    const empty = join(work, 'empty.csv');
    writeFileSync(empty, '');
    expect((await refused({ model: 'echo', data: empty }, 422)).message).toBe(`the dataset ${empty} is empty`);
  });

  it('a CSV with a header and no rows: a clear error, refused at once or FAILED saying so', async () => {
    const data = writeCsv(join(work, 'header-only.csv'), ['a', 'label'], []);
    const answer = await bridge.client.api.createEvaluation({ body: { model: 'echo', data } }).catch((error: unknown) => error);
    if (answer instanceof ApiError) {
      expect(answer.status).toBe(422);
      expect(answer.message).toContain('no rows');
      return;
    }
    const settled = await settledEvaluation(bridge.client, (answer as Evaluation).id);
    expect(settled.state).toBe('FAILED');
    expect(settled.stateReason).toBe(`${data} has no rows to evaluate`);
  }, 60_000);

  it('paths outside what the user may name: relative, inside the emkit home, a FIFO, a link to /dev/zero', async () => {
    await refused({ model: 'echo', data: 'data/test.csv' }, 422);
    await refused({ model: 'echo', data: join(bridge.home, 'emkit.db'), format: 'csv' }, 422);
    await refused({ model: 'echo', data: join(bridge.home, 'token'), format: 'csv' }, 422);
    const fifo = join(work, 'fifo.csv');
    execFileSync('mkfifo', [fifo]);
    expect((await refused({ model: 'echo', data: fifo }, 422)).message).toContain('neither a regular file nor a folder');
    const zero = join(work, 'zero.csv');
    symlinkSync('/dev/zero', zero);
    await refused({ model: 'echo', data: zero }, 422);
    // and the bridge still answers
    expect((await bridge.client.api.health()).status).toBe('ok');
  });
});

describe('what goes wrong while it runs', () => {
  it('a model that fails mid-way: FAILED with its error, the traceback in the log, no result', async () => {
    // rows 0..29 of the first column: batches of 4, row 7 breaks the second batch
    const data = writeCsv(
      join(work, 'breaks.csv'),
      ['x', 'label'],
      Array.from({ length: 30 }, (_, i) => [i, i]),
    );
    // the editors follow evaluations on the event stream: created, updated, and a `finished` at the end
    const socket = new WebSocket(bridge.client.eventsUrl(), bridge.client.socketProtocols());
    const events: ResourceEvent[] = [];
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; event?: ResourceEvent };
      if (message.event?.resource === 'evaluations') events.push(message.event);
    });
    await new Promise<void>((resolve) => socket.once('open', () => resolve()));
    const created = await bridge.client.api.createEvaluation({
      body: { model: 'brittle', data, batchRows: 4, task: 'classification' },
    });
    const settled = await settledEvaluation(bridge.client, created.id);
    expect(settled.state).toBe('FAILED');
    const finished = await waitFor(
      async () => events.find((e) => e.id === created.id && e.action === 'finished'),
      10_000,
      'the finished event',
    );
    socket.close();
    expect(finished.data).toMatchObject({ id: created.id, state: 'FAILED', model: { name: 'brittle', version: 1 } });
    expect(events.filter((e) => e.id === created.id)[0]?.action).toBe('created');
    expect(settled.stateReason).toContain('the model broke on purpose');
    expect(settled.result).toBeNull();
    const log = await bridge.client.api.getEvaluationLog({ params: { id: created.id } });
    expect(log.text).toContain('Traceback');
    // a FAILED evaluation is in no iteration, and can be deleted
    const lined = await bridge.client.api.listModelEvaluations({ params: { id: 'brittle' } });
    expect(lined.iterations[0]?.evaluation).toBeNull();
    await bridge.client.api.deleteEvaluation({ params: { id: created.id } });
    expect(evaluationFolders(bridge.home)).not.toContain(created.id);
  }, 120_000);

  it.skipIf(!hasSklearn)(
    `labels the model never saw are reported, not a crash${noSklearn}`,
    async () => {
      const artifact = join(work, 'tiny');
      pythonJson(`
import json, os, joblib
from sklearn.tree import DecisionTreeClassifier
os.makedirs(${JSON.stringify(artifact)}, exist_ok=True)
joblib.dump(DecisionTreeClassifier().fit([[0], [1], [2], [3]], ["a", "b", "a", "b"]), os.path.join(${JSON.stringify(artifact)}, "model.joblib"))
print("{}")
`);
      await bridge.client.api.createModel({ body: { name: 'tiny', artifactPath: artifact } });
      const data = writeCsv(
        join(work, 'unseen.csv'),
        ['x', 'label'],
        [
          [0, 'a'],
          [1, 'b'],
          [2, 'zebra'],
          [3, 'zebra'],
          [0, 'a'],
        ],
      );
      const created = await bridge.client.api.createEvaluation({ body: { model: 'tiny', data } });
      const settled = await settledEvaluation(bridge.client, created.id);
      expect(settled.state, settled.stateReason ?? '').toBe('COMPLETE');
      const c = settled.result?.classification;
      expect(c?.unseenLabels).toEqual([{ label: 'zebra', count: 2 }]);
      expect(c?.classes).toEqual(['a', 'b', 'zebra']);
      expect(c?.accuracy).toBeCloseTo(3 / 5, 12);
    },
    120_000,
  );

  it('stop: STOP IN PROGRESS, then STOPPED, the runner gone; delete is refused while it runs', async () => {
    const data = writeCsv(
      join(work, 'long.csv'),
      ['x', 'label'],
      Array.from({ length: 2000 }, (_, i) => [i % 3, i % 3]),
    );
    const created = await bridge.client.api.createEvaluation({ body: { model: 'slow', data, batchRows: 1 } });
    const running = await waitFor(
      async () => {
        const e = await bridge.client.api.getEvaluation({ params: { id: created.id } });
        return e.state === 'RUNNING' && e.rowsDone > 0 ? e : undefined;
      },
      60_000,
      'the evaluation to run',
    );
    const statusFile = join(bridge.home, 'evaluations', created.id, 'status.json');
    const { pid } = JSON.parse(readFileSync(statusFile, 'utf8')) as { pid: number };
    expect(runnersUnder(bridge.home)).toContain(pid);
    const busy = await refusal(bridge.client.api.deleteEvaluation({ params: { id: created.id } }));
    expect(busy.status).toBe(409);
    const thresholdTooSoon = await refusal(
      bridge.client.api.getEvaluation({ params: { id: created.id }, query: { threshold: 0.3 } }),
    );
    expect(thresholdTooSoon.status).toBe(409);

    const stopping = await bridge.client.api.stopEvaluation({ params: { id: created.id } });
    expect(['STOP IN PROGRESS', 'STOPPED']).toContain(stopping.state);
    const stopped: Evaluation = await settledEvaluation(bridge.client, created.id, 30_000);
    expect(stopped.state).toBe('STOPPED');
    expect(stopped.rowsDone).toBeLessThan(2000);
    expect(stopped.rowsDone).toBeGreaterThanOrEqual(running.rowsDone);
    await waitFor(async () => !alive(pid), 10_000, 'the runner to exit');
    const again = await refusal(bridge.client.api.stopEvaluation({ params: { id: created.id } }));
    expect(again.status).toBe(409);
  }, 120_000);
});
