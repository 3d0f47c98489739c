// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { type EndpointViewAction, untranslated } from '../feeds/protocol.js';
import type { Endpoint, EndpointStage } from '../schemas/endpoints.js';
import type { EndpointDrift, EndpointModelQuality, ResourceUsage } from '../schemas/monitoring.js';
import type { Training } from '../schemas/trainings.js';
import { EndpointView } from './endpoint-view.js';
import { TrainingView } from './training-view.js';

// The monitoring parts of the endpoint and training views as both editors show them; the
// editors' end-to-end tests drive them against a real bridge.

afterEach(() => {
  document.body.replaceChildren();
});

const stage = (name: string, over: Partial<EndpointStage> = {}): EndpointStage =>
  ({
    id: `s-${name}`,
    name,
    description: '',
    state: 'ACTIVE',
    stateReason: null,
    default: name === 'prod',
    model: { id: 'm1', name: 'iris', version: 1 },
    instanceCount: 1,
    instances: [{ index: 0, state: 'READY', restarts: 0, lastExit: null }],
    resourcePath: `/inference/iris/${name}`,
    cluster: null,
    autoscaling: null,
    memoryLimitMb: null,
    payloadLogging: { enabled: false },
    drift: null,
    createdAt: '2026-12-07T03:00:00.000Z',
    updatedAt: '2026-12-07T03:00:00.000Z',
    ...over,
  }) as EndpointStage;

const endpoint = (stages: EndpointStage[]): Endpoint =>
  ({
    id: 'e1',
    name: 'iris',
    state: 'ACTIVE',
    stateReason: null,
    defaultStage: 'prod',
    url: 'http://127.0.0.1/inference/iris',
    stages,
    createdAt: '2026-12-07T03:00:00.000Z',
    updatedAt: '2026-12-07T03:00:00.000Z',
  }) as unknown as Endpoint;

const usage = (resource: ResourceUsage['resource'], processes: ResourceUsage['processes']): ResourceUsage => ({
  resource,
  id: 'x1',
  intervalSeconds: 5,
  gpu: false,
  processes,
  summary: { peakMemoryMb: null, meanCpuPercent: null },
});

const sample = (memoryMb: number, second = 0) => ({
  time: new Date(Date.UTC(2026, 11, 7, 3, 0, second)).toISOString(),
  cpuPercent: 12.5,
  memoryMb,
  threads: 3,
  openFiles: 7,
  gpuPercent: null,
  gpuMemoryMb: null,
});

function open() {
  const actions: EndpointViewAction[] = [];
  const view = new EndpointView(document.body, { t: untranslated, act: (a) => actions.push(a) });
  return { view, actions };
}

const row = (name: string) => document.querySelector(`.emkit-stages tr[data-stage="${name}"]`) as HTMLElement;
const click = (within: ParentNode, action: string) =>
  (within.querySelector(`[data-emkit-action="${action}"]`) as HTMLElement).click();

describe("the endpoint view's stages", () => {
  it("offers each stage's lifecycle action by its state, and says when payload logging is on", () => {
    const { view, actions } = open();
    view.handle({
      type: 'endpoint',
      endpoint: endpoint([
        stage('prod', { payloadLogging: { enabled: true, sampleRate: 0.25 }, memoryLimitMb: 512 }),
        stage('canary', { state: 'INACTIVE', stateReason: 'deactivated' }),
        stage('broken', { state: 'DEPLOY FAILED', stateReason: 'the model did not load' }),
      ]),
    });
    expect(row('prod').textContent).toContain('payload logging on (25 %)');
    expect(row('prod').textContent).toContain('memory limit 512 MB');
    expect(row('canary').querySelector('.emkit-payload-logging')).toBeNull();
    click(row('prod'), 'deactivateStage');
    click(row('canary'), 'activateStage');
    click(row('broken'), 'redeployStage');
    click(row('canary'), 'addAlert');
    expect(actions).toEqual([
      { action: 'deactivateStage', stage: 'prod' },
      { action: 'activateStage', stage: 'canary' },
      { action: 'redeployStage', stage: 'broken' },
      { action: 'addAlert', stage: 'canary' },
    ]);
    // refused: the bridge's words under that stage's row
    view.handle({ type: 'stageError', stage: 'broken', message: 'the model is still broken' });
    const problem = row('broken').querySelector('.emkit-stage-problem') as HTMLElement;
    expect(problem.hidden).toBe(false);
    expect(problem.textContent).toBe('the model is still broken');
  });

  it("changes a stage's monitoring settings from its form, and shows what the bridge refuses beside the field", () => {
    const { view, actions } = open();
    view.handle({ type: 'endpoint', endpoint: endpoint([stage('prod')]) });
    click(row('prod'), 'stageSettings');
    const form = document.querySelector('.emkit-stage-settings') as HTMLElement;
    expect(form.hidden).toBe(false);
    const field = (name: string) => form.querySelector(`[data-field="${name}"]`) as HTMLInputElement;
    field('memoryLimitMb').value = '20';
    click(form, 'saveStageSettings');
    // checked here first: nothing sent
    expect(actions).toEqual([]);
    expect(field('memoryLimitMb').getAttribute('aria-invalid')).toBe('true');
    field('memoryLimitMb').value = '256';
    field('payloadLogging').value = 'on';
    field('sampleRate').value = '100';
    field('drift').value = 'on';
    field('reference').value = 'nope:9';
    field('window').value = '10s';
    click(form, 'saveStageSettings');
    expect(actions).toEqual([
      {
        action: 'updateStage',
        stage: 'prod',
        body: {
          memoryLimitMb: 256,
          payloadLogging: { enabled: true, sampleRate: 1, redact: [] },
          drift: { reference: 'nope:9', window: '10s' },
        },
      },
    ]);
    view.handle({ type: 'stageError', stage: 'prod', message: 'dataset nope:9 not found', field: 'drift.reference' });
    expect(form.querySelector('.emkit-form-problem')?.textContent).toBe('dataset nope:9 not found');
    expect(field('reference').getAttribute('aria-invalid')).toBe('true');
    expect(form.hidden).toBe(false);
    view.handle({ type: 'stageSaved', stage: 'prod' });
    expect(form.hidden).toBe(true);
  });
});

describe("the endpoint view's monitoring", () => {
  it("lists each worker's latest CPU and memory, live from the sampling rounds", () => {
    const { view } = open();
    view.handle({ type: 'endpoint', endpoint: endpoint([stage('prod')]) });
    expect((document.querySelector('.emkit-resources-empty') as HTMLElement).hidden).toBe(false);
    view.handle({
      type: 'usage',
      usage: usage('endpoints', [{ process: 'worker 0', kind: 'worker', stage: 'prod', pid: 41, samples: [sample(180)] }]),
    });
    view.handle({
      type: 'usageRound',
      data: { processes: [{ process: 'worker 0', kind: 'worker', stage: 'prod', pid: 41, sample: sample(301, 5) }] },
    });
    const cells = [...document.querySelectorAll('.emkit-resource-table tbody tr[data-process="prod · worker 0"] td')].map(
      (td) => td.textContent,
    );
    expect(cells).toEqual(['prod · worker 0', '41', '12.5', '301', '3', '7']);
    expect((document.querySelector('.emkit-resources-empty') as HTMLElement).hidden).toBe(true);
    expect(view.resources.series.list()[0]?.samples).toHaveLength(2);
  });

  it('shows the drift per feature over the windows, the drifted first and marked', () => {
    const { view, actions } = open();
    const feature = (name: string, psi: number, drifted: boolean) => ({
      feature: name,
      kind: 'numeric' as const,
      psi,
      test: 'ks' as const,
      statistic: 0.4,
      pValue: drifted ? 1e-6 : 0.4,
      drifted,
    });
    const drift: EndpointDrift = {
      endpointId: 'e1',
      reference: { source: 'iris:1', rows: 150, columns: ['sepal_length', 'petal_width'] },
      windows: [
        {
          stage: 'prod',
          start: '2026-12-07T03:00:00.000Z',
          end: '2026-12-07T03:00:10.000Z',
          count: 200,
          judged: true,
          features: [feature('petal_width', 2.5, true), feature('sepal_length', 0.01, false)],
          prediction: feature('prediction', 0.8, true),
        },
      ],
    };
    view.handle({ type: 'drift', drift });
    const rows = [...document.querySelectorAll('.emkit-drift-table tbody tr')] as HTMLElement[];
    expect(rows.map((r) => [r.dataset.feature, r.dataset.drifted])).toEqual([
      ['petal_width', 'true'],
      ['sepal_length', 'false'],
      ['prediction', 'true'],
    ]);
    expect(document.querySelector('.emkit-drift-summary')?.textContent).toBe('Drifted: petal_width');
    expect(document.querySelector('.emkit-drift-reference')?.textContent).toBe(
      'Reference: iris:1 (150 rows; sepal_length, petal_width)',
    );
    expect(rows[0]?.querySelector('.emkit-drift-cell-drifted')?.textContent).toBe('2.5');
    click(document, 'refreshMonitoring');
    expect(actions).toEqual([{ action: 'refreshMonitoring' }]);
  });

  it("shows accuracy per window beside the evaluation's, the worse windows marked", () => {
    const { view } = open();
    const quality: EndpointModelQuality = {
      endpointId: 'e1',
      task: 'classification',
      baseline: { evaluationId: 'ev1', metrics: { accuracy: 0.95, f1: 0.94 } },
      unmatchedFeedback: 2,
      windows: [
        {
          stage: 'prod',
          start: '2026-12-07T03:00:00.000Z',
          end: '2026-12-07T03:01:00.000Z',
          count: 30,
          metrics: { accuracy: 0.5, f1: 0.45 },
        },
      ],
    };
    view.handle({ type: 'quality', quality });
    expect(document.querySelector('.emkit-quality-baseline')?.textContent).toBe(
      'Baseline (evaluation ev1): accuracy 0.95, f1 0.94',
    );
    expect(document.querySelector('.emkit-quality-summary')?.textContent).toBe(
      'Worse than the baseline in the latest window: accuracy, f1 2 labels named an unknown inference.',
    );
    const marked = [...document.querySelectorAll('.emkit-quality-table td[data-below="true"]')].map((td) => td.textContent);
    expect(marked).toEqual(['0.5', '0.45']);
    // with no evaluation to compare with, the figures alone
    view.handle({ type: 'quality', quality: { ...quality, baseline: null, unmatchedFeedback: 0 } });
    expect(document.querySelector('.emkit-quality-summary')?.textContent).toBe('Latest window: accuracy 0.5, f1 0.45');
    expect(document.querySelector('.emkit-quality-baseline')?.textContent).toBe(
      'No baseline: evaluate the model version on its test data.',
    );
    expect(document.querySelectorAll('.emkit-quality-table td[data-below="true"]')).toHaveLength(0);
  });
});

describe("the training view's resources", () => {
  it("lists each rank's CPU and memory, and TensorBoard's", () => {
    const view = new TrainingView(document.body, { t: untranslated, act: () => undefined });
    view.handle({
      type: 'training',
      training: {
        id: 't1',
        name: 'fit',
        state: 'RUNNING',
        hyperparameters: {},
        datasets: {},
        placement: [],
      } as unknown as Training,
    });
    view.handle({
      type: 'usage',
      usage: usage('trainings', [
        { process: 'tensorboard', kind: 'tensorboard', stage: null, pid: 9, samples: [sample(80)] },
        { process: 'rank 0', kind: 'rank', stage: null, pid: 7, samples: [sample(900)] },
      ]),
    });
    view.handle({
      type: 'usageRound',
      data: { processes: [{ process: 'rank 0', kind: 'rank', stage: null, pid: 7, sample: sample(1400, 5) }] },
    });
    const rows = [...document.querySelectorAll('.emkit-training-view .emkit-resource-table tbody tr')] as HTMLElement[];
    expect(rows.map((r) => [r.dataset.process, r.children[3]?.textContent])).toEqual([
      ['rank 0', '1400'],
      ['tensorboard', '80'],
    ]);
    view.dispose();
  });
});
