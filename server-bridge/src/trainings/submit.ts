import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join } from 'node:path';
import { type EarlyStopping, NAME_PATTERN, type PlacementStrategy, type TrainingCopy, type TrainingCreate } from '@emkit/shared';
import type { ClusterService } from '../clusters/service.js';
import { type DatasetResolver, isDatasetRef } from '../datasets/resolve.js';
import { bridgeInterpreter, environmentInterpreter, type Interpreter } from '../environments/interpreter.js';
import { requirementSpecifiers } from '../environments/requirements.js';
import type { EnvironmentService } from '../environments/service.js';
import { which } from '../runtime/process.js';
import { conflict, HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import type { TrainingRecord } from '../store/trainings.js';
import {
  clashingKeys,
  contractEnvironment,
  datasetVariable,
  hyperparameterVariable,
  type TrainingSpec,
  trainingLayout,
} from './contract.js';
import { copySnapshot, DEFAULT_SNAPSHOT_LIMITS, resolveSource, type SnapshotLimits, snapshotSource } from './source.js';
import type { TrainingSupervision } from './supervise.js';

export interface SubmitOptions {
  /** `<home>/trainings` */
  root: string;
  /** the interpreter trainings without an environment run with */
  python: string;
  environments: EnvironmentService;
  snapshotLimits?: SnapshotLimits;
  /** the clusters trainings may run on (none: this machine only) */
  clusters?: () => ClusterService;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
}

/** What a cluster training runs with: the nodes' own Python, found on their PATH (README: Trainings on a cluster). */
export const NODES_PYTHON = 'python';

export const DEFAULT_EXPERIMENT = 'default';

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

/** Two keys that would set the same variable can't both be honoured: refuse them, naming both. */
function refuseClashes(field: string, values: Record<string, string>, variable: (key: string) => string): void {
  const clash = clashingKeys(Object.keys(values), variable);
  if (clash) {
    throw new HttpError(400, 'validation', `${field} "${clash[0]}" and "${clash[1]}" would both be ${variable(clash[0])}`, field);
  }
}

/** `My Notebook.ipynb` → `my-notebook-20261122-093015` */
export function defaultTrainingName(entryPoint: string, at = new Date()): string {
  const stem =
    basename(entryPoint, extname(entryPoint))
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '')
      .slice(0, 30) || 'training';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stem}-${stamp}`;
}

/** Everything a new run needs, from a fresh submit or from a copy. */
interface SubmitPlan {
  name: string | undefined;
  description: string;
  experiment: string | undefined;
  entryPoint: string;
  hyperparameters: Record<string, string>;
  datasets: Record<string, string>;
  environment: string | undefined;
  instanceCount: number;
  maxDurationSeconds: number | null;
  tags: Record<string, string>;
  earlyStopping: EarlyStopping | null;
  copiedFrom: string | null;
  /** a cluster's name or id; null: this machine; undefined: the default cluster if one is set */
  cluster: string | null | undefined;
  /** as asked; null: SPREAD, or the original's on a cluster */
  placementStrategy: PlacementStrategy | null;
  /** a copy's original's, used when the copy runs on a cluster too */
  inheritedStrategy?: PlacementStrategy | null;
  /** as asked; null: 0, or the original's on a cluster */
  maxRetries: number | null;
  inheritedRetries?: number;
  snapshot: (target: string) => Promise<{ files: number; bytes: number }>;
  sourceInfo: { path: string; kind: 'notebook' | 'script' };
  /** the recipe it is trained from, and (a built-in) the model it registers when it ends COMPLETE */
  recipe: RecipeOrigin;
}

/** A training of a recipe: its name, and for a built-in the model name it registers a version of (null: none). */
export interface RecipeOrigin {
  recipe: string | null;
  registerModel: string | null;
}
const NO_RECIPE: RecipeOrigin = { recipe: null, registerModel: null };

/** A snapshot of a source taken earlier: its folder, its entry point, and the source it was taken of. */
export interface SnapshotOrigin {
  snapshot: string;
  entryPoint: string;
  path: string;
  kind: 'notebook' | 'script';
}

/**
 * Submitting a training: validate, snapshot the source, write the spec, record it (with its experiment, made if
 * new) and hand it to supervision. A submit that fails leaves no folder and no record.
 */
export class TrainingSubmitter {
  private readonly snapshotLimits: SnapshotLimits;

  constructor(
    private readonly store: Store,
    private readonly supervision: TrainingSupervision,
    private readonly options: SubmitOptions,
  ) {
    this.snapshotLimits = options.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS;
  }

  /** `origin`: set when a recipe is trained (POST /recipes/{id}/trainings comes this same way). */
  async create(input: TrainingCreate, origin: RecipeOrigin = NO_RECIPE): Promise<TrainingRecord> {
    const source = await resolveSource(input.source.path, input.source.entryPoint);
    return this.submit({
      name: input.name,
      description: input.description ?? '',
      experiment: input.experiment,
      entryPoint: source.entryPoint,
      hyperparameters: input.hyperparameters ?? {},
      datasets: input.datasets ?? {},
      environment: input.environment,
      instanceCount: input.instanceCount ?? 1,
      maxDurationSeconds: input.maxDurationSeconds ?? null,
      tags: input.tags ?? {},
      earlyStopping: input.earlyStopping ?? null,
      copiedFrom: null,
      cluster: input.cluster,
      placementStrategy: input.placementStrategy ?? null,
      maxRetries: input.maxRetries ?? null,
      snapshot: (target) => snapshotSource(source, target, this.snapshotLimits),
      sourceInfo: { path: source.root, kind: source.kind },
      recipe: origin,
    });
  }

  /**
   * A training of a snapshot taken before (a tuning's trials: one snapshot for all of them), copied in as a
   * copy's is; `origin` is what the training says its source was.
   */
  async createFromSnapshot(input: Omit<TrainingCreate, 'source'>, origin: SnapshotOrigin): Promise<TrainingRecord> {
    return this.submit({
      name: input.name,
      description: input.description ?? '',
      experiment: input.experiment,
      entryPoint: origin.entryPoint,
      hyperparameters: input.hyperparameters ?? {},
      datasets: input.datasets ?? {},
      environment: input.environment,
      instanceCount: input.instanceCount ?? 1,
      maxDurationSeconds: input.maxDurationSeconds ?? null,
      tags: input.tags ?? {},
      earlyStopping: input.earlyStopping ?? null,
      copiedFrom: null,
      cluster: input.cluster,
      placementStrategy: input.placementStrategy ?? null,
      maxRetries: input.maxRetries ?? null,
      snapshot: (target) => copySnapshot(origin.snapshot, target, this.snapshotLimits),
      sourceInfo: { path: origin.path, kind: origin.kind },
      recipe: NO_RECIPE,
    });
  }

  /** The same settings and the same snapshot of the source, as a new run. */
  async copy(original: TrainingRecord, overrides: TrainingCopy): Promise<TrainingRecord> {
    const from = trainingLayout(original.dir).source;
    if (!existsSync(from)) throw conflict(`the source snapshot of training "${original.name}" is gone (${from})`);
    return this.submit({
      name: overrides.name,
      description: overrides.description ?? original.description,
      experiment: overrides.experiment ?? original.experimentId,
      entryPoint: original.source.entryPoint,
      hyperparameters: overrides.hyperparameters ?? original.hyperparameters,
      datasets: overrides.datasets ?? original.datasets,
      environment: overrides.environment ?? original.environmentId ?? undefined,
      instanceCount: overrides.instanceCount ?? original.instanceCount,
      maxDurationSeconds: overrides.maxDurationSeconds ?? original.maxDurationSeconds,
      tags: overrides.tags ?? original.tags,
      // null in the copy drops the rule; left out, the copy keeps it
      earlyStopping: overrides.earlyStopping === undefined ? original.earlyStopping : overrides.earlyStopping,
      copiedFrom: original.id,
      cluster: overrides.cluster === undefined ? (original.clusterId ?? null) : overrides.cluster,
      placementStrategy: overrides.placementStrategy ?? null,
      inheritedStrategy: original.placementStrategy,
      maxRetries: overrides.maxRetries ?? null,
      inheritedRetries: original.maxRetries,
      snapshot: (target) => copySnapshot(from, target, this.snapshotLimits),
      sourceInfo: { path: original.source.path, kind: original.source.kind },
      // a copy of a recipe's training is a training of that recipe (a built-in's registers a new model version too)
      recipe: { recipe: original.recipe, registerModel: original.registerModel },
    });
  }

  private async submit(plan: SubmitPlan): Promise<TrainingRecord> {
    refuseClashes('hyperparameters', plan.hyperparameters, hyperparameterVariable);
    refuseClashes('datasets', plan.datasets, datasetVariable);
    const datasets = await this.resolveDatasets(plan.datasets);
    const cluster = this.pickCluster(plan.cluster);
    if (!cluster && plan.placementStrategy !== null) {
      throw unprocessable('placementStrategy places the ranks of a training on a cluster; name a cluster', 'placementStrategy');
    }
    if (!cluster && plan.maxRetries) {
      throw unprocessable('maxRetries starts a training again after a lost node of a cluster; name a cluster', 'maxRetries');
    }
    const { environmentId, environmentName, python, clusterPip } = cluster
      ? this.nodesPython(plan.environment)
      : { ...this.pickPython(plan.environment), clusterPip: undefined };
    const name = plan.name ?? this.freeName(defaultTrainingName(plan.entryPoint));
    if (this.store.trainings.get(name)) throw conflict(`a training named "${name}" already exists`);
    const experiment = this.experimentFor(plan.experiment);

    const id = this.store.trainings.newId();
    const layout = trainingLayout(join(this.options.root, id));
    await mkdir(layout.dir, { recursive: true });
    let training: TrainingRecord;
    try {
      const snapshot = await plan.snapshot(layout.source);
      await Promise.all(
        [layout.logs, layout.artifacts, layout.model, layout.checkpoints, layout.tensorboard].map((d) => mkdir(d)),
      );
      const spec: TrainingSpec = {
        version: 1,
        trainingId: id,
        trainingName: name,
        python,
        sourceDir: layout.source,
        entryPoint: plan.entryPoint,
        kind: plan.sourceInfo.kind,
        hyperparameters: plan.hyperparameters,
        instanceCount: plan.instanceCount,
        maxDurationSeconds: plan.maxDurationSeconds,
        env: contractEnvironment({
          layout,
          entryPoint: plan.entryPoint,
          hyperparameters: plan.hyperparameters,
          datasets: datasets.paths,
        }),
        logDir: layout.logs,
        statusFile: layout.status,
        artifactsDir: layout.artifacts,
        installer: this.installerFor(python),
        ...(clusterPip === undefined ? {} : { clusterPip }),
      };
      await writeFile(layout.spec, `${JSON.stringify(spec, null, 2)}\n`);
      training = this.store.tx(() => {
        // the experiment is made here, with the training, so a failed submit leaves neither
        const experimentId =
          experiment.id ??
          this.store.experiments.get(experiment.name)?.id ??
          this.store.experiments.insert({ name: experiment.name, description: '' }).id;
        return this.store.trainings.insert({
          id,
          name,
          description: plan.description,
          experimentId,
          source: { ...plan.sourceInfo, entryPoint: plan.entryPoint, files: snapshot.files, bytes: snapshot.bytes },
          hyperparameters: plan.hyperparameters,
          datasets: datasets.recorded,
          environmentId,
          environment: environmentName,
          python,
          instanceCount: plan.instanceCount,
          maxDurationSeconds: plan.maxDurationSeconds,
          tags: plan.tags,
          earlyStopping: plan.earlyStopping,
          copiedFrom: plan.copiedFrom,
          clusterId: cluster?.id ?? null,
          cluster: cluster?.name ?? null,
          placementStrategy: cluster ? (plan.placementStrategy ?? plan.inheritedStrategy ?? 'SPREAD') : null,
          maxRetries: cluster ? (plan.maxRetries ?? plan.inheritedRetries ?? 0) : 0,
          recipe: plan.recipe.recipe,
          registerModel: plan.recipe.registerModel,
          dir: layout.dir,
        });
      });
    } catch (error) {
      await rm(layout.dir, { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a training named "${name}" already exists`);
      throw error;
    }
    return this.supervision.launch(training, layout);
  }

  /**
   * Each dataset as the runner gets it (a path) and as the record keeps it (a path as given, a dataset reference
   * pinned to its version: `name` → `name:3`).
   */
  private async resolveDatasets(
    given: Record<string, string>,
  ): Promise<{ paths: Record<string, string>; recorded: Record<string, string> }> {
    const paths: Record<string, string> = {};
    const recorded: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) {
      const field = `datasets.${name}`;
      if (this.options.datasets && isDatasetRef(value)) {
        const resolved = await this.options.datasets(value, field);
        paths[name] = resolved.path;
        recorded[name] = resolved.ref;
        continue;
      }
      if (!isAbsolute(value)) throw unprocessable(`dataset "${name}": the path must be absolute, not "${value}"`, field);
      if (!existsSync(value)) throw unprocessable(`dataset "${name}": ${value} does not exist`, field);
      paths[name] = value;
      recorded[name] = value;
    }
    return { paths, recorded };
  }

  private pickPython(key: string | undefined): Interpreter {
    return key === undefined
      ? bridgeInterpreter(this.options.python, which)
      : environmentInterpreter(this.options.environments, key, 'trainings');
  }

  /**
   * A cluster training runs with the nodes' own Python; with an environment, the environment's
   * packages and requirements become its Ray job's `pip` runtime environment, installed by Ray on
   * the nodes (an environment with none: the nodes' own Python, as without one).
   */
  private nodesPython(key: string | undefined): Interpreter & { clusterPip: string[] | null } {
    if (key === undefined) return { environmentId: null, environmentName: null, python: NODES_PYTHON, clusterPip: null };
    const { environmentId, environmentName } = environmentInterpreter(this.options.environments, key, 'trainings');
    const environment = this.options.environments.find(key);
    const pip = [...environment.packages, ...requirementSpecifiers(environment.requirements)];
    return { environmentId, environmentName, python: NODES_PYTHON, clusterPip: pip.length > 0 ? pip : null };
  }

  /** The cluster to run on: the one named, else the default one (when one is set), else none (this machine). */
  private pickCluster(key: string | null | undefined): { id: string; name: string } | null {
    if (key === null) return null;
    const clusters = this.options.clusters?.();
    if (!clusters) {
      if (key === undefined) return null;
      throw unprocessable('this bridge runs no trainings on clusters', 'cluster');
    }
    const cluster = key === undefined ? clusters.defaultCluster() : clusters.get(key);
    if (cluster === undefined) throw unprocessable(`cluster "${key}" doesn't exist`, 'cluster');
    if (!cluster) return null;
    if (cluster.state !== 'REACHABLE') {
      throw conflict(
        `cluster "${cluster.name}" is ${cluster.state}${cluster.stateReason ? ` (${cluster.stateReason})` : ''}; trainings run on REACHABLE clusters`,
      );
    }
    return { id: cluster.id, name: cluster.name };
  }

  /** uv installs a requirements.txt in a fraction of pip's time, when the bridge can find it. */
  private installerFor(python: string): string[] | null {
    const uv = which('uv') ?? which('uv', join(python, '..'));
    return uv ? [uv, 'pip', 'install', '--python', python] : null;
  }

  /** As MLflow does: a training names its experiment, and an experiment not there yet is made with it. */
  private experimentFor(key: string | undefined): { id: string | undefined; name: string } {
    const experiment = this.store.experiments.get(key ?? DEFAULT_EXPERIMENT);
    if (experiment) return { id: experiment.id, name: experiment.name };
    if (key === undefined) return { id: undefined, name: DEFAULT_EXPERIMENT };
    if (!new RegExp(NAME_PATTERN).test(key)) {
      throw new HttpError(
        400,
        'validation',
        `body.experiment: "${key}" is no experiment, nor a valid name for a new one`,
        'experiment',
      );
    }
    return { id: undefined, name: key };
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.store.trainings.get(name); n++) name = `${base}-${n}`;
    return name;
  }
}
