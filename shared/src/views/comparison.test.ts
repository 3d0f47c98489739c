// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { ComparisonViewAction } from '../feeds/comparison-feed.js';
import { untranslated } from '../feeds/protocol.js';
import type { ExperimentComparison, MetricSummary } from '../schemas/metrics.js';
import {
  bestRows,
  type ComparisonRow,
  compareValues,
  comparisonColumns,
  filterColumns,
  nextSort,
  sortRows,
} from './comparison-table.js';
import { ComparisonView } from './comparison-view.js';

const summary = (last: number | null, best: number | null, goal: 'min' | 'max'): MetricSummary => ({
  last,
  lastStep: 9,
  min: goal === 'min' ? best : last,
  max: goal === 'max' ? best : last,
  best,
  goal,
});

const training = (
  name: string,
  hyperparameters: Record<string, string>,
  metrics: Record<string, MetricSummary>,
  times: {
    startedAt?: string | null;
    endedAt?: string | null;
    state?: ComparisonRow['state'];
    usage?: [number, number];
  } = {},
): ComparisonRow => ({
  id: `id-${name}`,
  name,
  state: times.state ?? 'COMPLETE',
  createdAt: '2026-12-06T10:00:00.000Z',
  startedAt: times.startedAt === undefined ? '2026-12-06T10:00:00.000Z' : times.startedAt,
  endedAt: times.endedAt === undefined ? '2026-12-06T10:01:00.000Z' : times.endedAt,
  hyperparameters,
  metrics,
  peakMemoryMb: times.usage?.[0] ?? null,
  meanCpuPercent: times.usage?.[1] ?? null,
});

// three runs of a sweep, newest first as the bridge lists them
const comparison: ExperimentComparison = {
  experimentId: 'exp-1',
  experimentName: 'sweep',
  hyperparameters: ['lr', 'optimizer'],
  metrics: ['accuracy', 'val_loss'],
  trainings: [
    training(
      'run-10',
      { lr: '0.1', optimizer: 'sgd' },
      { accuracy: summary(0.8, 0.85, 'max'), val_loss: summary(0.5, 0.4, 'min') },
      { endedAt: '2026-12-06T10:00:30.000Z', usage: [512.5, 98.4] },
    ),
    training('run-2', { lr: '1e-3', optimizer: 'adam' }, { accuracy: summary(0.9, 0.92, 'max') }, { usage: [1536, 12] }),
    training(
      'run-1',
      { lr: '0.05' },
      { accuracy: summary(0.7, 0.75, 'max'), val_loss: summary(0.3, 0.25, 'min') },
      { startedAt: null, endedAt: null, state: 'CREATE REQUESTED' },
    ),
  ],
};

const columns = comparisonColumns(comparison);
const column = (key: string) => {
  const found = columns.find((c) => c.key === key);
  if (!found) throw new Error(`no column ${key}`);
  return found;
};
const names = (rows: readonly ComparisonRow[]) => rows.map((row) => row.name);

describe('the comparison table', () => {
  it('has the fixed columns, one per hyperparameter, and a last and a best per metric', () => {
    expect(columns.map((c) => c.key)).toEqual([
      'name',
      'state',
      'duration',
      'peakMemory',
      'meanCpu',
      'hp:lr',
      'hp:optimizer',
      'metric:last:accuracy',
      'metric:best:accuracy',
      'metric:last:val_loss',
      'metric:best:val_loss',
    ]);
    expect(column('metric:best:val_loss')).toMatchObject({ goal: 'min' });
    expect(column('metric:best:accuracy')).toMatchObject({ goal: 'max' });
  });

  it('sorts numbers as numbers, a hyperparameter written as text included', () => {
    expect(names(sortRows(comparison.trainings, column('hp:lr'), 'ascending'))).toEqual(['run-2', 'run-1', 'run-10']);
    expect(names(sortRows(comparison.trainings, column('hp:lr'), 'descending'))).toEqual(['run-10', 'run-1', 'run-2']);
    expect(names(sortRows(comparison.trainings, column('metric:last:accuracy'), 'descending'))).toEqual([
      'run-2',
      'run-10',
      'run-1',
    ]);
    // 10 > 9 as numbers, where as text "10" < "9"
    expect(compareValues('10', '9')).toBeGreaterThan(0);
    expect(compareValues(10, 9)).toBeGreaterThan(0);
  });

  it('sorts text in reading order with digit runs as numbers, numbers before text', () => {
    expect(names(sortRows(comparison.trainings, column('name'), 'ascending'))).toEqual(['run-1', 'run-2', 'run-10']);
    expect(names(sortRows(comparison.trainings, column('state'), 'ascending'))).toEqual(['run-10', 'run-2', 'run-1']);
    expect(compareValues('3', 'adam')).toBeLessThan(0);
    expect(compareValues('Adam', 'sgd')).toBeLessThan(0);
  });

  it('puts missing values last whichever the direction, and keeps the bridge order among them', () => {
    const byLoss = (direction: 'ascending' | 'descending') =>
      names(sortRows(comparison.trainings, column('metric:last:val_loss'), direction));
    expect(byLoss('ascending')).toEqual(['run-1', 'run-10', 'run-2']);
    expect(byLoss('descending')).toEqual(['run-10', 'run-1', 'run-2']);
    const byOptimizer = (direction: 'ascending' | 'descending') =>
      names(sortRows(comparison.trainings, column('hp:optimizer'), direction));
    expect(byOptimizer('ascending')).toEqual(['run-2', 'run-10', 'run-1']);
    expect(byOptimizer('descending')).toEqual(['run-10', 'run-2', 'run-1']);
    // a training not started yet has no duration
    const now = Date.parse('2026-12-06T11:00:00.000Z');
    expect(names(sortRows(comparison.trainings, column('duration'), 'descending', now))).toEqual(['run-2', 'run-10', 'run-1']);
    // nor resource figures (never sampled): last, as any missing value
    expect(names(sortRows(comparison.trainings, column('peakMemory'), 'ascending'))).toEqual(['run-10', 'run-2', 'run-1']);
    expect(names(sortRows(comparison.trainings, column('meanCpu'), 'descending'))).toEqual(['run-10', 'run-2', 'run-1']);
  });

  it('leaves the bridge order alone with no sort, and a header sorts ascending, then the other way', () => {
    expect(names(sortRows(comparison.trainings, undefined, 'ascending'))).toEqual(['run-10', 'run-2', 'run-1']);
    const first = nextSort(null, 'hp:lr');
    expect(first).toEqual({ column: 'hp:lr', direction: 'ascending' });
    expect(nextSort(first, 'hp:lr')).toEqual({ column: 'hp:lr', direction: 'descending' });
    expect(nextSort(nextSort(first, 'hp:lr'), 'hp:lr')).toEqual(first);
    expect(nextSort(first, 'name')).toEqual({ column: 'name', direction: 'ascending' });
  });

  it("marks each metric column's best: the lowest of a loss, the highest of anything else, ties all", () => {
    const best = bestRows(comparison.trainings, columns);
    expect([...(best.get('metric:last:val_loss') ?? [])]).toEqual(['id-run-1']);
    expect([...(best.get('metric:best:val_loss') ?? [])]).toEqual(['id-run-1']);
    expect([...(best.get('metric:last:accuracy') ?? [])]).toEqual(['id-run-2']);
    expect([...(best.get('metric:best:accuracy') ?? [])]).toEqual(['id-run-2']);
    expect(best.has('hp:lr')).toBe(false);
    const tied = [
      training('a', {}, { f1: summary(0.5, 0.5, 'max') }),
      training('b', {}, { f1: summary(0.5, 0.5, 'max') }),
      training('c', {}, { f1: summary(null, null, 'max') }),
    ];
    const tiedColumns = comparisonColumns({ ...comparison, metrics: ['f1'], hyperparameters: [], trainings: tied });
    expect([...(bestRows(tied, tiedColumns).get('metric:last:f1') ?? [])]).toEqual(['id-a', 'id-b']);
  });

  it('filters hyperparameter and metric columns by name, any case, and always keeps the fixed ones', () => {
    const keys = (filter: string) => filterColumns(columns, filter).map((c) => c.key);
    const fixed = ['name', 'state', 'duration', 'peakMemory', 'meanCpu'];
    expect(keys('LOSS')).toEqual([...fixed, 'metric:last:val_loss', 'metric:best:val_loss']);
    expect(keys(' lr ')).toEqual([...fixed, 'hp:lr']);
    expect(keys('')).toHaveLength(columns.length);
    expect(keys('nothing-like-it')).toEqual(fixed);
  });
});

describe('the comparison view', () => {
  let view: ComparisonView | null = null;
  const actions: ComparisonViewAction[] = [];
  afterEach(() => {
    view?.dispose();
    view = null;
    actions.length = 0;
  });

  const open = () => {
    const host = document.createElement('div');
    document.body.appendChild(host);
    view = new ComparisonView(host, { t: untranslated, act: (action) => actions.push(action) });
    view.handle({ type: 'comparison', comparison });
    return view;
  };
  const rowNames = (v: ComparisonView) =>
    [...v.element.querySelectorAll('tbody tr')].map((row) => row.getAttribute('data-training'));
  const header = (v: ComparisonView, key: string) => v.element.querySelector(`th[data-column="${key}"]`) as HTMLElement;
  const click = (element: Element | null) => (element as HTMLElement).click();

  it('shows one row per training and a two-row header: metrics over their last and best', () => {
    const v = open();
    expect(v.element.querySelector('.emkit-title')?.textContent).toBe('sweep');
    expect(rowNames(v)).toEqual(['run-10', 'run-2', 'run-1']);
    expect([...v.element.querySelectorAll('th.emkit-metric-group')].map((th) => th.textContent)).toEqual([
      'accuracy',
      'val_loss',
    ]);
    const first = v.element.querySelector('tbody tr');
    expect([...(first?.querySelectorAll('td') ?? [])].map((td) => td.textContent)).toEqual([
      'run-10',
      'COMPLETE',
      '30s',
      '512.5 MiB',
      '98.4 %',
      '0.1',
      'sgd',
      '0.8',
      '0.85',
      '0.5',
      '0.4',
    ]);
  });

  it("shows each training's peak memory and mean CPU as numbers, a dash where never sampled", () => {
    const v = open();
    const cells = (key: string) =>
      [...v.element.querySelectorAll(`tbody td[data-column="${key}"]`)].map((td) => [td.textContent, td.className]);
    expect(cells('peakMemory')).toEqual([
      ['512.5 MiB', 'emkit-number'],
      ['1.5 GiB', 'emkit-number'],
      ['—', 'emkit-number'],
    ]);
    expect(cells('meanCpu').map(([text]) => text)).toEqual(['98.4 %', '12.0 %', '—']);
    expect(header(v, 'peakMemory').textContent).toBe('Peak memory');
    expect(header(v, 'meanCpu').textContent).toBe('Mean CPU');
    click(header(v, 'peakMemory').querySelector('button'));
    expect(rowNames(v)).toEqual(['run-10', 'run-2', 'run-1']);
  });

  it('sorts by a metric when its header is clicked, and the other way on a second click', () => {
    const v = open();
    click(header(v, 'metric:last:val_loss').querySelector('button'));
    expect(rowNames(v)).toEqual(['run-1', 'run-10', 'run-2']);
    expect(header(v, 'metric:last:val_loss').getAttribute('aria-sort')).toBe('ascending');
    click(header(v, 'metric:last:val_loss').querySelector('button'));
    expect(rowNames(v)).toEqual(['run-10', 'run-1', 'run-2']);
    expect(header(v, 'metric:last:val_loss').getAttribute('aria-sort')).toBe('descending');
    // the keyboard stays where it was
    expect(document.activeElement).toBe(header(v, 'metric:last:val_loss').querySelector('button'));
    // a live refresh keeps the order asked for
    v.handle({ type: 'comparison', comparison: { ...comparison, trainings: [...comparison.trainings].reverse() } });
    expect(rowNames(v)).toEqual(['run-10', 'run-1', 'run-2']);
  });

  it('refreshes in place: a row that is still there keeps its element, only changed cells are new', () => {
    const v = open();
    const row = v.element.querySelector('tr[data-training="run-2"]');
    const name = row?.querySelector('td[data-column="name"]');
    const [first, second, third] = comparison.trainings as [ComparisonRow, ComparisonRow, ComparisonRow];
    const better = { ...second, metrics: { ...second.metrics, accuracy: summary(0.95, 0.97, 'max') } };
    v.handle({ type: 'comparison', comparison: { ...comparison, trainings: [first, better, third] } });
    const after = v.element.querySelector('tr[data-training="run-2"]');
    expect(after).toBe(row);
    expect(after?.querySelector('td[data-column="name"]')).toBe(name);
    expect(after?.querySelector('td[data-column="metric:last:accuracy"]')?.textContent).toBe('0.95');
    expect(after?.querySelectorAll('td')).toHaveLength(11);
  });

  it("highlights each metric column's best cell", () => {
    const v = open();
    const best = [...v.element.querySelectorAll('td.emkit-best')].map(
      (td) => `${td.closest('tr')?.getAttribute('data-training')} ${td.getAttribute('data-column')}`,
    );
    expect(best.sort()).toEqual([
      'run-1 metric:best:val_loss',
      'run-1 metric:last:val_loss',
      'run-2 metric:best:accuracy',
      'run-2 metric:last:accuracy',
    ]);
  });

  it('filters the columns from its box, and says so when none is left', () => {
    const v = open();
    const box = v.element.querySelector('[data-emkit-filter]') as HTMLInputElement;
    box.value = 'acc';
    box.dispatchEvent(new Event('input'));
    const shown = [...v.element.querySelectorAll('thead th[data-column]')].map((th) => th.getAttribute('data-column'));
    expect(shown).toEqual(['name', 'state', 'duration', 'peakMemory', 'meanCpu', 'metric:last:accuracy', 'metric:best:accuracy']);
    v.setFilter('zzz');
    expect(v.element.querySelector('.emkit-comparison-empty')?.textContent).toBe('No column matches "zzz".');
  });

  it('asks its host to open the training of a clicked row, or of a focused row on Enter', () => {
    const v = open();
    click(v.element.querySelector('tr[data-training="run-2"] td[data-column="hp:lr"]'));
    expect(actions).toEqual([{ action: 'openTraining', id: 'id-run-2', name: 'run-2' }]);
    const row = v.element.querySelector('tr[data-training="run-1"]') as HTMLElement;
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(actions.at(-1)).toEqual({ action: 'openTraining', id: 'id-run-1', name: 'run-1' });
    // Enter on a header's button is the button's own click: the key alone sorts nothing
    header(v, 'hp:lr')
      .querySelector('button')
      ?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    expect(header(v, 'hp:lr').getAttribute('aria-sort')).toBeNull();
  });

  it('says an experiment with no trainings has none, and shows a feed error', () => {
    const v = open();
    v.handle({ type: 'comparison', comparison: { ...comparison, trainings: [], hyperparameters: [], metrics: [] } });
    expect(v.element.querySelector('.emkit-comparison-empty')?.textContent).toBe('No trainings in this experiment yet.');
    v.handle({ type: 'error', message: 'experiment "sweep" not found' });
    expect(v.element.querySelector('.emkit-feed-error')?.textContent).toBe('experiment "sweep" not found');
  });
});
