import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { emkitChildEnv } from '../runtime/local-executor.js';
import type { Store } from '../store/index.js';

export interface DeclaredInputsOptions {
  /** the bridge's Python: a model that came from no training (or whose training's Python is gone) is read there */
  python: string;
  emkitImportPath: string;
  log: FastifyBaseLogger;
  timeoutMs?: number;
}

/** Loading a model takes seconds (scikit-learn's import); a pickle that hangs is given up on. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The input columns a model declares in itself: a scikit-learn estimator fitted on a table keeps
 * them (`feature_names_in_`). Read by loading the model in its own Python, as its workers do
 * (`python -m emkit.serving.declared_inputs`, the bridge never unpickles a model), once per model
 * version: a version's artifact doesn't change. Undefined for other frameworks, for a model that
 * declares none, and for one that can't be loaded (the bridge's log says why).
 */
export class DeclaredInputs {
  private readonly known = new Map<string, Promise<string[] | undefined>>();

  constructor(
    private readonly store: Store,
    private readonly options: DeclaredInputsOptions,
  ) {}

  of(modelId: string): Promise<string[] | undefined> {
    const model = this.store.models.find(modelId);
    if (model?.framework !== 'scikit-learn') return Promise.resolve(undefined);
    let found = this.known.get(model.id);
    if (!found) {
      const training = model.source.training ? this.store.trainings.get(model.source.training.id) : undefined;
      const python = training && existsSync(training.python) ? training.python : this.options.python;
      found = this.read(model.id, python, model.framework, model.artifactPath, `${model.name}:${model.version}`);
      this.known.set(model.id, found);
    }
    return found;
  }

  private read(id: string, python: string, framework: string, artifactPath: string, name: string): Promise<string[] | undefined> {
    const args = ['-m', 'emkit.serving.declared_inputs', framework, artifactPath];
    const options = {
      timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      env: emkitChildEnv(this.options.emkitImportPath),
      maxBuffer: 4 * 1024 * 1024,
    };
    return new Promise((resolve) => {
      execFile(python, args, options, (error, stdout) => {
        let answer: { columns?: unknown; error?: string } = {};
        try {
          answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
        } catch {
          // no answer: said below
        }
        const columns = answer.columns;
        if (Array.isArray(columns) && columns.length > 0 && columns.every((c) => typeof c === 'string')) {
          resolve(columns);
          return;
        }
        if (error || answer.error) {
          const why = answer.error ?? error?.message ?? 'no answer';
          this.options.log.warn({ model: name, python }, `could not read the inputs model ${name} declares: ${why}`);
          this.known.delete(id); // read again at the next check: the Python may be fixed by then
        }
        resolve(undefined);
      });
    });
  }
}
