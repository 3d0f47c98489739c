import { describe, expect, it } from 'vitest';
import { alertNotice } from '../alerts/alert-notice.js';
import { alertRuleFrom, alertRuleName, alertRuleValues } from '../alerts/alert-rule-form.js';
import type { AlertEvent } from '../schemas/alerts.js';
import type { EndpointStage } from '../schemas/endpoints.js';
import type { DriftWindow, EndpointDrift, EndpointModelQuality, ResourceSample, ResourceUsage } from '../schemas/monitoring.js';
import { driftedFeatures, driftMatrix } from './drift-matrix.js';
import { baselineOf, belowBaseline, qualityMetrics, qualityWindows } from './model-quality.js';
import { payloadLoggingPercent, stageLifecycle, stageSettingsValues, stageUpdateFrom } from './stage-settings.js';
import { USAGE_POINTS_KEPT, UsageSeries } from './usage-series.js';

// The monitoring views' pure rules, shared by both editors: what a chart draws, what a drift
// table lists first, which window is worse than the baseline, what a settings or alert form sends.

const sample = (second: number, memoryMb: number, cpuPercent = 50): ResourceSample => ({
  time: new Date(Date.UTC(2026, 11, 7, 3, 0, second)).toISOString(),
  cpuPercent,
  memoryMb,
  threads: 4,
  openFiles: 9,
  gpuPercent: null,
  gpuMemoryMb: null,
});

const usage = (processes: ResourceUsage['processes']): ResourceUsage => ({
  resource: 'endpoints',
  id: 'e1',
  intervalSeconds: 5,
  gpu: false,
  processes,
  summary: { peakMemoryMb: null, meanCpuPercent: null },
});

describe('a resource usage series', () => {
  it('keeps each process in time order, a round seen twice once, and aligns the processes for a chart', () => {
    const series = new UsageSeries();
    series.set(
      usage([
        { process: 'worker 1', kind: 'worker', stage: 'prod', pid: 11, samples: [sample(0, 100), sample(5, 110)] },
        { process: 'worker 0', kind: 'worker', stage: 'prod', pid: 10, samples: [sample(5, 200)] },
      ]),
    );
    series.addRound({
      processes: [
        { process: 'worker 0', kind: 'worker', stage: 'prod', pid: 12, sample: sample(10, 230) },
        { process: 'worker 1', kind: 'worker', stage: 'prod', pid: 11, sample: sample(10, 120) },
      ],
    });
    // the same round again (a replayed event) replaces itself
    series.addRound({ processes: [{ process: 'worker 1', kind: 'worker', stage: 'prod', pid: 11, sample: sample(10, 121) }] });
    expect(series.list().map((p) => [p.label, p.pid, p.samples.length])).toEqual([
      ['prod · worker 0', 12, 2],
      ['prod · worker 1', 11, 3],
    ]);
    const [times, worker0, worker1] = series.columns('memoryMb');
    expect(times).toHaveLength(3);
    expect(worker0).toEqual([null, 200, 230]);
    expect(worker1).toEqual([100, 110, 121]);
    expect(series.peakMemoryMb()).toBe(230);
    expect(series.latest().map((l) => l.sample?.memoryMb)).toEqual([230, 121]);
  });

  it("keeps one stage's workers when asked, and at most an hour of samples per process", () => {
    const series = new UsageSeries();
    const round = (stage: string, second: number) => ({
      processes: [{ process: 'worker 0', kind: 'worker' as const, stage, pid: 1, sample: sample(second % 60, 1) }],
    });
    expect(series.addRound(round('canary', 0), 'prod')).toBe(false);
    expect(series.size).toBe(0);
    const many = new UsageSeries();
    for (let i = 0; i < USAGE_POINTS_KEPT + 5; i++)
      many.addRound({
        processes: [
          {
            process: 'rank 0',
            kind: 'rank',
            stage: null,
            pid: 1,
            sample: { ...sample(0, i), time: new Date(Date.UTC(2026, 0, 1) + i * 5000).toISOString() },
          },
        ],
      });
    const [samples] = many.list().map((p) => p.samples);
    expect(samples).toHaveLength(USAGE_POINTS_KEPT);
    expect(samples?.[0]?.memoryMb).toBe(5);
  });
});

const feature = (name: string, psi: number, drifted: boolean) => ({
  feature: name,
  kind: 'numeric' as const,
  psi,
  test: 'ks' as const,
  statistic: 0.3,
  pValue: drifted ? 0.0001 : 0.5,
  drifted,
});

const window = (stage: string, minute: number, features: DriftWindow['features'], judged = true): DriftWindow => ({
  stage,
  start: new Date(Date.UTC(2026, 11, 7, 3, minute)).toISOString(),
  end: new Date(Date.UTC(2026, 11, 7, 3, minute + 1)).toISOString(),
  count: judged ? 500 : 12,
  judged,
  features,
  prediction: judged ? feature('prediction', 0.05, false) : null,
});

describe('the drift table', () => {
  const drift: EndpointDrift = {
    endpointId: 'e1',
    reference: { source: 'iris:1', rows: 150, columns: ['a', 'b', 'c'] },
    windows: [
      window('prod', 0, [feature('a', 0.01, false), feature('b', 0.02, false), feature('c', 0.03, false)]),
      window('prod', 1, [feature('b', 0.9, true), feature('c', 0.4, true), feature('a', 0.02, false)]),
      window('prod', 2, [], false),
      window('canary', 0, [feature('a', 0.5, true)]),
    ],
  };

  it('lists the features worst first by the newest judged window, the drifted marked, the predictions last', () => {
    const matrix = driftMatrix(drift, 'prod');
    expect(matrix.stages).toEqual(['prod', 'canary']);
    expect(matrix.windows).toHaveLength(3);
    expect(matrix.rows.map((r) => [r.feature, r.latest?.drifted ?? null])).toEqual([
      ['b', true],
      ['c', true],
      ['a', false],
      ['prediction', false],
    ]);
    // one cell per window, none where the window was not judged
    expect(matrix.rows[0]?.cells.map((c) => c?.psi ?? null)).toEqual([0.02, 0.9, null]);
    expect(driftedFeatures(matrix)).toEqual(['b', 'c']);
  });

  it("picks the first stage with windows when none is named, and another stage's on asking", () => {
    expect(driftMatrix(drift, null).stage).toBe('prod');
    expect(driftedFeatures(driftMatrix(drift, 'canary'))).toEqual(['a']);
    expect(driftMatrix({ ...drift, windows: [] }, null)).toMatchObject({ stage: null, rows: [] });
  });
});

describe('model quality against the baseline', () => {
  const quality: EndpointModelQuality = {
    endpointId: 'e1',
    task: 'classification',
    baseline: { evaluationId: 'ev1', metrics: { accuracy: 0.93, macroF1: 0.9 } },
    unmatchedFeedback: 0,
    windows: [
      {
        stage: 'prod',
        start: '2026-12-07T03:01:00.000Z',
        end: '2026-12-07T03:02:00.000Z',
        count: 40,
        metrics: { accuracy: 0.4, f1: 0.35 },
      },
      {
        stage: 'prod',
        start: '2026-12-07T03:00:00.000Z',
        end: '2026-12-07T03:01:00.000Z',
        count: 50,
        metrics: { accuracy: 0.95, f1: 0.92 },
      },
    ],
  };

  it("reads the task's metrics, the evaluation's figure for each (F1 as scikit-learn's macro F1) and marks the worse windows", () => {
    expect(qualityMetrics(quality)).toEqual(['accuracy', 'f1']);
    expect(baselineOf(quality, 'accuracy')).toBe(0.93);
    expect(baselineOf(quality, 'f1')).toBe(0.9);
    const windows = qualityWindows(quality, null);
    expect(windows.map((w) => w.metrics.accuracy)).toEqual([0.95, 0.4]);
    expect(windows.map((w) => belowBaseline('accuracy', w.metrics.accuracy, 0.93))).toEqual([false, true]);
  });

  it('reads errors the other way: a larger MAE is worse', () => {
    expect(belowBaseline('mae', 2.5, 1.2)).toBe(true);
    expect(belowBaseline('rmse', 0.8, 1.2)).toBe(false);
    expect(belowBaseline('mae', 2.5, null)).toBe(false);
    expect(qualityMetrics({ ...quality, task: 'regression' })).toEqual(['mae', 'rmse']);
  });
});

const stage = (over: Partial<EndpointStage> = {}) =>
  ({
    name: 'prod',
    state: 'ACTIVE',
    memoryLimitMb: null,
    payloadLogging: { enabled: false },
    drift: null,
    ...over,
  }) as EndpointStage;

describe("a stage's lifecycle and settings", () => {
  it('offers deactivate when ACTIVE, activate when INACTIVE, redeploy when it failed, nothing while it moves', () => {
    expect(stageLifecycle(stage())).toBe('deactivate');
    expect(stageLifecycle(stage({ state: 'INACTIVE' }))).toBe('activate');
    expect(stageLifecycle(stage({ state: 'DEPLOY FAILED' }))).toBe('redeploy');
    expect(stageLifecycle(stage({ state: 'CREATE FAILED' }))).toBe('redeploy');
    expect(stageLifecycle(stage({ state: 'DEPLOY IN PROGRESS' }))).toBeNull();
  });

  it('says the share of requests logged only while payload logging is on', () => {
    expect(payloadLoggingPercent(stage())).toBeNull();
    expect(payloadLoggingPercent(stage({ payloadLogging: { enabled: true } }))).toBe(100);
    expect(payloadLoggingPercent(stage({ payloadLogging: { enabled: true, sampleRate: 0.25 } }))).toBe(25);
  });

  it("sends the form's settings, keeping the stage's others, and says the first wrong entry", () => {
    const current = stage({ payloadLogging: { enabled: false, maxBytes: 4096, keepDays: 2 }, drift: null });
    const values = { ...stageSettingsValues(current), memoryLimitMb: '512', payloadLogging: true, sampleRate: '50' };
    expect(stageUpdateFrom(current, { ...values, redact: 'email, ssn', drift: true, window: '10s' })).toEqual({
      ok: true,
      body: {
        memoryLimitMb: 512,
        payloadLogging: { enabled: true, maxBytes: 4096, keepDays: 2, sampleRate: 0.5, redact: ['email', 'ssn'] },
        drift: { reference: null, window: '10s' },
      },
    });
    expect(stageUpdateFrom(current, { ...values, memoryLimitMb: '' })).toMatchObject({ ok: true, body: { memoryLimitMb: null } });
    expect(stageUpdateFrom(current, { ...values, memoryLimitMb: '10' })).toMatchObject({ ok: false, field: 'memoryLimitMb' });
    expect(stageUpdateFrom(current, { ...values, sampleRate: '150' })).toMatchObject({ ok: false, field: 'sampleRate' });
    expect(stageUpdateFrom(current, { ...values, drift: true, window: 'hourly' })).toMatchObject({ ok: false, field: 'window' });
    expect(stageUpdateFrom(current, { ...values, payloadLogging: false, drift: true })).toMatchObject({
      ok: false,
      field: 'drift',
    });
  });
});

describe('the "Add Alert…" form', () => {
  it('starts from the bad direction and a first threshold, named after the resource and series', () => {
    expect(alertRuleValues('iris', 'endpoint.p99LatencyMs')).toMatchObject({ name: 'iris-latency', op: '>', threshold: '500' });
    expect(alertRuleValues('iris', 'endpoint.requestsPerMinute', 'canary')).toMatchObject({
      name: 'iris-canary-traffic',
      op: '<',
      stage: 'canary',
    });
    expect(alertRuleName('Iris Model!', 'endpoint.accuracy')).toBe('iris-model-accuracy');
  });

  it('sends what the series needs, and refuses a bad threshold, duration or webhook', () => {
    const values = {
      ...alertRuleValues('iris', 'endpoint.featureDrift', 'prod'),
      feature: 'petal_width',
      webhook: 'https://chat.example/hook',
    };
    expect(alertRuleFrom('e1', values)).toEqual({
      ok: true,
      body: {
        name: 'iris-prod-drift',
        series: 'endpoint.featureDrift',
        resource: 'e1',
        stage: 'prod',
        feature: 'petal_width',
        op: '>',
        threshold: 0.2,
        forSeconds: 60,
        severity: 'warning',
        webhook: 'https://chat.example/hook',
      },
    });
    expect(alertRuleFrom('e1', { ...alertRuleValues('iris', 'endpoint.accuracy'), metric: '' })).toMatchObject({
      ok: true,
      body: { metric: 'accuracy' },
    });
    expect(alertRuleFrom('e1', { ...values, threshold: 'high' })).toMatchObject({ ok: false, field: 'threshold' });
    expect(alertRuleFrom('e1', { ...values, forSeconds: '1.5' })).toMatchObject({ ok: false, field: 'forSeconds' });
    expect(alertRuleFrom('e1', { ...values, webhook: 'ftp://chat.example' })).toMatchObject({ ok: false, field: 'webhook' });
    expect(alertRuleFrom('e1', { ...values, name: 'Bad Name' })).toMatchObject({ ok: false, field: 'name' });
  });
});

describe('an alert notification', () => {
  const event = (kind: AlertEvent['kind'], severity: AlertEvent['severity']): AlertEvent => ({
    seq: 1,
    ruleId: 'r1',
    rule: 'iris-latency',
    kind,
    severity,
    series: 'endpoint.p99LatencyMs',
    resource: { kind: 'endpoints', id: 'e1', name: 'iris' },
    value: 812,
    threshold: 500,
    message: 'endpoint iris: p99 latency 812 ms > 500 ms for 60 s',
    webhook: null,
    time: '2026-12-07T03:00:00.000Z',
  });

  it('is as loud as the rule, good news when it resolves, and opens the resource', () => {
    expect(alertNotice(event('FIRING', 'critical'))).toEqual({
      text: 'Alert iris-latency is firing: endpoint iris: p99 latency 812 ms > 500 ms for 60 s',
      level: 'error',
      open: { kind: 'endpoints', id: 'e1', name: 'iris', label: 'Open endpoint' },
    });
    expect(alertNotice(event('FIRING', 'warning')).level).toBe('warning');
    expect(alertNotice(event('FIRING', 'info')).level).toBe('info');
    expect(alertNotice(event('RESOLVED', 'critical'))).toMatchObject({
      level: 'success',
      text: expect.stringMatching(/^Alert iris-latency resolved: /),
    });
    expect(alertNotice({ ...event('FIRING', 'warning'), resource: null }).open).toBeNull();
  });
});
