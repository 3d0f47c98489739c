import { lowerIsBetter } from '../evaluation-figures.js';
import type { EndpointModelQuality, ModelQualityWindow } from '../schemas/monitoring.js';

/** The figures the bridge keeps per window: accuracy and F1 for labels, MAE and RMSE for numbers. */
export const QUALITY_METRICS = {
  classification: ['accuracy', 'f1'],
  regression: ['mae', 'rmse'],
} as const;

/** The metrics a quality answer has, in the task's order (those of its windows where the task is unknown). */
export function qualityMetrics(quality: EndpointModelQuality): string[] {
  if (quality.task) return [...QUALITY_METRICS[quality.task]];
  return [...new Set(quality.windows.flatMap((w) => Object.keys(w.metrics)))].sort();
}

/** The evaluation's figure for a metric: the same name, or scikit-learn's macro F1 for `f1`. */
export function baselineOf(quality: EndpointModelQuality, metric: string): number | null {
  const metrics = quality.baseline?.metrics;
  if (!metrics) return null;
  const value = metrics[metric] ?? (metric === 'f1' ? (metrics.macroF1 ?? metrics['macro.f1']) : undefined);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Whether a window's figure is worse than the baseline's (errors are better low; false when either is missing). */
export function belowBaseline(metric: string, value: number | undefined, baseline: number | null): boolean {
  if (value === undefined || baseline === null) return false;
  return lowerIsBetter(metric) ? value > baseline : value < baseline;
}

/** A stage's windows oldest first (`stage` null: the first stage that has any). */
export function qualityWindows(quality: EndpointModelQuality, stage: string | null): ModelQualityWindow[] {
  const stages = [...new Set(quality.windows.map((w) => w.stage))];
  const chosen = stage !== null && stages.includes(stage) ? stage : (stages[0] ?? null);
  return quality.windows.filter((w) => w.stage === chosen).sort((a, b) => a.start.localeCompare(b.start));
}
