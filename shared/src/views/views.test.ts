// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { untranslated } from '../feeds/protocol.js';
import type { Endpoint, EndpointStage } from '../schemas/endpoints.js';
import type { Training } from '../schemas/trainings.js';
import { type ControlElement, useControls } from './dom.js';
import { EndpointView } from './endpoint-view.js';
import { LogLines, LogView } from './log-view.js';
import { alignSeries, mergePoint, type SeriesData } from './metrics-chart.js';
import { minuteRange } from './stage-stats-chart.js';
import { TrainingView } from './training-view.js';

const host = () => {
  const element = document.createElement('div');
  document.body.appendChild(element);
  return element;
};

describe('log lines', () => {
  it('joins lines split across chunks, CRLF included, and keeps the unfinished one', () => {
    const lines = new LogLines();
    lines.append('epoch 1 lo');
    lines.append('ss=0.5\r');
    lines.append('\nepoch 2\n\u001b[31mred\u001b[0m text\nhalf');
    expect([...lines.lines]).toEqual(['epoch 1 loss=0.5', 'epoch 2', 'red text']);
    expect(lines.count).toBe(4);
    expect(lines.line(3)).toBe('half');
  });

  it('lets a carriage return overwrite the line, as a terminal shows a progress bar', () => {
    const lines = new LogLines();
    lines.append('10%\r50%\r');
    lines.append('100%\ndone\n');
    expect([...lines.lines]).toEqual(['100%', 'done']);
  });
});

describe('log view', () => {
  it('keeps the DOM small with 100,000 lines, and finds and highlights a line', () => {
    const view = new LogView(host(), untranslated);
    const text = Array.from({ length: 100_000 }, (_, i) => `step ${i} loss=${(1 / (i + 1)).toFixed(6)}`).join('\n');
    view.append(`${text}\n`);
    view.flush();
    expect(view.lineCount).toBe(100_000);
    const rows = view.element.querySelectorAll('.emkit-log-line');
    expect(rows.length).toBeLessThan(200);
    // following the tail: the last line is among the rows drawn
    expect(rows[rows.length - 1]?.textContent).toBe('step 99999 loss=0.000010');
    expect(view.element.querySelector('.emkit-log-count')?.textContent).toBe(`${(100_000).toLocaleString()} lines`);

    view.search('step 4242 ');
    view.flush();
    expect(view.matchCount).toBe(1);
    expect(view.following).toBe(false);
    const current = view.element.querySelector('.emkit-log-line.emkit-current');
    expect(current?.getAttribute('data-line')).toBe('4243');
    expect(current?.querySelector('mark')?.textContent).toBe('step 4242 ');
    expect(view.element.querySelector('.emkit-log-matches')?.textContent).toBe('1 of 1');
  });

  it('counts matches in lines appended after the search, and wraps between them', () => {
    const view = new LogView(host(), untranslated);
    view.append('warning: a\nok\n');
    view.search('WARNING');
    view.append('warn');
    view.append('ing: b\n');
    view.flush();
    expect(view.matchCount).toBe(2);
    view.step(1);
    view.step(1);
    view.flush();
    expect(view.element.querySelector('.emkit-log-line.emkit-current')?.getAttribute('data-line')).toBe('1');
    view.search('nothing');
    view.flush();
    expect(view.element.querySelector('.emkit-log-matches')?.textContent).toBe('No matches');
  });
});

describe('metric series', () => {
  it('keeps steps in order and lets a repeated step replace its value', () => {
    const data: SeriesData = { steps: [], values: [] };
    for (const [step, value] of [
      [1, 0.9],
      [3, 0.5],
      [2, 0.7],
      [3, 0.4],
      [4, null],
    ] as const)
      mergePoint(data, step, value);
    expect(data).toEqual({ steps: [1, 2, 3, 4], values: [0.9, 0.7, 0.4, null] });
  });
});

const training = (state: Training['state']): Training =>
  ({
    id: 't1',
    name: 'iris-run',
    description: '',
    experimentId: 'e1',
    experimentName: 'iris',
    source: { kind: 'notebook', dir: '/x', entry: 'train.ipynb' },
    hyperparameters: { lr: '0.1', epochs: '3' },
    datasets: {},
    environment: null,
    python: '/usr/bin/python3',
    instanceCount: 1,
    maxDurationSeconds: null,
    tags: {},
    state,
    stateReason: state === 'FAIL TRAIN' ? 'cell 3 raised ValueError: bad' : null,
    exitCode: null,
    copiedFrom: null,
    cluster: null,
    placementStrategy: null,
    placement: [],
    maxRetries: 0,
    attempt: 1,
    dir: '/x',
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
    startedAt: '2026-11-22T10:00:00.000Z',
    endedAt: null,
  }) as unknown as Training;

describe('the requests-per-minute time axis', () => {
  const minute = Date.parse('2026-11-30T12:00:00Z') / 1000;

  it('shows the hour up to the newest minute, even for a single minute of traffic', () => {
    expect(minuteRange([minute])).toEqual([minute - 3540, minute + 60]);
    expect(minuteRange([minute - 600, minute])).toEqual([minute - 3540, minute + 60]);
  });

  it('widens to every minute held when they span more than an hour', () => {
    expect(minuteRange([minute - 7200, minute])).toEqual([minute - 7200, minute + 60]);
  });

  it('shows the hour up to now when no minute has traffic yet', () => {
    expect(minuteRange([], minute + 25)).toEqual([minute - 3540, minute + 60]);
  });
});

describe('training view', () => {
  it('shows the training and offers the actions its state allows', () => {
    const actions: unknown[] = [];
    const view = new TrainingView(host(), { t: untranslated, act: (a) => actions.push(a) });
    const button = (name: string) => view.element.querySelector<HTMLButtonElement>(`[data-emkit-action="${name}"]`);
    view.handle({ type: 'training', training: training('RUNNING') });
    expect(view.element.querySelector('.emkit-title')?.textContent).toBe('iris-run');
    expect(view.element.querySelector('.emkit-state')?.textContent).toBe('RUNNING');
    expect(view.element.querySelector('.emkit-hyperparameters')?.textContent).toContain('lr0.1');
    expect(button('stop')?.disabled).toBe(false);
    expect(button('createModel')?.disabled).toBe(true);
    expect(button('saveRecipe')?.disabled).toBe(true);

    view.handle({ type: 'training', training: { ...training('FAIL TRAIN'), endedAt: '2026-11-22T10:01:00.000Z' } });
    expect(button('stop')?.disabled).toBe(true);
    expect(view.element.querySelector('.emkit-reason')?.textContent).toBe('cell 3 raised ValueError: bad');

    view.handle({ type: 'training', training: { ...training('COMPLETE'), endedAt: '2026-11-22T10:01:05.000Z' } });
    expect(view.element.querySelector('.emkit-facts')?.textContent).toContain('1m 5s');
    button('tune')?.click();
    button('createModel')?.click();
    button('saveRecipe')?.click();
    button('openTensorboard')?.click();
    view.handle({
      type: 'files',
      files: [{ path: 'artifacts/train.ipynb', bytes: 1200, modifiedAt: '2026-11-22T10:01:00.000Z' }],
    });
    view.element.querySelector<HTMLElement>('[data-path="artifacts/train.ipynb"]')?.click();
    expect(actions).toEqual([
      { action: 'tune' },
      { action: 'createModel' },
      { action: 'saveRecipe' },
      { action: 'openTensorboard' },
      { action: 'openFile', path: 'artifacts/train.ipynb' },
    ]);

    view.handle({ type: 'log', text: 'hello\n' });
    view.handle({ type: 'log', text: 'again\n', reset: true });
    view.log.flush();
    expect([...view.element.querySelectorAll('.emkit-log-line')].map((r) => r.textContent)).toEqual(['again']);
    view.handle({ type: 'metricPoints', points: [{ tag: 'loss', step: 1, value: 0.25, wallTime: 1 }] });
    view.metrics.flush();
    expect(view.element.querySelector('.emkit-metric-chart[data-tag="loss"] .emkit-metric-last')?.textContent).toBe('0.25 @ 1');
    view.dispose();
  });

  it("says where it runs: this machine, or the cluster and each rank's node", () => {
    const view = new TrainingView(host(), { t: untranslated, act: () => {} });
    const facts = () => view.element.querySelector('.emkit-facts')?.textContent ?? '';
    view.handle({ type: 'training', training: training('RUNNING') });
    expect(facts()).toContain('Runs onthis machine');
    expect(facts()).not.toContain('Ranks');
    view.handle({
      type: 'training',
      training: {
        ...training('RUNNING'),
        instanceCount: 2,
        cluster: 'lab',
        placementStrategy: 'STRICT_SPREAD',
        placement: [
          { rank: 0, node: '10.0.0.2', nodeId: 'a1' },
          { rank: 1, node: '10.0.0.3', nodeId: 'b2' },
        ],
      },
    });
    expect(facts()).toContain('Runs onlab');
    expect(facts()).toContain('Ranksrank 0 on 10.0.0.2, rank 1 on 10.0.0.3');
    view.dispose();
  });
});

describe('training and validation series overlaid', () => {
  it('puts a pair in one chart, moving a tag into it when its partner arrives later', () => {
    const view = new TrainingView(host(), { t: untranslated, act: () => undefined });
    view.handle({
      type: 'metrics',
      series: [
        {
          tag: 'loss',
          total: 2,
          points: [
            { step: 0, value: 1, wallTime: 1 },
            { step: 1, value: 0.5, wallTime: 2 },
          ],
        },
        { tag: 'lr', total: 1, points: [{ step: 0, value: 0.1, wallTime: 1 }] },
      ],
    });
    view.metrics.flush();
    expect(view.metrics.chartTags).toEqual([['loss'], ['lr']]);
    // val_loss comes later, every other step: it joins loss's chart
    view.handle({ type: 'metricPoints', points: [{ tag: 'val_loss', step: 1, value: 0.7, wallTime: 2 }] });
    view.metrics.flush();
    expect(view.metrics.chartTags).toEqual([['loss', 'val_loss'], ['lr']]);
    const charts = [...view.element.querySelectorAll('.emkit-metric-chart')];
    expect(charts.map((c) => c.getAttribute('data-tag'))).toEqual(['loss', 'lr']);
    const pair = view.element.querySelector('.emkit-metric-pair');
    expect(pair?.querySelector('.emkit-metric-last')?.textContent).toBe('training 0.5 @ 1 validation 0.7 @ 1 ');
    view.dispose();
  });

  it.each([
    [['train/loss', 'val/loss'], 'loss'],
    [['loss/train', 'loss/validation'], 'loss'],
    [['train/epoch_loss', 'validation/epoch_loss'], 'epoch_loss'],
  ])('pairs %j under %s', (tags, title) => {
    const view = new TrainingView(host(), { t: untranslated, act: () => undefined });
    view.handle({ type: 'metricPoints', points: tags.map((tag, i) => ({ tag, step: 0, value: i, wallTime: 0 })) });
    expect(view.metrics.chartTags).toEqual([tags]);
    expect(view.element.querySelector('.emkit-metric-pair')?.getAttribute('data-tag')).toBe(title);
    view.dispose();
  });

  it('aligns the two series on the union of their steps', () => {
    const train: SeriesData = { steps: [0, 1, 2, 3], values: [1, 0.8, 0.6, 0.5] };
    const validation: SeriesData = { steps: [1, 3, 5], values: [0.9, 0.7, null] };
    expect(alignSeries([train, validation])).toEqual([
      [0, 1, 2, 3, 5],
      [1, 0.8, 0.6, 0.5, null],
      [null, 0.9, null, 0.7, null],
    ]);
  });

  it('shows the flags above the charts and on the chart they are about, and the early-stopping rule', () => {
    const view = new TrainingView(host(), { t: untranslated, act: () => undefined });
    view.handle({
      type: 'metricPoints',
      points: ['loss', 'val_loss', 'grad'].map((tag) => ({ tag, step: 0, value: 1, wallTime: 0 })),
    });
    const quality = {
      pairs: [{ metric: 'loss', train: 'loss', validation: 'val_loss' }],
      overfitting: { metric: 'loss', train: 'loss', validation: 'val_loss', fromStep: 4, best: 0.2, lastStep: 9 },
      plateau: null,
      nonFinite: [{ tag: 'grad', step: 7, value: 'Infinity' as const }],
      earlyStopped: null,
    };
    view.handle({
      type: 'training',
      training: { ...training('RUNNING'), earlyStopping: { metric: 'val_loss', mode: 'min', patience: 5 }, quality },
    });
    expect([...view.element.querySelectorAll('.emkit-quality li')].map((li) => li.textContent)).toEqual([
      'grad is Infinity at step 7.',
      'Overfitting likely from step 4: val_loss has risen since while loss kept falling.',
    ]);
    expect(view.element.querySelector('.emkit-metric-pair .emkit-metric-flag')?.textContent).toContain('Overfitting likely');
    expect(view.element.querySelector('.emkit-metric-chart[data-tag="grad"]')?.classList.contains('emkit-flagged')).toBe(true);
    expect(view.element.querySelector('.emkit-facts')?.textContent).toContain('val_loss:min:5');
    // settled and fine: no flags
    view.handle({
      type: 'training',
      training: { ...training('COMPLETE'), quality: { ...quality, overfitting: null, nonFinite: [] } },
    });
    expect(view.element.querySelector<HTMLElement>('.emkit-quality')?.hidden).toBe(true);
    expect(view.element.querySelector('.emkit-flagged')).toBeNull();
    view.dispose();
  });
});

const stage = (name: string, isDefault: boolean): EndpointStage =>
  ({
    id: `s-${name}`,
    endpointId: 'p1',
    name,
    description: '',
    default: isDefault,
    state: 'ACTIVE',
    stateReason: null,
    url: `http://127.0.0.1/inference/iris/${name}`,
    resourcePath: '/',
    model: { id: 'm1', name: 'iris', version: 2, framework: 'sklearn' },
    instanceCount: 2,
    instances: [
      { index: 0, state: 'READY', pid: 1, restarts: 0, lastExit: null, inFlight: 0 },
      { index: 1, state: 'STARTING', pid: 2, restarts: 0, lastExit: null, inFlight: 0 },
    ],
    python: 'python3',
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:00.000Z',
  }) as EndpointStage;

/** an ACTIVE endpoint whose default stage is blue, with a green one beside it */
const endpoint = {
  id: 'p1',
  name: 'iris',
  state: 'ACTIVE',
  stateReason: null,
  url: 'http://127.0.0.1/inference/iris',
  defaultStage: 'blue',
  stages: [stage('green', false), stage('blue', true)],
} as unknown as Endpoint;

describe('endpoint view', () => {
  it('lists the stages, calls the endpoint from the try-it box and shows the predictions', () => {
    const actions: unknown[] = [];
    const view = new EndpointView(host(), { t: untranslated, act: (a) => actions.push(a) });
    view.handle({ type: 'endpoint', endpoint });
    const rows = [...view.element.querySelectorAll('tr[data-stage]')];
    expect(rows.map((r) => r.getAttribute('data-stage'))).toEqual(['blue', 'green']);
    expect(rows[0]?.textContent).toContain('Default');
    expect(rows[0]?.textContent).toContain('1/2');
    expect(rows[0]?.querySelector('[data-emkit-action="setDefault"]')).toBeNull();
    rows[1]?.querySelector<HTMLButtonElement>('[data-emkit-action="setDefault"]')?.click();

    view.tryIt.body = '{"instances": [[1, 2]';
    view.element.querySelector<HTMLButtonElement>('[data-emkit-action="predict"]')?.click();
    expect(view.element.querySelector('.emkit-prediction-status')?.textContent).toMatch(/^The request body is not JSON: /);
    expect(actions).toEqual([{ action: 'setDefault', stage: 'green' }]);

    view.tryIt.body = '{"instances": [[1, 2]]}';
    view.element.querySelector<HTMLButtonElement>('[data-emkit-action="predict"]')?.click();
    expect(actions[1]).toEqual({ action: 'predict', requestId: 1, stage: null, body: { instances: [[1, 2]] } });
    view.handle({ type: 'prediction', requestId: 1, status: 200, body: { predictions: [0] }, latencyMs: 3.21 });
    expect(view.element.querySelector('.emkit-prediction')?.textContent).toBe('[\n  0\n]');
    expect(view.element.querySelector('.emkit-prediction-status')?.textContent).toBe('HTTP 200 in 3.2 ms');
    view.handle({ type: 'prediction', requestId: 1, status: 400, body: 'instances must be a list', latencyMs: 1 });
    expect(view.element.querySelector('.emkit-prediction.emkit-tone-failed')?.textContent).toBe('instances must be a list');
    view.dispose();
  });
});

describe('endpoint view, where each stage runs', () => {
  it('says this machine, or the cluster with its replicas or autoscaling bounds', () => {
    const view = new EndpointView(host(), { t: untranslated, act: () => undefined });
    const onRay = { ...stage('ray', false), cluster: 'lab', autoscaling: null };
    const scaled = { ...stage('scaled', false), cluster: 'lab', autoscaling: { minReplicas: 1, maxReplicas: 3 } };
    view.handle({
      type: 'endpoint',
      endpoint: { ...endpoint, stages: [{ ...stage('blue', true), cluster: null, autoscaling: null }, onRay, scaled] },
    });
    const runsOn = (name: string) => view.element.querySelector(`tr[data-stage="${name}"] .emkit-runs-on`);
    expect([...view.element.querySelectorAll('.emkit-stages th')].map((th) => th.textContent)).toContain('Runs on');
    expect(runsOn('blue')?.textContent).toBe('this machine');
    expect(runsOn('ray')?.getAttribute('data-cluster')).toBe('lab');
    expect(runsOn('ray')?.textContent).toBe('lab2 replicas');
    expect(runsOn('scaled')?.textContent).toBe('lab1 to 3 replicas, autoscaling');
    view.dispose();
  });
});

/** A stand-in for a custom control (as @vscode-elements' are): a value, disabled, a label. */
class FakeControl extends HTMLElement {
  value = '';
  disabled = false;
  label = '';
}
for (const tag of ['x-button', 'x-textfield', 'x-textarea', 'x-select', 'x-option']) {
  customElements.define(tag, class extends FakeControl {});
}

describe('controls', () => {
  // the choice is per document: put this one back to plain after each test
  afterEach(() => useControls(document, {}));

  it('are plain HTML by default', () => {
    const training = new TrainingView(host(), { t: untranslated, act: () => undefined });
    expect(training.element.querySelector('[data-emkit-action="stop"]')?.tagName).toBe('BUTTON');
    expect(training.element.querySelector('.emkit-log-search')?.tagName).toBe('INPUT');
    const endpointView = new EndpointView(host(), { t: untranslated, act: () => undefined });
    endpointView.handle({ type: 'endpoint', endpoint });
    expect(endpointView.element.querySelector('.emkit-tryit .emkit-input')?.tagName).toBe('TEXTAREA');
    const select = endpointView.element.querySelector('.emkit-tryit-stage');
    expect(select?.tagName).toBe('SELECT');
    expect([...(select?.children ?? [])].map((option) => option.tagName)).toEqual(['OPTION', 'OPTION', 'OPTION']);
    training.dispose();
    endpointView.dispose();
  });

  it('are the elements a host chooses, and work as the plain ones do', () => {
    useControls(document, {
      button: 'x-button',
      textField: 'x-textfield',
      textArea: 'x-textarea',
      select: 'x-select',
      option: 'x-option',
    });
    const actions: unknown[] = [];
    const view = new TrainingView(host(), { t: untranslated, act: (a) => actions.push(a) });
    const button = (name: string) => view.element.querySelector<ControlElement>(`x-button[data-emkit-action="${name}"]`);
    view.handle({ type: 'training', training: training('RUNNING') });
    expect(button('stop')?.disabled).toBe(false);
    expect(button('createModel')?.disabled).toBe(true);
    button('stop')?.click();
    // disabled: a click from script does nothing, as on a disabled <button>
    button('createModel')?.click();
    expect(actions).toEqual([{ action: 'stop' }]);

    view.handle({ type: 'log', text: 'epoch 1\nepoch 2\nepoch 3\n' });
    const search = view.element.querySelector<ControlElement & { label: string }>('x-textfield.emkit-log-search');
    expect(search?.label).toBe('Search the log');
    expect(search?.getAttribute('aria-label')).toBe('Search the log');
    if (!search) throw new Error('no search field');
    search.value = 'epoch';
    search.dispatchEvent(new Event('input'));
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    view.log.flush();
    expect(view.log.matchCount).toBe(3);
    expect(view.element.querySelector('.emkit-log-matches')?.textContent).toBe('2 of 3');
    view.dispose();

    const predictions: unknown[] = [];
    const endpointView = new EndpointView(host(), { t: untranslated, act: (a) => predictions.push(a) });
    endpointView.handle({ type: 'endpoint', endpoint });
    const select = endpointView.element.querySelector<ControlElement>('x-select.emkit-tryit-stage');
    expect([...(select?.children ?? [])].map((option) => option.tagName)).toEqual(['X-OPTION', 'X-OPTION', 'X-OPTION']);
    if (!select) throw new Error('no stage select');
    select.value = 'green';
    // new stages keep the one chosen, marked on its option for a select that reads them later
    endpointView.handle({ type: 'endpoint', endpoint });
    expect(select.querySelector('[selected]')?.getAttribute('value')).toBe('green');
    const body = endpointView.element.querySelector<ControlElement>('x-textarea.emkit-input');
    if (!body) throw new Error('no request body');
    body.value = '{"instances": [[1, 2]]}';
    const send = endpointView.element.querySelector<ControlElement>('x-button[data-emkit-action="predict"]');
    send?.click();
    expect(predictions).toEqual([{ action: 'predict', requestId: 1, stage: 'green', body: { instances: [[1, 2]] } }]);
    expect(send?.disabled).toBe(true);
    endpointView.dispose();
  });
});
