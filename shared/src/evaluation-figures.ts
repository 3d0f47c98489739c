import type { EvaluationSummary } from './schemas/evaluations.js';

/**
 * The headline figures of an evaluation (its summary's `metrics`), in the order every
 * editor shows them, with their labels as the views translate them. Shared by the model
 * view's iterations table and the promote confirmation of both editors.
 */
export const HEADLINE_METRICS = [
  ['accuracy', 'Accuracy'],
  ['macroF1', 'Macro F1'],
  ['weightedF1', 'Weighted F1'],
  ['rocAuc', 'ROC AUC'],
  ['rmse', 'RMSE'],
  ['mae', 'MAE'],
  ['r2', 'R²'],
  ['silhouette', 'Silhouette'],
] as const;

/** Errors: the smaller, the better (every other headline figure: the larger). */
const LOWER_IS_BETTER = new Set(['rmse', 'mae']);

export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.has(metric);
}

/** A figure as the views print it: four significant digits at most, "—" where there is none. */
export function formatFigure(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** The headline figures a set of summaries has, in the shown order, then any others the runner added. */
export function headlineKeys(metrics: readonly Record<string, number | null>[]): string[] {
  const present = new Set(metrics.flatMap((m) => Object.keys(m)));
  const known: string[] = HEADLINE_METRICS.map(([key]) => key).filter((key) => present.has(key));
  return [...known, ...[...present].filter((key) => !known.includes(key)).sort()];
}

/** The label of a headline figure, untranslated (a key the views don't know is shown as it is). */
export function headlineLabel(metric: string): string {
  return HEADLINE_METRICS.find(([key]) => key === metric)?.[1] ?? metric;
}

/**
 * One line for a confirmation: "Accuracy 0.953 · Macro F1 0.951 · ROC AUC 0.99 (test.csv)".
 * `t` translates the labels (the views' strings).
 */
export function headlineText(
  summary: Pick<EvaluationSummary, 'metrics' | 'data'>,
  t: (text: string) => string = (text) => text,
): string {
  const figures = headlineKeys([summary.metrics])
    .map((key) => `${t(headlineLabel(key))} ${formatFigure(summary.metrics[key])}`)
    .join(' · ');
  const file = summary.data.path.split(/[\\/]/).filter(Boolean).pop() ?? summary.data.path;
  return `${figures} (${file})`;
}
