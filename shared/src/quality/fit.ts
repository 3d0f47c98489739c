import type { MetricGoal } from '../schemas/metrics.js';
import type { MetricPair, Overfitting, Plateau } from '../schemas/training-quality.js';
import { finitePoints, type QualityPoint, valueAt } from './series.js';

/** How many validation points in a row must sit above the best one before it counts as rising. */
export const RISING_POINTS = 3;
/** …each by more than this share of the best value (noise is not a rise). */
export const MIN_RISE = 0.02;
/** A series is flat when its last points move less than this share of their mean… */
export const FLAT = 0.02;
/** …and high when it is still above this share of where it started. */
export const HIGH = 0.5;

/** A series is smoothed over this share of its points before it is judged (at least 1: none). */
export const SMOOTHING = 0.1;

/**
 * The trailing mean over `window` points: a validation loss logged every step is noisy, and its
 * noise alone must not read as a rise.
 */
export function smooth(points: readonly { step: number; value: number }[], window: number) {
  if (window <= 1) return [...points];
  let sum = 0;
  return points.map((point, i) => {
    sum += point.value;
    if (i >= window) sum -= (points[i - window] as { value: number }).value;
    return { step: point.step, value: sum / Math.min(i + 1, window) };
  });
}

/**
 * Overfitting, as a loss curve shows it: the validation series (smoothed over SMOOTHING of its
 * points) has been worse than its best for RISING_POINTS points or more (the last RISING_POINTS
 * each by more than MIN_RISE), while the training series went on improving over the same steps.
 * `goal` says which way is better.
 */
export function detectOverfitting(
  pair: MetricPair,
  train: readonly QualityPoint[],
  validation: readonly QualityPoint[],
  goal: MetricGoal,
): Overfitting | null {
  const sign = goal === 'min' ? 1 : -1;
  const raw = finitePoints(validation);
  const val = smooth(raw, Math.floor(raw.length * SMOOTHING));
  const trainPoints = finitePoints(train);
  const trn = smooth(trainPoints, Math.floor(trainPoints.length * SMOOTHING));
  if (val.length < RISING_POINTS + 1 || trn.length < 2) return null;
  let bestIndex = 0;
  for (let i = 1; i < val.length; i++)
    if (sign * (val[i] as { value: number }).value < sign * (val[bestIndex] as { value: number }).value) bestIndex = i;
  const best = val[bestIndex] as { step: number; value: number };
  const after = val.slice(bestIndex + 1);
  if (after.length < RISING_POINTS) return null;
  const tolerance = MIN_RISE * Math.max(Math.abs(best.value), Number.EPSILON);
  if (!after.slice(-RISING_POINTS).every((p) => sign * (p.value - best.value) > tolerance)) return null;
  const last = after[after.length - 1] as { step: number; value: number };
  const trainThen = valueAt(trn, best.step) ?? trn[0]?.value;
  const trainNow = valueAt(trn, last.step);
  if (trainThen === undefined || trainNow === undefined || !(sign * (trainThen - trainNow) > 0)) return null;
  return { ...pair, fromStep: best.step, best: best.value, lastStep: last.step };
}

function flatAndHigh(points: readonly { step: number; value: number }[]): { from: number; value: number } | null {
  if (points.length < 2 * RISING_POINTS) return null;
  const window = points.slice(-Math.max(RISING_POINTS, Math.floor(points.length / 4)));
  const values = window.map((p) => p.value);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = Math.max(...values) - Math.min(...values);
  const first = (points[0] as { value: number }).value;
  const last = values[values.length - 1] as number;
  if (!(mean > 0) || spread > FLAT * mean || !(last >= HIGH * first)) return null;
  return { from: (window[0] as { step: number }).step, value: last };
}

/**
 * Underfitting, as a loss curve shows it: both series (smoothed as for overfitting) flat over
 * their last quarter (at least RISING_POINTS points) and still above HIGH of where they started.
 * Loss-like metrics only.
 */
export function detectPlateau(
  pair: MetricPair,
  train: readonly QualityPoint[],
  validation: readonly QualityPoint[],
  goal: MetricGoal,
): Plateau | null {
  if (goal !== 'min') return null;
  const smoothed = (points: readonly QualityPoint[]) => {
    const finite = finitePoints(points);
    return smooth(finite, Math.floor(finite.length * SMOOTHING));
  };
  const trn = flatAndHigh(smoothed(train));
  const val = flatAndHigh(smoothed(validation));
  if (!trn || !val) return null;
  return { ...pair, fromStep: Math.max(trn.from, val.from), trainValue: trn.value, validationValue: val.value };
}
