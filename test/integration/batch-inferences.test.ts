import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { python, readJsonl, settledBatch, writeImagesAndModel, writeTableAndModel } from '../support/batch-inferences.js';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { venvPython } from '../support/trainings.js';

// 50,000 rows scored by a scikit-learn classifier with one worker and with two: every row once, in order, each
// prediction the model's own predict() of that row, with its class scores.

const ROWS = 50_000;
let bridge: TestBridge;
let work: string;
let expected: string[];

beforeAll(async () => {
  work = tempDir('emkit-batch-');
  writeTableAndModel(join(work, 'rows.csv'), join(work, 'model'), join(work, 'expected.json'), ROWS);
  expected = JSON.parse(readFileSync(join(work, 'expected.json'), 'utf8')) as string[];
  bridge = await startBridge({ args: ['--python', venvPython] });
  await bridge.client.api.createModel({
    body: { name: 'churn', artifactPath: join(work, 'model'), framework: 'scikit-learn' },
  });
}, 120_000);
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe.each([1, 2])('a table of 50,000 rows scored with %i worker(s)', (instances) => {
  it('writes every row once, in order, with the prediction the model gives it', async () => {
    const output = join(work, `out-${instances}`);
    const created = await bridge.client.api.createBatchInference({
      body: { model: 'churn:1', input: join(work, 'rows.csv'), output, instances, batchSize: 1000 },
    });
    expect(created.state).toBe('CREATE REQUESTED');
    expect(created.outputFile).toBe(join(output, 'predictions.csv'));
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.progress).toMatchObject({ done: ROWS, total: ROWS, errors: 0 });

    const lines = readFileSync(job.outputFile, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('key,a,b,c,d,prediction,score_no,score_yes');
    expect(lines).toHaveLength(ROWS + 1);
    // no field here holds a comma; a string is quoted
    const cells = lines.slice(1).map((line) => line.split(',').map((cell) => cell.replace(/^"(.*)"$/, '$1')));
    const keys = cells.map((row) => Number(row[0]));
    expect(keys).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    const predictions = cells.map((row) => row[5]);
    expect(predictions).toEqual(expected);
    expect(readFileSync(job.errorsFile, 'utf8')).toBe('');
    const fetched = await bridge.client.api.getBatchInference({ params: { id: created.id } });
    expect(fetched).toMatchObject({ id: created.id, state: 'COMPLETE', instances, model: { name: 'churn', version: 1 } });
  }, 300_000);
});

describe('the output as JSONL, registered as a dataset', () => {
  it('keys each row and carries its scores by class; the predictions become a dataset version', async () => {
    const created = await bridge.client.api.createBatchInference({
      body: { model: 'churn', input: join(work, 'rows.csv'), format: 'jsonl', batchSize: 5000, outputDataset: 'churn-scored' },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.outputDataset).toBe('churn-scored:1');
    const dataset = await bridge.client.api.getDataset({ params: { id: 'churn-scored' } });
    expect(dataset.latest.schema).toMatchObject({ kind: 'table', format: 'jsonl', rows: ROWS });
    expect(job.output).toBe(join(bridge.home, 'batch-inferences', created.id));
    const rows = readJsonl<{ key: number; prediction: string; scores: Record<string, number> }>(job.outputFile);
    expect(rows).toHaveLength(ROWS);
    expect(rows.map((r) => r.prediction)).toEqual(expected);
    expect(Object.keys(rows[0]?.scores ?? {})).toEqual(['no', 'yes']);
  }, 300_000);
});

describe('a folder of images scored by an image model', () => {
  it('keys each image by its path, with its label and scores; the corrupt one is listed as an error', async () => {
    const expectedLabels = writeImagesAndModel(join(work, 'images'), join(work, 'image-model'), 30);
    await bridge.client.api.createModel({
      body: { name: 'greys', artifactPath: join(work, 'image-model'), framework: 'custom' },
    });
    const created = await bridge.client.api.createBatchInference({
      body: { model: 'greys', input: join(work, 'images'), batchSize: 8, instances: 2 },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job).toMatchObject({ inputKind: 'files', format: 'jsonl', progress: { done: 61, total: 61, errors: 1 } });
    const rows = readJsonl<{ key: string; prediction: string; scores: Record<string, number> }>(job.outputFile);
    expect(rows.map((r) => r.key)).toEqual(Object.keys(expectedLabels).sort());
    for (const row of rows) {
      expect(row.prediction, row.key).toBe(expectedLabels[row.key]);
      expect(Object.keys(row.scores)).toEqual(['dark', 'light']);
    }
    const errors = readJsonl<{ key: string; reason: string }>(job.errorsFile);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.key).toBe('light/broken.png');
    expect(errors[0]?.reason).toContain('the model raised');
  }, 300_000);
});

describe('other formats', () => {
  it('a Parquet table into Parquet (parts per batch, one file at the end), every row once, in order', async () => {
    python(
      `
import sys, pandas as pd
pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2], row_group_size=7000)
`,
      [join(work, 'rows.csv'), join(work, 'rows.parquet')],
    );
    const created = await bridge.client.api.createBatchInference({
      body: {
        model: 'churn',
        input: join(work, 'rows.parquet'),
        output: join(work, 'parquet-out'),
        batchSize: 3000,
        instances: 2,
      },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    expect(job.format).toBe('parquet');
    const read = JSON.parse(
      python(
        `
import json, sys, pandas as pd
frame = pd.read_parquet(sys.argv[1])
print(json.dumps({"columns": list(frame.columns), "keys": frame["key"].tolist(), "predictions": frame["prediction"].tolist()}))
`,
        [job.outputFile],
      ),
    ) as { columns: string[]; keys: number[]; predictions: string[] };
    expect(read.columns).toEqual(['key', 'a', 'b', 'c', 'd', 'prediction', 'score_no', 'score_yes']);
    expect(read.keys).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(read.predictions).toEqual(expected);
    expect(existsSync(`${job.outputFile}.partial.parts`)).toBe(false);
  }, 300_000);

  it('a JSONL file of instances into CSV: each line keyed by its index, a line that is not JSON listed', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ instance: [i, 0, 0, 0], id: `r${i}` }));
    lines[10] = '{not json';
    writeFileSync(join(work, 'instances.jsonl'), `${lines.join('\n')}\n`);
    const created = await bridge.client.api.createBatchInference({
      body: { model: 'churn', input: join(work, 'instances.jsonl'), format: 'csv', returnScores: false },
    });
    const job = await settledBatch(bridge.client, created.id);
    expect(job.state, job.reason ?? '').toBe('COMPLETE');
    const out = readFileSync(job.outputFile, 'utf8').trimEnd().split('\n');
    expect(out[0]).toBe('key,instance,id,prediction');
    expect(out.slice(1).map((line) => Number(line.split(',')[0]))).toEqual(
      Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 10),
    );
    expect(readJsonl<{ key: number }>(job.errorsFile).map((e) => e.key)).toEqual([10]);
  }, 300_000);
});
