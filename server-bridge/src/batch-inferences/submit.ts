import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BatchInferenceCreate,
  type BatchOutputFormat,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_ERROR_RATIO,
  type Model,
} from '@emkit/shared';
import type { ClusterService, RayClientTarget } from '../clusters/service.js';
import type { DatasetResolver } from '../datasets/resolve.js';
import { bridgeInterpreter, type Interpreter, modelInterpreter } from '../environments/interpreter.js';
import type { EnvironmentService } from '../environments/service.js';
import { refuseInactive } from '../models/activation.js';
import { which } from '../runtime/process.js';
import { HttpError, notFound } from '../server/errors.js';
import type { BatchInferenceRecord } from '../store/batch-inferences.js';
import type { Store } from '../store/index.js';
import { type BatchSpec, batchLayout, outputFiles } from './contract.js';
import { refuseWrongKind, resolveInput } from './input.js';
import { checkOutput, refuseBusy } from './output.js';
import type { BatchSupervision, Runner } from './supervise.js';

export interface BatchSubmitOptions {
  /** `<home>/batch-inferences` */
  root: string;
  /** the emkit home: an input or output inside it is refused */
  home: string;
  /** the interpreter when neither an environment nor the model's training names one */
  python: string;
  environments: EnvironmentService;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
  /** the Ray clusters a job's workers may run on (none: this machine only) */
  clusters?: () => ClusterService;
  /** how often a job's workers on a cluster sample themselves; 0 or none: never */
  usageIntervalSeconds?: number;
}

/** What a create is asked on behalf of: a schedule's run links the job to its schedule. */
export interface BatchCreateContext {
  schedule?: string | null;
}

const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * Submitting a batch scoring job: the model version, the input (a path or a pinned dataset, of a kind the model
 * takes), the output folder, the interpreter, spec.json, the runner, the record. A submit that fails leaves no
 * folder, no record and no runner.
 */
export class BatchSubmitter {
  constructor(
    private readonly store: Store,
    private readonly supervision: BatchSupervision,
    private readonly options: BatchSubmitOptions,
  ) {}

  async create(body: BatchInferenceCreate, context: BatchCreateContext = {}): Promise<BatchInferenceRecord> {
    const model = this.store.models.find(body.model);
    if (!model) throw notFound('model', body.model);
    refuseInactive(model, 'used for batch scoring');
    const cluster = this.clusterFor(body.cluster);
    const input = await resolveInput(body.input, this.options.home, this.options.datasets);
    await refuseWrongKind(model, input);
    const format: BatchOutputFormat = body.format ?? (input.format === 'files' ? 'jsonl' : input.format);
    // on a cluster the runner here is a Ray Client: the bridge's Python, with the cluster's ray (the nodes load the model)
    const interpreter =
      cluster && body.environment === undefined
        ? bridgeInterpreter(this.options.python, which)
        : this.interpreterFor(model, body.environment);

    const id = this.store.batchInferences.newId();
    const layout = batchLayout(join(this.options.root, id));
    const output =
      body.output === undefined
        ? { dir: layout.dir, files: outputFiles(layout.dir, format) }
        : await checkOutput(this.store, body.output, format, { home: this.options.home, overwrite: body.overwrite ?? false });
    const spec: BatchSpec = {
      version: 1,
      jobId: id,
      model: {
        id: model.id,
        name: model.name,
        version: model.version,
        framework: model.framework,
        artifactPath: model.artifactPath,
      },
      input: { path: input.path, format: input.format },
      features: body.features ?? null,
      output: { format, file: output.files.file, partialFile: output.files.partial, errorsFile: output.files.errors },
      instances: body.instances ?? 1,
      batchSize: body.batchSize ?? DEFAULT_BATCH_SIZE,
      maxErrorRatio: body.maxErrorRatio ?? DEFAULT_MAX_ERROR_RATIO,
      returnScores: body.returnScores ?? true,
      statusFile: layout.status,
      manifestFile: layout.manifest,
      cluster: cluster
        ? {
            name: cluster.name,
            address: cluster.address,
            tokenFile: cluster.tokenFile,
            usageIntervalSeconds: this.options.usageIntervalSeconds ?? 0,
          }
        : null,
    };
    await mkdir(layout.dir, { recursive: true });
    let runner: Runner | undefined;
    let job: BatchInferenceRecord;
    try {
      await writeFile(layout.spec, `${JSON.stringify(spec, null, 2)}\n`);
      runner = await this.supervision.start(id, layout.dir, interpreter.python).catch((error: Error) => {
        throw unprocessable(`the batch scoring runner could not start: ${error.message}`, 'environment');
      });
      const pid = runner.pid;
      job = this.store.tx(() => {
        // deactivated (or deleted) meanwhile: refused here, the runner abandoned below
        const now = this.store.models.find(model.id);
        if (!now) throw notFound('model', body.model);
        refuseInactive(now, 'used for batch scoring');
        refuseBusy(this.store, output.dir);
        return this.store.batchInferences.insert({
          id,
          name: body.name ?? defaultName(model, id),
          description: body.description ?? '',
          model: { id: model.id, name: model.name, version: model.version },
          input: input.path,
          inputDataset: input.dataset,
          inputKind: input.kind,
          output: output.dir,
          outputFile: spec.output.file,
          errorsFile: spec.output.errorsFile,
          outputDatasetName: body.outputDataset ?? null,
          format,
          features: spec.features,
          instances: spec.instances,
          batchSize: spec.batchSize,
          maxErrorRatio: spec.maxErrorRatio,
          returnScores: spec.returnScores,
          environment: interpreter.environmentId,
          cluster: cluster?.id ?? null,
          schedule: context.schedule ?? null,
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
    this.supervision.watch(job);
    return job;
  }

  /** The cluster the workers run on (REACHABLE), or null: this machine. */
  private clusterFor(key: string | undefined): RayClientTarget | null {
    if (key === undefined) return null;
    const clusters = this.options.clusters?.();
    if (!clusters) throw unprocessable('this bridge runs no batch scoring on clusters', 'cluster');
    if (!clusters.get(key)) throw unprocessable(`cluster "${key}" doesn't exist`, 'cluster');
    return clusters.rayClient(key);
  }

  /** The model's own Python (see modelInterpreter), else the bridge's. */
  private interpreterFor(model: Model, environmentKey: string | undefined): Interpreter {
    const { environments, python } = this.options;
    const named = environmentKey === undefined ? undefined : { key: environmentKey, environments, runs: 'batch scoring jobs' };
    return modelInterpreter(this.store, model, named, () => bridgeInterpreter(python, which));
  }
}

/** `<model>-<version>-<6 of the id>`, within a name's 50 characters. */
function defaultName(model: Model, id: string): string {
  const suffix = `-${model.version}-${id.replace(/-/g, '').slice(0, 6)}`;
  return `${model.name.slice(0, 50 - suffix.length)}${suffix}`;
}
