import type { Label, ThresholdFigures } from '@emkit/shared';

/** One class's precision/recall curve as curves.json has it, in typed arrays (null → NaN). */
export interface ClassCurve {
  class: Label;
  support: number;
  /** ascending: element i is the figure at "score >= thresholds[i]" */
  thresholds: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
}

export interface Curves {
  rows: number;
  curves: ClassCurve[];
}

/** What the runner writes (eval-contract.md): sklearn's precision_recall_curve per class, one-vs-rest. */
interface CurvesFile {
  rows: number;
  classes: Label[];
  support: number[];
  curves: { class: Label; thresholds: (number | null)[]; precision: (number | null)[]; recall: (number | null)[] }[];
}

const floats = (values: readonly (number | null)[], length: number) => {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = values[i] ?? Number.NaN;
  return out;
};

/** Parses curves.json; throws on a shape it can't use (the caller reports it). */
export function parseCurves(text: string): Curves {
  const file = JSON.parse(text) as CurvesFile;
  if (!Array.isArray(file?.curves) || !Array.isArray(file.support)) throw new Error('curves.json has no curves or support');
  return {
    rows: file.rows,
    curves: file.curves.map((curve, i) => {
      const length = Math.min(curve.thresholds.length, curve.precision.length, curve.recall.length);
      return {
        class: curve.class,
        support: file.support[i] ?? 0,
        thresholds: floats(curve.thresholds, length),
        precision: floats(curve.precision, length),
        recall: floats(curve.recall, length),
      };
    }),
  };
}

/** The first index with `sorted[i] >= value`, or `sorted.length`. */
export function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

const figure = (value: number): number | null => (Number.isFinite(value) ? value : null);

const mean = (values: readonly (number | null)[]): number | null => {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
};

/**
 * Precision, recall and F1 per class at `threshold`, read off the stored curves: a binary search per class,
 * so a slider is answered in microseconds whatever the number of rows.
 */
export function figuresAt(curves: Curves, threshold: number): ThresholdFigures {
  const perClass = curves.curves.map((curve) => {
    const i = lowerBound(curve.thresholds, threshold);
    if (i >= curve.thresholds.length) {
      // no score reaches the threshold: nothing is predicted as this class
      return { class: curve.class, precision: null, recall: 0, f1: null, predicted: 0, support: curve.support };
    }
    const precision = figure(curve.precision[i] as number);
    const recall = figure(curve.recall[i] as number);
    const predicted =
      precision !== null && recall !== null && precision > 0 ? Math.round((recall * curve.support) / precision) : 0;
    const f1 =
      precision !== null && recall !== null
        ? precision + recall > 0
          ? (2 * precision * recall) / (precision + recall)
          : 0
        : null;
    return { class: curve.class, precision, recall, f1, predicted, support: curve.support };
  });
  return {
    threshold,
    perClass,
    macro: {
      precision: mean(perClass.map((c) => c.precision)),
      recall: mean(perClass.map((c) => c.recall)),
      f1: mean(perClass.map((c) => c.f1)),
    },
  };
}
