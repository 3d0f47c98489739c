// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type BatchViewAction,
  type ScheduleEditorAction,
  type ScheduleEditorMessage,
  type ScheduleViewAction,
  untranslated,
} from '../feeds/protocol.js';
import type { BatchInference } from '../schemas/batch-inferences.js';
import type { Schedule, ScheduleRun } from '../schemas/schedules.js';
import { BatchView } from './batch-view.js';
import { PREVIEW_DEBOUNCE_MS, ScheduleEditor } from './schedule-editor.js';
import { ScheduleView } from './schedule-view.js';

// The batch, schedule and schedule-editor views as both editors show them; the editors'
// end-to-end tests drive them against a real bridge.

afterEach(() => {
  document.body.replaceChildren();
  vi.useRealTimers();
});

const batch = (over: Partial<BatchInference> = {}): BatchInference =>
  ({
    id: 'b1',
    name: 'score-iris',
    description: '',
    state: 'RUNNING',
    reason: null,
    model: { id: 'm1', name: 'iris', version: 2 },
    input: '/data/iris.csv',
    inputDataset: null,
    inputKind: 'table',
    output: '/home/.emkit/batch-inferences/b1',
    outputFile: '/home/.emkit/batch-inferences/b1/predictions.csv',
    errorsFile: '/home/.emkit/batch-inferences/b1/errors.jsonl',
    outputDataset: null,
    format: 'csv',
    features: null,
    instances: 2,
    batchSize: 256,
    maxErrorRatio: 0.1,
    returnScores: true,
    environment: null,
    cluster: null,
    progress: { done: 12_000, total: 50_000, errors: 3, rate: 3100, etaSeconds: 12 },
    schedule: null,
    createdAt: '2026-12-06T00:00:00.000Z',
    startedAt: '2026-12-06T00:00:01.000Z',
    finishedAt: null,
    ...over,
  }) as BatchInference;

describe('the batch job view', () => {
  it('shows the progress live, the model, input and output, the bad items and the log', () => {
    const actions: BatchViewAction[] = [];
    const view = new BatchView(document.body, { t: untranslated, act: (a) => actions.push(a) });
    view.handle({ type: 'batch', batch: batch() });
    const text = (selector: string) => view.element.querySelector(selector)?.textContent;
    expect(text('.emkit-batch-progress-text')).toBe('12,000 / 50,000 · 3,100/s · ETA 12s · 3 bad');
    expect(view.element.querySelector<HTMLElement>('.emkit-progress-fill')?.style.width).toBe('24%');
    expect(view.element.querySelector('.emkit-facts')?.textContent).toContain('iris:2');
    expect(view.element.querySelector('.emkit-facts')?.textContent).toContain('/home/.emkit/batch-inferences/b1/predictions.csv');
    const button = (action: string) => view.element.querySelector<HTMLButtonElement>(`[data-emkit-action="${action}"]`);
    expect(button('stop')?.disabled).toBe(false);
    expect(button('openOutput')?.disabled).toBe(true);
    button('stop')?.click();
    expect(actions).toEqual([{ action: 'stop' }]);

    view.handle({ type: 'errors', items: [{ key: '17', reason: 'could not convert string to float' }] });
    expect(view.element.querySelector('[data-key="17"]')?.textContent).toContain('could not convert');
    view.handle({ type: 'log', text: '[emkit] scored 12000 items, 3 bad\n', reset: true });
    view.log.flush();
    expect(view.element.querySelector('.emkit-section-logs')?.textContent).toContain('scored 12000 items');

    view.handle({
      type: 'batch',
      batch: batch({ state: 'COMPLETE', progress: { done: 50_000, total: 50_000, errors: 3, rate: null, etaSeconds: null } }),
    });
    expect(text('.emkit-batch-progress-text')).toBe('50,000 / 50,000 · 3 bad');
    expect(button('stop')?.disabled).toBe(true);
    button('openOutput')?.click();
    button('delete')?.click();
    expect(actions.slice(1)).toEqual([{ action: 'openOutput' }, { action: 'delete' }]);
    view.dispose();
  });
});

const run = (number: number, state: ScheduleRun['state'], steps: ScheduleRun['steps']): ScheduleRun => ({
  id: `r${number}`,
  schedule: 's1',
  number,
  trigger: number === 1 ? 'manual' : 'due',
  state,
  reason: state === 'FAILED' ? 'step 2 (evaluation): the data is gone' : null,
  dueAt: '2026-12-06T02:00:00.000Z',
  startedAt: '2026-12-06T02:00:00.000Z',
  finishedAt: state === 'RUNNING' ? null : '2026-12-06T02:01:05.000Z',
  steps,
});

const schedule = (over: Partial<Schedule> = {}): Schedule => ({
  id: 's1',
  name: 'nightly',
  description: '',
  state: 'ACTIVE',
  reason: null,
  cron: '0 9 * * 1-5',
  timezone: 'Asia/Seoul',
  every: null,
  steps: [
    { kind: 'training', training: 'tr-1', source: 'latest' },
    { kind: 'evaluation', data: 'holdout:1' },
    { kind: 'promote', alias: 'production', metric: 'accuracy', comparison: '>=', threshold: 0.9 },
  ],
  overlap: 'skip',
  catchUp: true,
  nextRuns: ['2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z'],
  lastRun: null,
  createdAt: '2026-12-06T00:00:00.000Z',
  updatedAt: '2026-12-06T00:00:00.000Z',
  ...over,
});

describe('the schedule view', () => {
  it('says when it runs and its chain in words, lists the next runs and the history with links', () => {
    const actions: ScheduleViewAction[] = [];
    const view = new ScheduleView(document.body, { t: untranslated, act: (a) => actions.push(a), locale: 'en' });
    view.handle({ type: 'schedule', schedule: schedule() });
    expect(view.element.querySelector('.emkit-schedule-when')?.textContent).toBe('At 09:00, Monday through Friday (Asia/Seoul)');
    // due times in the schedule's zone: midnight UTC is 09:00 in Seoul
    expect(view.element.querySelector('.emkit-schedule-next li')?.textContent).toContain('09:00:00');
    expect([...view.element.querySelectorAll('.emkit-schedule-steps li')].map((li) => li.textContent)).toEqual([
      'Retrain tr-1 from the notebook as saved',
      'Evaluate the version made on holdout:1',
      'Promote to production if accuracy >= 0.9',
    ]);
    const button = (action: string) => view.element.querySelector<HTMLButtonElement>(`[data-emkit-action="${action}"]`);
    expect(button('pause')?.disabled).toBe(false);
    expect(button('resume')?.disabled).toBe(true);
    expect(view.element.querySelector('.emkit-schedule-history')?.textContent).toBe('No runs yet.');

    view.handle({
      type: 'runs',
      runs: [
        run(2, 'FAILED', [
          { kind: 'training', state: 'COMPLETE', resource: { type: 'trainings', id: 'tr-9' }, outcome: null },
          { kind: 'evaluation', state: 'FAILED', resource: null, outcome: 'the data is gone' },
          { kind: 'promote', state: 'SKIPPED', resource: null, outcome: null },
        ]),
        run(1, 'COMPLETE', []),
      ],
    });
    const rows = view.element.querySelectorAll('.emkit-schedule-runs tbody tr');
    expect([...rows].map((r) => (r as HTMLElement).dataset.run)).toEqual(['2', '1']);
    expect(rows[0]?.textContent).toContain('step 2 (evaluation): the data is gone');
    expect(rows[0]?.textContent).toContain('1m 5s');
    expect(rows[1]?.textContent).toContain('manual');
    view.element.querySelector<HTMLElement>('[data-resource="trainings"]')?.click();
    button('runNow')?.click();
    expect(actions).toEqual([{ action: 'openResource', resource: 'trainings', id: 'tr-9' }, { action: 'runNow' }]);

    view.handle({
      type: 'schedule',
      schedule: schedule({ state: 'PAUSED', reason: 'paused by the bridge: gone', nextRuns: [] }),
    });
    expect(button('resume')?.disabled).toBe(false);
    expect(view.element.querySelector('.emkit-reason')?.textContent).toBe('paused by the bridge: gone');
    expect(view.element.querySelector('.emkit-schedule-next')?.textContent).toBe('None while paused.');
    view.dispose();
  });
});

const init = (over: Partial<ScheduleEditorMessage & { type: 'init' }> = {}): ScheduleEditorMessage => ({
  type: 'init',
  draft: {
    name: 'churn-schedule',
    every: '1d',
    steps: [{ kind: 'training', training: 'tr-2', source: 'latest', hyperparameters: { max_iter: '300' } }],
    overlap: 'skip',
    catchUp: true,
  },
  note: null,
  trainings: [{ id: 'tr-2', name: 'churn-fit', state: 'COMPLETE' }] as never,
  recipes: [],
  models: [{ id: 'm1', name: 'churn', version: 3 }] as never,
  datasets: [],
  locale: 'en',
  ...over,
});

function editor() {
  const actions: ScheduleEditorAction[] = [];
  const view = new ScheduleEditor(document.body, { t: untranslated, act: (a) => actions.push(a) });
  const field = (name: string) => view.element.querySelector<HTMLInputElement>(`[data-field="${name}"]`) as HTMLInputElement;
  const type = (name: string, value: string) => {
    field(name).value = value;
    field(name).dispatchEvent(new Event(field(name).tagName === 'SELECT' ? 'change' : 'input'));
  };
  return { view, actions, field, type };
}

describe('the schedule editor', () => {
  it('says the timing in words as it is typed and asks for the next runs once typing rests', () => {
    vi.useFakeTimers();
    const { view, actions, type } = editor();
    view.handle(init());
    expect(actions).toEqual([{ action: 'preview', requestId: 1, every: '1d' }]);
    expect(view.element.querySelector('.emkit-schedule-words')?.textContent).toBe('Every day');

    type('mode', 'cron');
    type('timezone', 'Asia/Seoul');
    type('cron', '*/5 * * * * *');
    expect(view.element.querySelector('.emkit-schedule-words')?.textContent).toBe('Every 5 seconds (Asia/Seoul)');
    vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS);
    // one question for the burst of typing, the last timing
    expect(actions.slice(1)).toEqual([{ action: 'preview', requestId: 4, cron: '*/5 * * * * *', timezone: 'Asia/Seoul' }]);
    view.handle({ type: 'preview', requestId: 4, nextRuns: ['2026-12-07T00:00:05.000Z'] });
    expect(view.element.querySelector('.emkit-schedule-next')?.textContent).toContain('09:00:05');

    type('cron', '61 * * * *');
    vi.advanceTimersByTime(PREVIEW_DEBOUNCE_MS);
    view.handle({ type: 'previewError', requestId: 5, message: 'cron: "61 * * * *" is invalid: Invalid value for minute: 61' });
    // an older answer arriving late changes nothing
    view.handle({ type: 'preview', requestId: 4, nextRuns: ['2026-12-07T00:00:05.000Z'] });
    expect(view.element.querySelector('.emkit-schedule-problem')?.textContent).toContain('Invalid value for minute: 61');
    expect(view.element.querySelector('.emkit-schedule-next')?.textContent).toBe('');
    view.dispose();
  });

  it('saves the pre-filled step with the chain chosen, and shows the bridge’s refusal with its field', () => {
    const { view, actions, field, type } = editor();
    view.handle(init());
    const evaluatePart = () => view.element.querySelector<HTMLElement>('[data-part="evaluate"]')?.hidden;
    expect(evaluatePart()).toBe(true);
    field('evaluate').click();
    // its fields show once ticked
    expect(evaluatePart()).toBe(false);
    expect(view.body()).toBe('Name the data to evaluate on.');
    type('evalData', 'holdout:1');
    type('evalLabel', 'churn');
    field('promote').click();
    type('threshold', '0.85');
    field('rescore').click();
    type('rescoreInput', 'customers');
    type('rescoreOutput', '/data/scores');
    type('overlap', 'queue');
    view.element.querySelector<HTMLButtonElement>('[data-emkit-action="save"]')?.click();
    expect(actions.at(-1)).toEqual({
      action: 'save',
      body: {
        name: 'churn-schedule',
        every: '1d',
        steps: [
          { kind: 'training', training: 'tr-2', source: 'latest', hyperparameters: { max_iter: '300' } },
          { kind: 'evaluation', data: 'holdout:1', label: 'churn' },
          { kind: 'promote', alias: 'production', metric: 'accuracy', comparison: '>=', threshold: 0.85 },
          { kind: 'batch', batch: { input: 'customers', output: '/data/scores', overwrite: true } },
        ],
        overlap: 'queue',
        catchUp: true,
      },
    });
    view.handle({ type: 'saveError', message: 'training "tr-2" doesn\'t exist', field: 'steps.0.training' });
    const status = view.element.querySelector<HTMLElement>('.emkit-schedule-status');
    expect(status?.textContent).toBe('steps.0.training: training "tr-2" doesn\'t exist');
    expect(status?.dataset.field).toBe('steps.0.training');
    view.handle({ type: 'saved', schedule: { name: 'churn-schedule' } as Schedule });
    expect(status?.textContent).toBe('Schedule churn-schedule saved.');
    view.dispose();
  });

  it('scores a dataset with a model version, and says why a notebook has no step yet', () => {
    const { view, actions, type } = editor();
    view.handle(
      init({
        draft: { name: 'nb-schedule', every: '1d', steps: [] },
        note: 'Submit this notebook as a training once: its schedule runs that training again from the notebook as saved.',
      }),
    );
    expect(view.element.querySelector<HTMLElement>('.emkit-schedule-note')?.hidden).toBe(false);
    expect(view.body()).toBe('Choose the training to run again.');
    type('first', 'batch');
    type('batchModel', 'churn:3');
    type('batchInput', '/data/new.csv');
    view.element.querySelector<HTMLButtonElement>('[data-emkit-action="save"]')?.click();
    expect(actions.at(-1)).toMatchObject({
      action: 'save',
      body: { steps: [{ kind: 'batch', batch: { model: 'churn:3', input: '/data/new.csv' } }] },
    });
    view.dispose();
  });
});
