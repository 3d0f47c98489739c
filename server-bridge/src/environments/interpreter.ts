import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Model } from '@emkit/shared';
import { conflict, HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import type { EnvironmentService } from './service.js';

/** The Python a run (a training, an evaluation, a model's worker) starts with, and the environment it belongs to, if any. */
export interface Interpreter {
  environmentId: string | null;
  environmentName: string | null;
  python: string;
}

/** An ACTIVE environment's python; `runs` names what runs there, for the refusal ("trainings"). */
export function environmentInterpreter(environments: EnvironmentService, key: string, runs: string): Interpreter {
  const environment = environments.find(key);
  if (environment.state !== 'ACTIVE') {
    throw conflict(`environment "${environment.name}" is ${environment.state}; ${runs} run in ACTIVE environments`);
  }
  return { environmentId: environment.id, environmentName: environment.name, python: join(environment.path, 'bin', 'python') };
}

/** The bridge's own Python (`--python`), found on the PATH when it is a bare name. */
export function bridgeInterpreter(python: string, which: (name: string) => string | null): Interpreter {
  const found = isAbsolute(python) ? python : which(python);
  if (!found) {
    throw new HttpError(
      422,
      'unprocessable',
      `the bridge's Python (${python}) isn't on the PATH; pick an environment`,
      'environment',
    );
  }
  return { environmentId: null, environmentName: null, python: found };
}

/** The bridge's Python as it is given, a bare name left to the spawn to find (a worker reports a failed start). */
export function givenInterpreter(python: string): Interpreter {
  return { environmentId: null, environmentName: null, python };
}

/** An environment asked for by name, and what runs there (for the refusal of one that isn't ACTIVE). */
export interface EnvironmentChoice {
  key: string;
  environments: EnvironmentService;
  runs: string;
}

/**
 * A model version's own Python — a pickled model loads only where its libraries are: the environment asked for,
 * else the one its training ran with, else `otherwise()` (the bridge's). Evaluations, endpoint stages and quick
 * tests all ask here.
 */
export function modelInterpreter(
  store: Store,
  model: Model,
  environment: EnvironmentChoice | undefined,
  otherwise: () => Interpreter,
): Interpreter {
  if (environment !== undefined) return environmentInterpreter(environment.environments, environment.key, environment.runs);
  const training = model.source.training ? store.trainings.get(model.source.training.id) : undefined;
  if (!training) return otherwise();
  if (!existsSync(training.python)) {
    throw new HttpError(
      422,
      'unprocessable',
      `the Python training "${training.name}" ran with (${training.python}) is gone; name an environment that can load the model`,
      'environment',
    );
  }
  return { environmentId: training.environmentId, environmentName: training.environment, python: training.python };
}
