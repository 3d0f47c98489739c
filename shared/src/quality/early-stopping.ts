import type { EarlyStopped, EarlyStopping } from '../schemas/training-quality.js';
import type { QualityPoint } from './series.js';

/**
 * Keras' EarlyStopping rule, fed one point at a time in step order (the bridge feeds it what
 * each read of the event files adds): the best so far improves only by more than `minDelta`;
 * once `patience` points in a row have not improved on it, `push` answers where to stop.
 * A NaN or infinite value is no improvement.
 */
export class EarlyStopTracker {
  private best: { step: number; value: number } | undefined;
  private waited = 0;
  private stopped: EarlyStopped | null = null;
  /** the highest step fed so far (-Infinity before any) */
  lastStep = Number.NEGATIVE_INFINITY;

  constructor(private readonly rule: EarlyStopping) {}

  push(step: number, value: number | null): EarlyStopped | null {
    if (this.stopped) return this.stopped;
    this.lastStep = Math.max(this.lastStep, step);
    const sign = this.rule.mode === 'min' ? 1 : -1;
    const finite = value !== null && Number.isFinite(value);
    if (finite && (this.best === undefined || sign * (this.best.value - value) > (this.rule.minDelta ?? 0))) {
      this.best = { step, value };
      this.waited = 0;
      return null;
    }
    if (this.best === undefined) return null; // nothing to improve on yet
    this.waited += 1;
    if (this.waited < this.rule.patience) return null;
    const { metric, mode } = this.rule;
    this.stopped = { metric, mode, step, best: this.best.value, bestStep: this.best.step };
    return this.stopped;
  }
}

/** The rule over a whole stored series, in step order whatever order the points came in. Null: keep going. */
export function earlyStopDecision(points: readonly QualityPoint[], rule: EarlyStopping): EarlyStopped | null {
  const tracker = new EarlyStopTracker(rule);
  for (const point of [...points].sort((a, b) => a.step - b.step)) {
    const stopped = tracker.push(point.step, point.value);
    if (stopped) return stopped;
  }
  return null;
}

/** The words a training that was stopped early ends with. */
export function earlyStoppedReason(stopped: EarlyStopped): string {
  return `early stopped at step ${stopped.step}; best ${stopped.metric}=${Number(stopped.best.toPrecision(6))} at step ${stopped.bestStep}`;
}
