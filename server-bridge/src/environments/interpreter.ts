import { isAbsolute, join } from 'node:path';
import { conflict, HttpError } from '../server/errors.js';
import type { EnvironmentService } from './service.js';

/** The Python a run (a training, an evaluation) starts with, and the environment it belongs to, if any. */
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
