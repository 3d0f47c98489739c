import { metricGoal } from '../schemas/metrics.js';
import type { EarlyStopped, NonFinite, TrainingQuality } from '../schemas/training-quality.js';
import { detectOverfitting, detectPlateau } from './fit.js';
import { pairMetricTags } from './pairs.js';
import type { QualityPoint } from './series.js';

export interface QualityInput {
  tags: readonly string[];
  /** a tag's points by step (thinned is fine: the analyses look at the shape) */
  points: (tag: string) => readonly QualityPoint[];
  nonFinite: readonly NonFinite[];
  earlyStopped: EarlyStopped | null;
}

/**
 * What the loss curves say about a training: the training/validation pairs, overfitting (the first
 * pair that shows it), a plateau, the series that went NaN or infinite, and an early stop.
 */
export function analyseQuality(input: QualityInput): TrainingQuality {
  const pairs = pairMetricTags(input.tags);
  let overfitting: TrainingQuality['overfitting'] = null;
  let plateau: TrainingQuality['plateau'] = null;
  for (const pair of pairs) {
    const goal = metricGoal(pair.metric);
    const train = input.points(pair.train);
    const validation = input.points(pair.validation);
    overfitting ??= detectOverfitting(pair, train, validation, goal);
    plateau ??= detectPlateau(pair, train, validation, goal);
  }
  return { pairs, overfitting, plateau, nonFinite: [...input.nonFinite], earlyStopped: input.earlyStopped };
}

/**
 * The series that turned NaN or infinite and haven't been told of yet, for a notification while a
 * training runs; `told` (tags, kept per training) is updated. Events that come again tell nothing twice.
 */
export function untoldNonFinite(told: Set<string>, quality: TrainingQuality | null): NonFinite[] {
  const fresh = quality?.nonFinite.filter((bad) => !told.has(bad.tag)) ?? [];
  for (const bad of fresh) told.add(bad.tag);
  return fresh;
}
