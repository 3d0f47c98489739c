import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customModelFiles, readJsonl, settledBatch, writeTableAndModel } from '../support/batch-inferences.js';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { refusal } from '../support/refusal.js';
import { venvPython, writeTree } from '../support/trainings.js';

// Bad input to batch scoring, against a real bridge: each refused with the error envelope naming the field, nothing
// made, the bridge serving on; a model that can't load ends FAILED with no predictions file; bad rows are listed
// while the rest is scored; past maxErrorRatio the job FAILS.

let bridge: TestBridge;
let work: string;
/** a job that met no bad item (its errors file may not even be there) */
let errorless = '';
const api = () => bridge.client.api;
const jobFolders = () =>
  existsSync(join(bridge.home, 'batch-inferences')) ? readdirSync(join(bridge.home, 'batch-inferences')) : [];

beforeAll(async () => {
  work = tempDir('emkit-batch-errors-');
  writeTableAndModel(join(work, 'rows.csv'), join(work, 'model'), join(work, 'expected.json'), 300);
  bridge = await startBridge({ args: ['--python', venvPython] });
  await api().createModel({ body: { name: 'table', artifactPath: join(work, 'model'), framework: 'scikit-learn' } });
}, 120_000);
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('refused creates', () => {
  it('an input the model type cannot take: 422 naming input, nothing made', async () => {
    const folder = join(work, 'files');
    writeTree(folder, { 'a.txt': 'hello', 'b.txt': 'world' });
    const error = await refusal(api().createBatchInference({ body: { model: 'table', input: folder } }));
    expect(error.status).toBe(422);
    expect(error.field).toBe('input');
    expect(error.message).toContain('a scikit-learn model');
    expect(jobFolders()).toEqual([]);
  });

  it('an output folder that already holds predictions: 409 unless overwrite', async () => {
    const output = join(work, 'taken');
    const first = await api().createBatchInference({ body: { model: 'table', input: join(work, 'rows.csv'), output } });
    expect((await settledBatch(bridge.client, first.id)).state).toBe('COMPLETE');
    errorless = first.id;
    const before = jobFolders().length;
    const error = await refusal(api().createBatchInference({ body: { model: 'table', input: join(work, 'rows.csv'), output } }));
    expect(error.status).toBe(409);
    expect(error.field).toBe('output');
    expect(error.message).toContain('overwrite');
    expect(jobFolders()).toHaveLength(before);
    const again = await api().createBatchInference({
      body: { model: 'table', input: join(work, 'rows.csv'), output, overwrite: true },
    });
    expect((await settledBatch(bridge.client, again.id)).state).toBe('COMPLETE');
  }, 120_000);

  it('paths: a relative output, one inside the home, a missing input', async () => {
    const input = join(work, 'rows.csv');
    for (const [body, field] of [
      [{ model: 'table', input, output: 'relative/out' }, 'output'],
      [{ model: 'table', input, output: join(bridge.home, 'mine') }, 'output'],
      [{ model: 'table', input: join(work, 'absent.csv') }, 'input'],
      [{ model: 'table', input: 'no-such-dataset' }, 'input'],
      [{ model: 'table', input, cluster: 'somewhere' }, 'cluster'],
    ] as const) {
      const error = await refusal(api().createBatchInference({ body }));
      expect([404, 422], error.message).toContain(error.status);
      expect(error.field, error.message).toBe(field);
    }
    expect(jobFolders().filter((id) => !existsSync(join(bridge.home, 'batch-inferences', id, 'status.json')))).toEqual([]);
    expect((await api().health()).status).toBeDefined();
  });

  it('a deactivated model version: 409', async () => {
    await api().updateModel({ params: { id: 'table:1' }, body: { active: false } });
    try {
      const error = await refusal(api().createBatchInference({ body: { model: 'table:1', input: join(work, 'rows.csv') } }));
      expect(error.status).toBe(409);
      expect(error.message).toContain('deactivated');
    } finally {
      await api().updateModel({ params: { id: 'table:1' }, body: { active: true } });
    }
  });
});

describe('a model that cannot load', () => {
  it('ends FAILED with its error, and leaves no predictions file', async () => {
    const broken = writeTree(join(work, 'broken'), { 'model.joblib': 'this is not a pickle' });
    await api().createModel({ body: { name: 'broken', artifactPath: broken, framework: 'scikit-learn' } });
    const output = join(work, 'broken-out');
    const created = await api().createBatchInference({ body: { model: 'broken', input: join(work, 'rows.csv'), output } });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state).toBe('FAILED');
    expect(job.reason).toContain('cannot load');
    expect(existsSync(job.outputFile)).toBe(false);
    expect(existsSync(`${job.outputFile}.partial`)).toBe(false);
  }, 120_000);
});

describe('bad items', () => {
  it('lists unparseable rows and the rows the model raises on, and scores the rest in order', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [i, 1, 2]);
    const csv = writeCsv(join(work, 'bad.csv'), ['x', 'y', 'z'], rows);
    // row 7 has a field too many; the model raises on row 42's value
    const lines = (await import('node:fs')).readFileSync(csv, 'utf8').split('\n');
    lines[8] = '7,1,2,3';
    lines[43] = '4242,1,2';
    writeFileSync(csv, lines.join('\n'));
    const model = writeTree(join(work, 'custom'), customModelFiles({ failAt: 4242 }));
    await api().createModel({ body: { name: 'custom', artifactPath: model, framework: 'custom' } });
    const created = await api().createBatchInference({
      body: { model: 'custom', input: csv, format: 'jsonl', batchSize: 32 },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.progress).toMatchObject({ done: 200, total: 200, errors: 2 });
    const errors = readJsonl<{ key: number; reason: string }>(job.errorsFile);
    expect(errors.map((e) => e.key)).toEqual([7, 42]);
    expect(errors[0]?.reason).toContain('unparseable row');
    expect(errors[1]?.reason).toContain('broke on purpose');
    const scored = readJsonl<{ key: number; x: number; prediction: number }>(job.outputFile);
    const wanted = Array.from({ length: 200 }, (_, i) => i).filter((i) => i !== 7 && i !== 42);
    expect(scored.map((r) => r.key)).toEqual(wanted);
    expect(scored.every((r) => r.prediction === r.key && r.x === r.key)).toBe(true);
    // the editors' views read the same list through the bridge: the first items and how many
    const listed = await api().listBatchInferenceErrors({ params: { id: job.id }, query: {} });
    expect(listed.total).toBe(2);
    expect(listed.items.map((e) => e.key)).toEqual(['7', '42']);
    expect(listed.items[1]?.reason).toContain('broke on purpose');
    const first = await api().listBatchInferenceErrors({ params: { id: job.name }, query: { limit: 1 } });
    expect(first).toEqual({ total: 2, items: [listed.items[0]] });
    const none = await api().listBatchInferenceErrors({ params: { id: errorless }, query: {} });
    expect(none).toEqual({ items: [], total: 0 });
    const bad = await refusal(api().listBatchInferenceErrors({ params: { id: job.id }, query: { limit: 0 } }));
    expect([bad.status, bad.field]).toEqual([400, 'limit']);
    expect((await refusal(api().listBatchInferenceErrors({ params: { id: 'no-such-job' }, query: {} }))).status).toBe(404);
  }, 120_000);

  it('FAILS past maxErrorRatio, keeping the errors and no predictions file', async () => {
    const lines = ['x,y', ...Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? `${i},1,9` : `${i},1`))];
    const csv = join(work, 'mostly-bad.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const created = await api().createBatchInference({
      body: { model: 'custom', input: csv, maxErrorRatio: 0.2, batchSize: 10 },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state).toBe('FAILED');
    expect(job.reason).toContain('maxErrorRatio');
    expect(existsSync(job.outputFile)).toBe(false);
    expect(readJsonl(job.errorsFile).length).toBeGreaterThan(0);
  }, 120_000);
});

describe('a folder of files through a custom model', () => {
  it('keys each file by its relative path; an unreadable one is an error', async () => {
    const folder = join(work, 'numbers');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    writeTree(folder, { '1.txt': '1', '2.txt': '2', 'sub/3.txt': '3', 'bad.txt': 'x' });
    const created = await api().createBatchInference({ body: { model: 'custom', input: folder, maxErrorRatio: 0.5 } });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.format).toBe('jsonl');
    expect(readJsonl(job.outputFile)).toEqual([
      { key: '1.txt', prediction: 1 },
      { key: '2.txt', prediction: 2 },
      { key: 'sub/3.txt', prediction: 3 },
    ]);
    expect(readJsonl<{ key: string }>(job.errorsFile).map((e) => e.key)).toEqual(['bad.txt']);
  }, 120_000);
});
