import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DatasetFormat,
  DEFAULT_BATCH_ROWS,
  DEFAULT_MAX_ERRORS,
  DEFAULT_THRESHOLD,
  type EvaluationCreate,
  type Model,
} from '@emkit/shared';
import { type DatasetResolver, isDatasetRef } from '../datasets/resolve.js';
import { bridgeInterpreter, type Interpreter, modelInterpreter } from '../environments/interpreter.js';
import type { EnvironmentService } from '../environments/service.js';
import { refuseInactive } from '../models/activation.js';
import { which } from '../runtime/process.js';
import { HttpError, notFound } from '../server/errors.js';
import type { EvaluationRecord } from '../store/evaluations.js';
import type { Store } from '../store/index.js';
import { checkWithRunner } from './check.js';
import { type EvaluationSpec, evaluationLayout } from './contract.js';
import { checkDataset } from './dataset.js';
import type { EvaluationSupervision, Runner } from './supervise.js';

export interface EvaluationSubmitOptions {
  /** `<home>/evaluations` */
  root: string;
  /** the emkit home: a dataset inside it is refused */
  home: string;
  /** the interpreter when neither an environment nor the model's training names one */
  python: string;
  /** what goes first on PYTHONPATH: the bridge's own emkit package */
  emkitImportPath: string;
  environments: EnvironmentService;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
}

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * Submitting an evaluation: the model version, the dataset (path, format, then the runner's own check of its
 * columns, while the runner starts), the interpreter, spec.json, the record. A submit that fails leaves no folder,
 * no record and no runner.
 */
export class EvaluationSubmitter {
  constructor(
    private readonly store: Store,
    private readonly supervision: EvaluationSupervision,
    private readonly options: EvaluationSubmitOptions,
  ) {}

  async create(input: EvaluationCreate): Promise<EvaluationRecord> {
    const model = this.store.models.find(input.model);
    if (!model) throw notFound('model', input.model);
    refuseInactive(model, 'evaluated');
    const data = await this.dataOf(input);
    const interpreter = this.interpreterFor(model, input.environment);
    // null: the runner takes a "label" column if there is one (else it is a clustering, or an error)
    const label = input.label ?? null;

    const id = this.store.evaluations.newId();
    const layout = evaluationLayout(join(this.options.root, id));
    const spec: EvaluationSpec = {
      version: 1,
      evaluationId: id,
      model: {
        id: model.id,
        name: model.name,
        version: model.version,
        framework: model.framework,
        artifactPath: model.artifactPath,
      },
      // the path as it resolves now: a link swapped for another file later doesn't change what is read
      data: { path: await realpath(data.path), format: data.format, label, features: input.features ?? null },
      task: input.task ?? null,
      threshold: input.threshold ?? DEFAULT_THRESHOLD,
      maxErrors: input.maxErrors ?? DEFAULT_MAX_ERRORS,
      batchRows: input.batchRows ?? DEFAULT_BATCH_ROWS,
      statusFile: layout.status,
      resultFile: layout.result,
      curvesFile: layout.curves,
      logFile: layout.supervisorLog,
    };
    await mkdir(layout.dir, { recursive: true });
    let runner: Runner | undefined;
    let evaluation: EvaluationRecord;
    try {
      await writeFile(layout.spec, `${JSON.stringify(spec, null, 2)}\n`);
      // the runner starts while the check reads the data: both pay Python's start and imports, side by side
      const [checked, started] = await Promise.allSettled([
        checkWithRunner(interpreter.python, layout.spec, this.options.emkitImportPath, layout.dir),
        this.supervision.start(id, layout.dir, interpreter.python),
      ]);
      if (started.status === 'fulfilled') runner = started.value;
      if (checked.status === 'rejected') throw checked.reason;
      if (!runner) {
        const reason = started.status === 'rejected' ? (started.reason as Error).message : 'no runner';
        throw unprocessable(`the evaluation runner could not start: ${reason}`, 'environment');
      }
      const pid = runner.pid;
      evaluation = this.store.tx(() => {
        // deactivated (or deleted) while the data was checked: refused here, the runner abandoned below
        const now = this.store.models.find(model.id);
        if (!now) throw notFound('model', input.model);
        refuseInactive(now, 'evaluated');
        return this.store.evaluations.insert({
          id,
          model: { id: model.id, name: model.name, version: model.version },
          data: {
            path: data.path,
            format: data.format,
            label,
            features: spec.data.features,
            sha256: null,
            dataset: data.dataset,
          },
          task: spec.task,
          threshold: spec.threshold,
          maxErrors: spec.maxErrors,
          batchRows: spec.batchRows,
          environmentId: interpreter.environmentId,
          environment: interpreter.environmentName,
          python: interpreter.python,
          runnerPid: pid,
          dir: layout.dir,
        });
      });
    } catch (error) {
      if (runner) await this.supervision.abandon(runner);
      await rm(layout.dir, { recursive: true, force: true });
      throw error;
    }
    this.supervision.watch(evaluation);
    return evaluation;
  }

  /**
   * The data as a path and format: a path checked as before; a dataset reference resolved and pinned (its path
   * is the bridge's own copy or a checked reference, and its format is the scan's).
   */
  private async dataOf(input: EvaluationCreate): Promise<{ path: string; format: DatasetFormat; dataset: string | null }> {
    if (!this.options.datasets || !isDatasetRef(input.data)) {
      return { ...(await checkDataset(input.data, input.format, this.options.home)), dataset: null };
    }
    const resolved = await this.options.datasets(input.data, 'data');
    if (resolved.format === 'files') {
      throw unprocessable(
        `dataset ${resolved.ref} holds plain files; an evaluation reads a table (CSV, Parquet, JSONL) or class folders`,
        'data',
      );
    }
    return { path: resolved.path, format: input.format ?? resolved.format, dataset: resolved.ref };
  }

  /** The model's own Python (see modelInterpreter), else the bridge's. */
  private interpreterFor(model: Model, environmentKey: string | undefined): Interpreter {
    const { environments, python } = this.options;
    const named = environmentKey === undefined ? undefined : { key: environmentKey, environments, runs: 'evaluations' };
    return modelInterpreter(this.store, model, named, () => bridgeInterpreter(python, which));
  }
}
