import type { EarlyStopped, EarlyStopping } from '../schemas/training-quality.js';
import type { QualityPoint } from './series.js';

/**
 * Keras' EarlyStopping rule over a stored series: the best so far improves only by more than
 * `minDelta`; once `patience` points in a row have not improved on it, the training should stop
 * at that point's step. A NaN or infinite value is no improvement. Null: keep going.
 */
export function earlyStopDecision(points: readonly QualityPoint[], rule: EarlyStopping): EarlyStopped | null {
  const sign = rule.mode === 'min' ? 1 : -1;
  const minDelta = rule.minDelta ?? 0;
  const ordered = [...points].sort((a, b) => a.step - b.step);
  let best: { step: number; value: number } | undefined;
  let waited = 0;
  for (const point of ordered) {
    const value = point.value;
    const finite = value !== null && Number.isFinite(value);
    if (finite && (best === undefined || sign * (best.value - value) > minDelta)) {
      best = { step: point.step, value };
      waited = 0;
      continue;
    }
    if (best === undefined && !finite) continue; // nothing to improve on yet
    waited += 1;
    if (best !== undefined && waited >= rule.patience) {
      return { metric: rule.metric, mode: rule.mode, step: point.step, best: best.value, bestStep: best.step };
    }
  }
  return null;
}

/** The words a training that was stopped early ends with. */
export function earlyStoppedReason(stopped: EarlyStopped): string {
  return `early stopped at step ${stopped.step}; best ${stopped.metric}=${Number(stopped.best.toPrecision(6))} at step ${stopped.bestStep}`;
}
