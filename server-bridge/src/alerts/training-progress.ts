import { stat } from 'node:fs/promises';
import { findEventFiles } from '../metrics/find-event-files.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import { rankLog, trainingLayout } from '../trainings/contract.js';

/** The running trainings a rule with no training watches (far more than one machine runs at once). */
const RUNNING_READ = 1000;

export function runningTrainings(store: Store): TrainingRecord[] {
  return store.trainings.list({ state: 'RUNNING', limit: RUNNING_READ, offset: 0 }).items;
}

const mtimeOf = async (file: string): Promise<number> => {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
};

/**
 * Minutes since a RUNNING training last wrote a log line (any rank) or a metric (its event files): the files'
 * modification times, so nothing is read but their metadata. Null when it isn't running.
 */
export async function minutesSinceProgress(training: TrainingRecord, at: number): Promise<number | null> {
  if (training.state !== 'RUNNING') return null;
  const layout = trainingLayout(training.dir);
  const files = [
    ...Array.from({ length: training.instanceCount }, (_, rank) => rankLog(layout, rank)),
    ...(await findEventFiles(layout.tensorboard, () => {})),
  ];
  const times = await Promise.all(files.map(mtimeOf));
  const started = training.startedAt ? Date.parse(training.startedAt) : at;
  const last = Math.max(started, ...times);
  return Math.max(0, (at - last) / 60_000);
}

/** A loss-like tag (or the one named) with a NaN or infinite value: the tag and step, else null. */
export function nonFiniteLoss(store: Store, trainingId: string, tag: string | null): { tag: string; step: number } | null {
  const found = store.metrics.nonFinite(trainingId).find((point) => (tag === null ? /loss/i.test(point.tag) : point.tag === tag));
  return found ? { tag: found.tag, step: found.step } : null;
}
