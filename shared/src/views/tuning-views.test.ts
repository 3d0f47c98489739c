// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { type TuneFormAction, type TuningViewAction, untranslated } from '../feeds/protocol.js';
import type { Cluster } from '../schemas/clusters.js';
import type { Tuning, TuningTrial } from '../schemas/tunings.js';
import { axisPosition, parallelAxes } from './parallel-coordinates.js';
import { TuneForm } from './tune-form.js';
import { sortTrials } from './tuning-trials-table.js';
import { importanceBars, TuningView } from './tuning-view.js';

// The tuning view and the Tune form as both editors show them; the editors' end-to-end tests
// drive them against a real bridge.

afterEach(() => {
  document.body.replaceChildren();
});

const trial = (number: number, over: Partial<TuningTrial> = {}): TuningTrial => ({
  number,
  trainingId: `t${number}`,
  trainingName: `tune-t${number}`,
  state: 'COMPLETE',
  stateReason: null,
  params: { lr: 0.001 * (number + 1), opt: number % 2 ? 'sgd' : 'adam' },
  value: 1 / (number + 1),
  lastStep: 9,
  lastValue: 1 / (number + 1),
  prunedAtStep: null,
  startedAt: '2026-12-07T00:00:00.000Z',
  endedAt: '2026-12-07T00:00:30.000Z',
  ...over,
});

const tuning = (over: Partial<Tuning> = {}): Tuning =>
  ({
    id: 'u1',
    name: 'mnist-tune',
    description: '',
    experimentId: 'e1',
    experimentName: 'mnist',
    source: { path: '/w', entryPoint: 'train.ipynb', kind: 'notebook', files: 1, bytes: 10 },
    space: { lr: { type: 'loguniform', low: 0.0001, high: 0.1 }, opt: { type: 'choice', values: ['adam', 'sgd'] } },
    fixed: {},
    objective: { metric: 'val_loss', mode: 'min', aggregate: 'last', step: null },
    algorithm: 'tpe',
    pruner: 'median',
    maxTrials: 10,
    maxDurationSeconds: null,
    parallel: 2,
    seed: null,
    datasets: {},
    environment: null,
    tags: {},
    trialMaxDurationSeconds: null,
    earlyStopping: null,
    cluster: null,
    state: 'RUNNING',
    stateReason: null,
    trials: { total: 4, running: 1, complete: 2, pruned: 1, failed: 0, stopped: 0 },
    best: { number: 2, trainingId: 't2', trainingName: 'tune-t2', value: 0.333, params: { lr: 0.003, opt: 'adam' } },
    importance: { lr: 0.8, opt: 0.2 },
    copiedFrom: null,
    dir: '/home/.emkit/tunings/u1',
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
    startedAt: '2026-12-07T00:00:00.000Z',
    endedAt: null,
    ...over,
  }) as Tuning;

const trials = () => [
  trial(0),
  trial(1, { state: 'PRUNED', value: null, prunedAtStep: 3, lastStep: 3, lastValue: 2, stateReason: 'pruned at step 3' }),
  trial(2),
  trial(3, { state: 'RUNNING', value: null, endedAt: null, lastValue: 0.9, lastStep: 2 }),
];

const rows = () =>
  [...document.querySelectorAll<HTMLElement>('.emkit-trials tbody tr')].map((tr) => [
    tr.dataset.trial,
    tr.querySelector('.emkit-badge')?.textContent,
  ]);

describe('the tuning view', () => {
  it('shows the state, best trial and budget, the trials with the pruned marked, and the importance', () => {
    const actions: TuningViewAction[] = [];
    const view = new TuningView(document.body, { t: untranslated, act: (a) => actions.push(a) });
    view.handle({ type: 'tuning', tuning: tuning() });
    view.handle({ type: 'trials', trials: trials() });
    view.flush();
    const text = document.body.textContent ?? '';
    expect(text).toContain('mnist-tune');
    expect(text).toContain('Best val_loss: trial 2 (tune-t2)');
    expect(text).toContain('lr=0.003  opt=adam');
    expect(text).toContain('4 of 10');
    expect(text).toContain('1 running, 2 complete, 1 pruned, 0 failed');
    expect(rows()).toEqual([
      ['0', 'COMPLETE'],
      ['1', 'PRUNED at step 3'],
      ['2', 'COMPLETE'],
      ['3', 'RUNNING'],
    ]);
    expect(document.querySelector('.emkit-trial-best')?.getAttribute('data-trial')).toBe('2');
    expect(document.querySelector('[data-trial="1"]')?.getAttribute('title')).toBe('pruned at step 3');
    const bars = [...document.querySelectorAll('.emkit-importance .emkit-bar')].map((b) => b.textContent);
    expect(bars).toEqual(['lr80', 'opt20']);
    // the plot has a line per scored trial, the best one marked
    expect(document.querySelectorAll('.emkit-parallel-line')).toHaveLength(2);
    expect(document.querySelector('.emkit-parallel-best')?.getAttribute('data-trial')).toBe('2');
    expect(view.objective.shown).toEqual([
      [0, 2],
      [1, 1 / 3],
      [1, 1 / 3],
    ]);
    view.dispose();
  });

  it('takes trials as they arrive, sorts by any column, and asks for stop, copy, create model and a training', () => {
    const actions: TuningViewAction[] = [];
    const view = new TuningView(document.body, { t: untranslated, act: (a) => actions.push(a) });
    view.handle({ type: 'tuning', tuning: tuning() });
    view.handle({ type: 'trials', trials: trials() });
    view.handle({ type: 'trial', trial: trial(3, { value: 0.1 }) });
    view.handle({ type: 'trial', trial: trial(4, { state: 'RUNNING', value: null, endedAt: null }) });
    // drawn once for the burst, on the next frame
    expect(document.querySelector('.emkit-trials tbody')?.textContent).toBe('No trials yet.');
    view.flush();
    expect(rows().map(([n]) => n)).toEqual(['0', '1', '2', '3', '4']);
    const header = (column: string) => document.querySelector<HTMLElement>(`th[data-column="${column}"]`) as HTMLElement;
    header('value').click();
    expect(rows().map(([n]) => n)).toEqual(['3', '2', '0', '1', '4']);
    expect(header('value').getAttribute('aria-sort')).toBe('ascending');
    header('value').click();
    expect(rows().map(([n]) => n)).toEqual(['0', '2', '3', '1', '4']);
    header('param:opt').click();
    expect(rows().map(([n]) => n)).toEqual(['0', '2', '4', '1', '3']);
    const click = (action: string) => document.querySelector<HTMLElement>(`[data-emkit-action="${action}"]`)?.click();
    click('stop');
    click('copy');
    click('createModel');
    document.querySelector<HTMLElement>('a[data-training="t1"]')?.click();
    expect(actions).toEqual([
      { action: 'stop' },
      { action: 'copy' },
      { action: 'createModel', trainingId: 't2' },
      { action: 'openTraining', trainingId: 't1' },
    ]);
    view.dispose();
  });

  it('offers no stop once settled and no model before a best trial, and says why it ended', () => {
    const view = new TuningView(document.body, { t: untranslated, act: () => undefined });
    view.handle({
      type: 'tuning',
      tuning: tuning({ state: 'FAILED', stateReason: 'no trial logged val_loss', best: null, importance: null }),
    });
    const button = (action: string) => document.querySelector(`[data-emkit-action="${action}"]`) as HTMLButtonElement;
    expect(button('stop').disabled).toBe(true);
    expect(button('createModel').disabled).toBe(true);
    expect(document.body.textContent).toContain('no trial logged val_loss');
    expect(document.body.textContent).toContain('Shown once two trials are complete.');
    view.handle({ type: 'deleted' });
    expect(button('copy').disabled).toBe(true);
    view.dispose();
  });
});

describe("the tuning view's pieces", () => {
  it('sorts trials with the ones lacking a value last either way', () => {
    const list = trials();
    expect(sortTrials(list, { column: 'value', descending: false }).map((t) => t.number)).toEqual([2, 0, 1, 3]);
    expect(sortTrials(list, { column: 'value', descending: true }).map((t) => t.number)).toEqual([0, 2, 1, 3]);
    expect(sortTrials(list, { column: 'state', descending: false }).map((t) => t.number)).toEqual([0, 2, 1, 3]);
  });

  it('places values on log, linear and categorical axes, the objective last', () => {
    const axes = parallelAxes(tuning().space, trials(), 'val_loss');
    expect(axes.map((a) => [a.key, a.kind])).toEqual([
      ['lr', 'log'],
      ['opt', 'categorical'],
      ['val_loss', 'linear'],
    ]);
    const [lr, opt, objective] = axes as [never, never, never];
    expect(axisPosition(lr, 0.0001)).toBe(0);
    expect(axisPosition(lr, 0.1)).toBeCloseTo(1);
    expect(axisPosition(lr, 0.01)).toBeCloseTo(2 / 3);
    expect(axisPosition(opt, 'sgd')).toBe(1);
    expect(axisPosition(opt, 'nope')).toBeNull();
    expect(axisPosition(objective, 1)).toBe(1);
  });

  it('gives importance as shares in per cent, the largest first', () => {
    expect(importanceBars({ a: 0.1234, b: 0.8766 })).toEqual([
      { label: 'b', value: 87.7 },
      { label: 'a', value: 12.3 },
    ]);
    expect(importanceBars(null)).toEqual([]);
  });
});

const cluster = (name: string, state: Cluster['state']): Cluster =>
  ({ id: name, name, kind: 'ray', state, stateReason: null, isDefault: false, nodes: [{ alive: true }] }) as unknown as Cluster;

function form() {
  const actions: TuneFormAction[] = [];
  const view = new TuneForm(document.body, { t: untranslated, act: (a) => actions.push(a) });
  view.handle({
    type: 'init',
    name: 'train-tune',
    source: { path: '/w/train.ipynb' },
    parameters: { lr: '0.01', epochs: '5', opt: 'adam' },
    space: {
      lr: { type: 'loguniform', low: 0.001, high: 0.1 },
      epochs: { type: 'int', low: 2, high: 10 },
      opt: { type: 'choice', values: ['adam'] },
    },
    metrics: ['accuracy', 'loss', 'val_loss'],
    experiments: ['mnist'],
    experiment: 'mnist',
    clusters: [cluster('ray1', 'REACHABLE')],
  });
  const field = (name: string) => document.querySelector(`[data-field="${name}"]`) as HTMLInputElement;
  const rowField = (key: string, name: string) =>
    document.querySelector(`tr[data-key="${key}"] [data-field="${name}"]`) as HTMLInputElement;
  const change = (input: HTMLInputElement | HTMLSelectElement, value: string) => {
    input.value = value;
    input.dispatchEvent(new Event('change'));
  };
  const click = (action: string) => document.querySelector<HTMLElement>(`[data-emkit-action="${action}"]`)?.click();
  return { view, actions, field, rowField, change, click };
}

describe('the Tune form', () => {
  it('starts from the parameters and the last training’s tags, and sends the tuning it describes', () => {
    const { actions, field, rowField, change, click } = form();
    expect(field('metric').value).toBe('val_loss');
    expect(field('mode').value).toBe('min');
    expect(field('runOn').value).toBe('');
    expect(rowField('lr', 'kind').value).toBe('loguniform');
    expect(rowField('epochs', 'step').parentElement?.classList.contains('emkit-cell-off')).toBe(false);
    expect(rowField('opt', 'low').parentElement?.classList.contains('emkit-cell-off')).toBe(true);
    // hold epochs fixed, widen the choice, pick accuracy (the mode follows), run on the cluster
    change(rowField('epochs', 'kind'), 'fixed');
    expect(rowField('epochs', 'values').value).toBe('5');
    change(rowField('opt', 'values'), 'adam, sgd');
    click('useMetric');
    expect(field('metric').value).toBe('accuracy');
    expect(field('mode').value).toBe('max');
    change(field('pruner'), 'median');
    change(field('trials'), '12');
    change(field('parallel'), '2');
    change(field('runOn'), 'ray1');
    click('startTuning');
    expect(actions).toEqual([
      {
        action: 'start',
        body: {
          name: 'train-tune',
          experiment: 'mnist',
          source: { path: '/w/train.ipynb' },
          space: { lr: { type: 'loguniform', low: 0.001, high: 0.1 }, opt: { type: 'choice', values: ['adam', 'sgd'] } },
          fixed: { epochs: '5' },
          objective: { metric: 'accuracy', mode: 'max', aggregate: 'last' },
          algorithm: 'tpe',
          pruner: 'median',
          maxTrials: 12,
          parallel: 2,
          cluster: 'ray1',
        },
      },
    ]);
    click('cancelTuning');
    expect(actions.at(-1)).toEqual({ action: 'cancel' });
  });

  it("marks the row or field at fault, its own checks and the bridge's 400 alike", () => {
    const { view, actions, field, rowField, change, click } = form();
    change(rowField('lr', 'low'), '0');
    click('startTuning');
    expect(actions).toEqual([]);
    expect(document.querySelector('.emkit-tune-error')?.textContent).toBe('space.lr: a log scale needs low above 0, not 0.');
    expect(document.querySelector('tr[data-key="lr"]')?.getAttribute('aria-invalid')).toBe('true');
    change(rowField('lr', 'low'), '0.001');
    change(field('trials'), '0');
    click('startTuning');
    expect(document.querySelector('.emkit-tune-error')?.textContent).toBe('0 must be a whole number from 1 to 10000.');
    expect(field('trials').getAttribute('aria-invalid')).toBe('true');
    change(field('trials'), '5');
    click('addParameter');
    click('startTuning');
    expect(actions).toHaveLength(1);
    view.handle({ type: 'startError', message: 'space.opt: no such thing', field: 'space.opt' });
    expect(document.querySelector('tr[data-key="opt"]')?.getAttribute('aria-invalid')).toBe('true');
    expect(document.querySelector('tr[data-key="lr"]')?.getAttribute('aria-invalid')).toBeNull();
    expect((document.querySelector('[data-emkit-action="startTuning"]') as HTMLButtonElement).disabled).toBe(false);
  });
});
