import type { Tuning } from '@emkit/shared';
import type { Store } from '../store/index.js';

export type Objective = Tuning['objective'];

/** A trial's result: its objective value, or why it has none (said in the trial's stateReason). */
export type ObjectiveReading = { value: number } | { missing: string };

/** The objective of a settled trial's training, from its stored metrics: the last, best or at-step value. */
export function readObjective(store: Store, trainingId: string, objective: Objective): ObjectiveReading {
  const { metric, mode, aggregate, step } = objective;
  if (aggregate === 'step') {
    const at = step ?? 0;
    const point = store.metrics.pointsAfter(trainingId, metric, at - 1)[0];
    if (!point || point.step !== at) return { missing: `it never logged ${metric} at step ${at}` };
    return finite(point.value, `${metric} at step ${at}`);
  }
  const summary = store.metrics.summaries(trainingId)[metric];
  if (!summary) return { missing: `it never logged ${metric}` };
  if (aggregate === 'best') return finite(mode === 'min' ? summary.min : summary.max, `its best ${metric}`);
  return finite(summary.last, `its last ${metric}`);
}

function finite(value: number | null, what: string): ObjectiveReading {
  if (value === null || !Number.isFinite(value)) return { missing: `${what} is not a finite number (${value ?? 'NaN'})` };
  return { value };
}
