import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';

/**
 * A training row as a submit would store it, for tests of what comes after a submit
 * (supervision, metrics): a one-file script run by `python` (else `python3`), in `dir`.
 */
export function insertScriptTraining(
  store: Store,
  { name, experimentId, dir, python = 'python3' }: { name: string; experimentId: string; dir: string; python?: string },
): TrainingRecord {
  return store.tx(() =>
    store.trainings.insert({
      id: store.trainings.newId(),
      name,
      description: '',
      experimentId,
      source: { path: dir, kind: 'script', entryPoint: 'train.py', files: 1, bytes: 1 },
      hyperparameters: {},
      datasets: {},
      environmentId: null,
      environment: null,
      python,
      instanceCount: 1,
      maxDurationSeconds: null,
      tags: {},
      earlyStopping: null,
      copiedFrom: null,
      clusterId: null,
      cluster: null,
      placementStrategy: null,
      maxRetries: 0,
      recipe: null,
      registerModel: null,
      dir,
    }),
  );
}
