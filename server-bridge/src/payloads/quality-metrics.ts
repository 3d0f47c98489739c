/** Rolling model quality from labelled predictions: what scikit-learn's metrics would say, for one window. */

export type QualityTask = 'classification' | 'regression';

export const QUALITY_METRICS: Record<QualityTask, readonly string[]> = {
  classification: ['accuracy', 'f1'],
  regression: ['mae', 'rmse'],
};

/** A prediction as a class label: a scalar, or an object's `label` / `prediction` / `class` field. */
export function predictedValue(prediction: unknown): unknown {
  if (prediction !== null && typeof prediction === 'object' && !Array.isArray(prediction)) {
    const p = prediction as Record<string, unknown>;
    return p.label ?? p.prediction ?? p.class;
  }
  // a single-output regression's `[3.2]`
  if (Array.isArray(prediction) && prediction.length === 1) return prediction[0];
  return prediction;
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Numbers that are not all whole: regression; anything else: classes. */
export function guessTask(pairs: readonly { label: unknown; prediction: unknown }[]): QualityTask {
  const values = pairs.flatMap((p) => [p.label, predictedValue(p.prediction)]);
  const numeric = values.length > 0 && values.every((v) => typeof v === 'number');
  return numeric && values.some((v) => !Number.isInteger(v)) ? 'regression' : 'classification';
}

/** accuracy and macro F1 (over the classes seen as labels or predictions), as scikit-learn computes them. */
function classification(pairs: readonly { label: unknown; prediction: unknown }[]): Record<string, number> {
  const stats = new Map<string, { tp: number; fp: number; fn: number }>();
  const of = (key: string) => {
    const known = stats.get(key);
    if (known) return known;
    const fresh = { tp: 0, fp: 0, fn: 0 };
    stats.set(key, fresh);
    return fresh;
  };
  let right = 0;
  for (const { label, prediction } of pairs) {
    // "1" and 1 are the same class: labels come back as JSON, models answer in their own types
    const truth = String(label);
    const guess = String(prediction);
    if (truth === guess) {
      right += 1;
      of(truth).tp += 1;
    } else {
      of(truth).fn += 1;
      of(guess).fp += 1;
    }
  }
  let f1Sum = 0;
  for (const s of stats.values()) {
    const denominator = 2 * s.tp + s.fp + s.fn;
    f1Sum += denominator === 0 ? 0 : (2 * s.tp) / denominator;
  }
  return { accuracy: right / pairs.length, f1: stats.size === 0 ? 0 : f1Sum / stats.size };
}

function regression(pairs: readonly { label: unknown; prediction: unknown }[]): Record<string, number> {
  let absolute = 0;
  let squared = 0;
  for (const { label, prediction } of pairs) {
    const error = Number(prediction) - Number(label);
    absolute += Math.abs(error);
    squared += error * error;
  }
  return { mae: absolute / pairs.length, rmse: Math.sqrt(squared / pairs.length) };
}

/**
 * One window's metrics and how many labelled predictions they count. Pairs whose label or
 * prediction isn't a usable value (no scalar; for regression, no number) are left out.
 */
export function qualityOf(
  task: QualityTask,
  labelled: readonly { label: unknown; prediction: unknown }[],
): { count: number; metrics: Record<string, number> } {
  const pairs = labelled
    .map((p) => ({ label: p.label, prediction: predictedValue(p.prediction) }))
    .filter((p) => isScalar(p.label) && isScalar(p.prediction))
    .filter((p) => task === 'classification' || (Number.isFinite(Number(p.label)) && Number.isFinite(Number(p.prediction))));
  if (pairs.length === 0) return { count: 0, metrics: {} };
  return { count: pairs.length, metrics: task === 'classification' ? classification(pairs) : regression(pairs) };
}
