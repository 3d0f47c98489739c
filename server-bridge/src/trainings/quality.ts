import { analyseQuality, type EarlyStopped, earlyStopDecision, type TrainingQuality } from '@emkit/shared';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';

/** The analyses look at a curve's shape: a series longer than this is thinned evenly first. */
const ANALYSIS_POINTS = 2000;

/** What a training's stored metrics say now (its early stop, once decided, is kept). */
export function trainingQuality(store: Store, training: TrainingRecord, earlyStopped?: EarlyStopped): TrainingQuality {
  return analyseQuality({
    tags: store.metrics.tags(training.id),
    points: (tag) => store.metrics.series(training.id, tag, ANALYSIS_POINTS).points,
    nonFinite: store.metrics.nonFinite(training.id),
    earlyStopped: earlyStopped ?? training.quality?.earlyStopped ?? null,
  });
}

/** Whether the training's early-stopping rule says stop, over every stored point of its metric. */
export function earlyStopDue(store: Store, training: TrainingRecord): EarlyStopped | null {
  const rule = training.earlyStopping;
  if (!rule || training.quality?.earlyStopped) return null;
  return earlyStopDecision(store.metrics.series(training.id, rule.metric, Number.MAX_SAFE_INTEGER).points, rule);
}

export const sameQuality = (a: TrainingQuality | null, b: TrainingQuality | null) => JSON.stringify(a) === JSON.stringify(b);
