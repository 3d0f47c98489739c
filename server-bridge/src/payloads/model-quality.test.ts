import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { ModelQualityService } from './model-quality.js';
import { PayloadService } from './service.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-model-quality-'));
const store = new Store(join(dir, 'emkit.db'));
const payloads = new PayloadService(store, pino({ enabled: false }));
afterAll(() => {
  payloads.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An endpoint with two stages of one model version, as the endpoint service records them. */
const { endpoint, stages, modelId } = store.tx(() => {
  const model = store.models.insert(
    {
      id: 'model-1',
      name: 'm',
      description: '',
      framework: 'custom',
      frameworkVersion: null,
      artifactPath: dir,
      files: 1,
      bytes: 1,
      tags: {},
      hyperparameters: {},
      metrics: {},
      trainingId: null,
      sourcePath: null,
    },
    [],
  );
  const endpoint = store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} });
  const stage = (name: string) =>
    store.endpoints.insertStage(endpoint.id, {
      name,
      description: '',
      instanceCount: 1,
      resourcePath: '/',
      python: 'python3',
      modelId: model.id,
      clusterId: null,
      autoscaling: null,
    });
  const stages = [stage('blue'), stage('green')];
  store.endpoints.update(endpoint.id, { defaultStageId: stages[0]?.id ?? null });
  return { endpoint, stages, modelId: model.id };
});
const [blue, green] = stages as [(typeof stages)[0], (typeof stages)[0]];

const HOUR = 3_600_000;
const now = Date.UTC(2026, 11, 7, 12, 30);
const at = (ms: number) => new Date(ms).toISOString();
const label = (stageId: string, i: number, time: number, truth: number, predicted: number) => ({
  endpointId: endpoint.id,
  stageId,
  inferenceId: `${stageId}-${i}`,
  index: 0,
  label: JSON.stringify(truth),
  prediction: JSON.stringify(predicted),
  time: at(time),
});

store.feedback.save([
  // the hour before: blue all right
  ...Array.from({ length: 4 }, (_, i) => label(blue.id, i, now - HOUR, i % 2, i % 2)),
  // this hour: blue 1 of 4 right, green 2 of 2
  ...Array.from({ length: 4 }, (_, i) => label(blue.id, 10 + i, now - 60_000, 1, i === 0 ? 1 : 0)),
  label(green.id, 0, now - 120_000, 0, 0),
  label(green.id, 1, now - 120_000, 1, 1),
]);
const quality = new ModelQualityService(store, payloads);

describe('model quality from the labels sent back', () => {
  it('gives each stage its windows with labels, oldest first, and no baseline without an evaluation', () => {
    const answer = quality.get('ep', { window: '1h', windows: 3 }, now);
    expect(answer).toMatchObject({ endpointId: endpoint.id, task: 'classification', baseline: null, unmatchedFeedback: 0 });
    expect(answer.windows.map((w) => [w.stage, w.start, w.count, w.metrics.accuracy])).toEqual([
      ['blue', at(now - 30 * 60_000 - HOUR), 4, 1],
      ['blue', at(now - 30 * 60_000), 4, 0.25],
      ['green', at(now - 30 * 60_000), 2, 1],
    ]);
    expect(quality.get('ep', { stage: 'green' }, now).windows).toHaveLength(1);
  });

  it('names the metrics of the task the labels show, all four where there are none', () => {
    expect(quality.metricNames('ep')).toEqual(['accuracy', 'f1']);
    expect(quality.metricNames('missing')).toEqual(['accuracy', 'f1', 'mae', 'rmse']);
  });

  it("compares with the model version's latest COMPLETE evaluation, under the windows' names", () => {
    store.tx(() => {
      const evaluation = store.evaluations.insert({
        id: 'eval-1',
        model: { id: modelId, name: 'm', version: 1 },
        task: 'classification',
        threshold: 0.5,
        maxErrors: 50,
        batchRows: 100,
        environmentId: null,
        environment: null,
        python: 'python3',
        runnerPid: null,
        dir,
        data: { path: '/data.csv', format: 'csv', label: 'y', features: null, sha256: null },
      });
      store.evaluations.update(evaluation.id, { state: 'COMPLETE', metrics: { accuracy: 0.9, macroF1: 0.85, rocAuc: null } });
    });
    expect(quality.get('ep', undefined, now).baseline).toEqual({ evaluationId: 'eval-1', metrics: { accuracy: 0.9, f1: 0.85 } });
  });

  it('latest: the newest window with feedback, one stage or all together, null without any', () => {
    expect(quality.latest('ep', 'blue', 'accuracy')).toMatchObject({ value: 0.25, count: 4, stage: 'blue', baseline: 0.9 });
    expect(quality.latest('ep', undefined, 'accuracy')).toMatchObject({ value: 0.5, count: 6, stage: null });
    expect(quality.latest('ep', undefined, 'f1')?.baseline).toBe(0.85);
    // a metric the task hasn't, a stage or an endpoint that isn't there
    expect(quality.latest('ep', undefined, 'rmse')).toBeNull();
    expect(quality.latest('ep', 'nope', 'accuracy')).toBeNull();
    expect(quality.latest('missing', undefined, 'accuracy')).toBeNull();
  });
});
