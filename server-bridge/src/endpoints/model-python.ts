import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Model } from '@emkit/shared';
import type { EnvironmentService } from '../environments/service.js';
import { conflict, HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';

/**
 * The interpreter a model version's worker runs with: the named environment's, else the
 * model's training's, else the bridge's own. Endpoint stages and quick tests both ask here.
 */
export function pythonForModel(
  store: Store,
  model: Model,
  fallback: string,
  environment?: { name: string; environments: EnvironmentService },
): string {
  if (environment !== undefined) {
    const env = environment.environments.find(environment.name);
    if (env.state !== 'ACTIVE') throw conflict(`environment "${env.name}" is ${env.state}; workers run in ACTIVE environments`);
    return join(env.path, 'bin', 'python');
  }
  const training = model.source.training && store.trainings.get(model.source.training.id);
  if (training) {
    if (!existsSync(training.python)) {
      throw new HttpError(
        422,
        'unprocessable',
        `the Python of training "${training.name}" (${training.python}) is gone; name an environment to serve the model in`,
        'environment',
      );
    }
    return training.python;
  }
  return fallback;
}
