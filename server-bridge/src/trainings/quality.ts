import { analyseQuality, type EarlyStopped, EarlyStopTracker, type TrainingQuality } from '@emkit/shared';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';

/** The analyses look at a curve's shape: a series longer than this is thinned evenly first. */
const ANALYSIS_POINTS = 500;

export type QualityShape = Pick<TrainingQuality, 'pairs' | 'overfitting' | 'plateau'>;

/** The pairs and what their curves' shapes say: the costly part, a pass over the paired series. */
export function qualityShape(store: Store, trainingId: string): QualityShape {
  const { pairs, overfitting, plateau } = analyseQuality({
    tags: store.metrics.tags(trainingId),
    points: (tag) => store.metrics.sample(trainingId, tag, ANALYSIS_POINTS),
    nonFinite: [],
    earlyStopped: null,
  });
  return { pairs, overfitting, plateau };
}

/** What a training's stored metrics say now, in full (its early stop, once decided, is kept). */
export function trainingQuality(store: Store, training: TrainingRecord, shape?: QualityShape): TrainingQuality {
  return {
    ...(shape ?? qualityShape(store, training.id)),
    nonFinite: store.metrics.nonFinite(training.id),
    earlyStopped: training.quality?.earlyStopped ?? null,
  };
}

/**
 * A running training's early-stopping rule, fed what each read adds (only the points after the
 * last step it saw: a cheap index range, however long the series). A step logged again later (a
 * resumed run) is not fed twice.
 */
export class EarlyStopWatch {
  private readonly tracker: EarlyStopTracker;

  constructor(
    private readonly store: Store,
    private readonly training: TrainingRecord,
  ) {
    this.tracker = new EarlyStopTracker(training.earlyStopping as NonNullable<TrainingRecord['earlyStopping']>);
  }

  /** Where to stop, once patience has run out; null: keep going. */
  check(): EarlyStopped | null {
    const rule = this.training.earlyStopping;
    if (!rule) return null;
    for (const point of this.store.metrics.pointsAfter(this.training.id, rule.metric, this.tracker.lastStep)) {
      const stopped = this.tracker.push(point.step, point.value);
      if (stopped) return stopped;
    }
    return null;
  }
}

export const sameQuality = (a: TrainingQuality | null, b: TrainingQuality | null) => JSON.stringify(a) === JSON.stringify(b);
