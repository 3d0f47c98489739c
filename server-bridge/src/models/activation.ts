import type { Model } from '@emkit/shared';
import { conflict } from '../server/errors.js';

/** The 409 a deactivated version gets where it would be served, quick-tested or evaluated: what it is and how to undo it. */
export function refuseInactive(model: Model, doing: string): void {
  if (model.state === 'ACTIVE') return;
  throw conflict(
    `model "${model.name}" version ${model.version} is deactivated and can't be ${doing}; reactivate it: emkit model activate ${model.name}:${model.version}`,
  );
}

/**
 * The (N+1)th active version under `--max-active-models N`: refused, naming the oldest active
 * versions to deactivate (as many as it takes to make room for one more).
 */
export function refuseOverCap(active: readonly string[], max: number | undefined): void {
  if (max === undefined || active.length < max) return;
  const oldest = active.slice(0, active.length - max + 1);
  throw conflict(
    `the bridge keeps at most ${max} active model version${max === 1 ? '' : 's'} (--max-active-models) and ${active.length} are active; deactivate ${oldest.join(', ')} first (emkit model deactivate ${oldest[0]})`,
  );
}
