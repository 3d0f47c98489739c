import { trainingSeconds } from '../presentation.js';
import { type ExperimentComparison, type MetricGoal, metricGoal } from '../schemas/metrics.js';

export type ComparisonRow = ExperimentComparison['trainings'][number];

/**
 * One column of the comparison: the training's name, state and duration, its peak memory and
 * mean CPU (its ranks together), then one per hyperparameter, then two per metric (its last and
 * its best value).
 */
export type ComparisonColumn =
  | { key: 'name' | 'state' | 'duration' | 'peakMemory' | 'meanCpu'; kind: 'fixed' }
  | { key: string; kind: 'hyperparameter'; name: string }
  | { key: string; kind: 'metric'; name: string; field: 'last' | 'best'; goal: MetricGoal };

export type SortDirection = 'ascending' | 'descending';
export interface ComparisonSort {
  column: string;
  direction: SortDirection;
}

/** A cell's value for sorting: a number, a string, or missing. */
export type SortValue = number | string | null;

/**
 * Which way a metric improves, so which value is its best: the lowest for loss- and
 * error-like names (loss, val_loss, rmse, …), the highest otherwise (accuracy, f1, …). The
 * bridge says it with each summary (`goal`, by metricGoal's rule); the rule itself answers
 * for a tag no row has a summary of.
 */
export function metricGoalOf(comparison: Pick<ExperimentComparison, 'trainings'>, tag: string): MetricGoal {
  for (const row of comparison.trainings) {
    const goal = row.metrics[tag]?.goal;
    if (goal) return goal;
  }
  return metricGoal(tag);
}

export function comparisonColumns(comparison: ExperimentComparison): ComparisonColumn[] {
  return [
    { key: 'name', kind: 'fixed' },
    { key: 'state', kind: 'fixed' },
    { key: 'duration', kind: 'fixed' },
    { key: 'peakMemory', kind: 'fixed' },
    { key: 'meanCpu', kind: 'fixed' },
    ...comparison.hyperparameters.map((name) => ({ key: `hp:${name}`, kind: 'hyperparameter' as const, name })),
    ...comparison.metrics.flatMap((name) => {
      const goal = metricGoalOf(comparison, name);
      return (['last', 'best'] as const).map((field) => ({
        key: `metric:${field}:${name}`,
        kind: 'metric' as const,
        name,
        field,
        goal,
      }));
    }),
  ];
}

/**
 * The columns a filter keeps: the fixed ones always, and the hyperparameters and metrics
 * whose name holds the text (any case).
 */
export function filterColumns(columns: readonly ComparisonColumn[], filter: string): ComparisonColumn[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return [...columns];
  return columns.filter((column) => column.kind === 'fixed' || column.name.toLowerCase().includes(needle));
}

/** The value a column shows and sorts by, in a row; `now` moves a running training's duration on. */
export function cellValue(row: ComparisonRow, column: ComparisonColumn, now: number = Date.now()): SortValue {
  switch (column.kind) {
    case 'fixed':
      if (column.key === 'name') return row.name;
      if (column.key === 'state') return row.state;
      if (column.key === 'peakMemory') return row.peakMemoryMb;
      if (column.key === 'meanCpu') return row.meanCpuPercent;
      return trainingSeconds(row, now);
    case 'hyperparameter':
      return row.hyperparameters[column.name] ?? null;
    case 'metric': {
      const value = row.metrics[column.name]?.[column.field];
      return typeof value === 'number' && Number.isFinite(value) ? value : null;
    }
  }
}

/** A hyperparameter travels as text: "0.01" and "1e-3" sort as the numbers they are. */
function asNumber(value: SortValue): number | null {
  if (typeof value === 'number') return value;
  if (value === null || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Ascending order of two present values: numbers as numbers, before any text; text in the
 * reader's order with digit runs as numbers ("run-2" before "run-10").
 */
export function compareValues(a: string | number, b: string | number): number {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return collator.compare(String(a), String(b));
}

/** The rows in the sort's order; a missing value goes last whichever the direction, and ties keep the bridge's order. */
export function sortRows(
  rows: readonly ComparisonRow[],
  column: ComparisonColumn | undefined,
  direction: SortDirection,
  now: number = Date.now(),
): ComparisonRow[] {
  if (!column) return [...rows];
  const sign = direction === 'ascending' ? 1 : -1;
  const keyed = rows.map((row, index) => ({ row, index, value: cellValue(row, column, now) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) {
      if (a.value === b.value) return a.index - b.index;
      return a.value === null ? 1 : -1;
    }
    return sign * compareValues(a.value, b.value) || a.index - b.index;
  });
  return keyed.map((entry) => entry.row);
}

/**
 * The ids of the rows holding each metric column's best value (the lowest where the metric's
 * goal is min, the highest where it is max); ties all count. Only metric columns have one.
 */
export function bestRows(rows: readonly ComparisonRow[], columns: readonly ComparisonColumn[]): Map<string, Set<string>> {
  const best = new Map<string, Set<string>>();
  for (const column of columns) {
    if (column.kind !== 'metric') continue;
    let target: number | null = null;
    for (const row of rows) {
      const value = cellValue(row, column) as number | null;
      if (value === null) continue;
      if (target === null || (column.goal === 'min' ? value < target : value > target)) target = value;
    }
    if (target === null) continue;
    best.set(column.key, new Set(rows.filter((row) => cellValue(row, column) === target).map((row) => row.id)));
  }
  return best;
}

/** The next sort when a header is clicked: ascending first, then the other way each time. */
export function nextSort(current: ComparisonSort | null, column: string): ComparisonSort {
  if (current?.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}
