import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { DEFAULT_MAX_TRIALS, type TrainingSource, type TuningCopy, type TuningCreate, type TuningObjective } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterService } from '../clusters/service.js';
import { type DatasetResolver, isDatasetRef } from '../datasets/resolve.js';
import { environmentInterpreter } from '../environments/interpreter.js';
import type { EnvironmentService } from '../environments/service.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import type { TuningRecord } from '../store/tunings.js';
import { clashingKeys, hyperparameterVariable } from '../trainings/contract.js';
import {
  copySnapshot,
  DEFAULT_SNAPSHOT_LIMITS,
  resolveSource,
  type SnapshotLimits,
  snapshotSource,
} from '../trainings/source.js';
import { DEFAULT_EXPERIMENT, defaultTrainingName } from '../trainings/submit.js';
import { checkSpace, gridSize } from './space.js';
import { StudyProcess } from './study-process.js';

export interface TuningSubmitOptions {
  /** `<home>/tunings` */
  root: string;
  /** the bridge's own Python: the study process runs there */
  python: string;
  emkitImportPath: string;
  environments: EnvironmentService;
  clusters?: () => ClusterService;
  datasets?: DatasetResolver;
  snapshotLimits?: SnapshotLimits;
  log: FastifyBaseLogger;
}

/** Its trials are named `<name>-t<N>` (N < 10,000) and a training's name has at most 50 characters. */
export const MAX_TUNING_NAME = 44;

const badRequest = (message: string, field: string) => new HttpError(400, 'validation', message, field);
const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', message, field);

/** The spec `python -m emkit.tuning` reads (tuning.json in the tuning's folder). */
interface StudySpec {
  space: TuningRecord['space'];
  mode: TuningObjective['mode'];
  algorithm: TuningRecord['algorithm'];
  pruner: TuningRecord['pruner'];
  seed: number | null;
  parallel: number;
}

/** What a new tuning is made of: the settings checked, and how its snapshot is taken. */
type Plan = Omit<
  TuningRecord,
  | 'experimentId'
  | 'id'
  | 'name'
  | 'experimentName'
  | 'state'
  | 'stateReason'
  | 'best'
  | 'importance'
  | 'dir'
  | 'source'
  | 'createdAt'
  | 'updatedAt'
  | 'startedAt'
  | 'endedAt'
> & {
  name: string | undefined;
  /** undefined: the default experiment, made with the tuning if it isn't there yet */
  experimentId: string | undefined;
  /** what the default name is made of */
  entryPoint: string;
  snapshot: (target: string) => Promise<TrainingSource>;
};

/** `train.ipynb` → `train-tuning-20261207-093015` (short enough for its trials' names). */
export function defaultTuningName(entryPoint: string, at = new Date()): string {
  const training = defaultTrainingName(entryPoint, at);
  const stamp = training.slice(-15);
  const stem =
    training
      .slice(0, -16)
      .slice(0, 18)
      .replace(/[-_]+$/, '') || 'tuning';
  return `${stem}-tuning-${stamp}`;
}

/**
 * Making a tuning: every setting checked (400 naming the field, 404 for what doesn't exist), the source
 * snapshotted once for all its trials, the study opened (its process must start: Optuna is there), and
 * only then the record. A create that fails leaves no folder and no record.
 */
export class TuningSubmitter {
  private readonly limits: SnapshotLimits;

  constructor(
    private readonly store: Store,
    private readonly options: TuningSubmitOptions,
  ) {
    this.limits = options.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS;
  }

  async create(input: TuningCreate): Promise<{ tuning: TuningRecord; study: StudyProcess }> {
    const algorithm = input.algorithm ?? 'tpe';
    checkSpace(input.space, algorithm);
    const fixed = input.fixed ?? {};
    for (const key of Object.keys(fixed)) {
      if (key in input.space)
        throw badRequest(`fixed.${key}: "${key}" is searched (space.${key}); it can't be fixed too`, `fixed.${key}`);
    }
    const clash = clashingKeys([...Object.keys(input.space), ...Object.keys(fixed)], hyperparameterVariable);
    if (clash) {
      throw badRequest(`space: "${clash[0]}" and "${clash[1]}" would both be ${hyperparameterVariable(clash[0])}`, 'space');
    }
    const objective = this.objectiveOf(input.objective);
    const source = await resolveSource(input.source.path, input.source.entryPoint);
    const experimentId = this.experimentFor(input.experiment);
    const environment = input.environment === undefined ? undefined : this.environmentFor(input.environment);
    const cluster = this.clusterFor(input.cluster ?? null);
    const grid = algorithm === 'grid' ? gridSize(input.space) : undefined;
    return this.submit({
      name: input.name,
      description: input.description ?? '',
      experimentId,
      space: input.space,
      fixed,
      objective,
      algorithm,
      pruner: input.pruner ?? 'none',
      // grid search covers its grid at most once
      maxTrials: grid === undefined ? (input.maxTrials ?? DEFAULT_MAX_TRIALS) : Math.min(input.maxTrials ?? grid, grid),
      maxDurationSeconds: input.maxDurationSeconds ?? null,
      parallel: input.parallel ?? 1,
      seed: input.seed ?? null,
      datasets: await this.datasetsOf(input.datasets ?? {}),
      environmentId: environment?.id ?? null,
      environment: environment?.name ?? null,
      tags: input.tags ?? {},
      trialMaxDurationSeconds: input.trialMaxDurationSeconds ?? null,
      earlyStopping: input.earlyStopping ?? null,
      clusterId: cluster?.id ?? null,
      cluster: cluster?.name ?? null,
      copiedFrom: null,
      entryPoint: source.entryPoint,
      snapshot: async (target) => {
        const taken = await snapshotSource(source, target, this.limits);
        return { path: source.root, entryPoint: source.entryPoint, kind: source.kind, ...taken };
      },
    });
  }

  /** The same space, objective, settings and source snapshot, as a new study. */
  async copy(original: TuningRecord, overrides: TuningCopy): Promise<{ tuning: TuningRecord; study: StudyProcess }> {
    const from = join(original.dir, 'source');
    if (!existsSync(from)) throw conflict(`the source snapshot of tuning "${original.name}" is gone (${from})`);
    const grid = original.algorithm === 'grid' ? gridSize(original.space) : undefined;
    const maxTrials = overrides.maxTrials ?? original.maxTrials;
    const {
      id: _i,
      name: _n,
      experimentName: _e,
      state: _s,
      stateReason: _r,
      best: _b,
      importance: _m,
      dir: _d,
      ...kept
    } = original;
    return this.submit({
      ...kept,
      name: overrides.name,
      description: overrides.description ?? original.description,
      maxTrials: grid === undefined ? maxTrials : Math.min(maxTrials, grid),
      maxDurationSeconds: overrides.maxDurationSeconds ?? original.maxDurationSeconds,
      parallel: overrides.parallel ?? original.parallel,
      seed: overrides.seed ?? original.seed,
      clusterId: original.clusterId === null ? null : (this.clusterFor(original.clusterId)?.id ?? null),
      copiedFrom: original.id,
      entryPoint: original.source.entryPoint,
      snapshot: async (target) => ({ ...original.source, ...(await copySnapshot(from, target, this.limits)) }),
    });
  }

  private async submit(plan: Plan): Promise<{ tuning: TuningRecord; study: StudyProcess }> {
    const { snapshot, name: given, entryPoint, ...settings } = plan;
    const name = given ?? this.freeName(defaultTuningName(entryPoint));
    this.checkName(name);
    const id = this.store.tunings.newId();
    const dir = join(this.options.root, id);
    await mkdir(dir, { recursive: true });
    const study = new StudyProcess({
      python: this.options.python,
      emkitImportPath: this.options.emkitImportPath,
      dir,
      name,
      log: this.options.log,
    });
    try {
      const source = await snapshot(join(dir, 'source'));
      const spec: StudySpec = {
        space: plan.space,
        mode: plan.objective.mode,
        algorithm: plan.algorithm,
        pruner: plan.pruner,
        seed: plan.seed,
        parallel: plan.parallel,
      };
      await writeFile(join(dir, 'tuning.json'), `${JSON.stringify(spec, null, 2)}\n`);
      try {
        await study.open();
      } catch (error) {
        throw new HttpError(503, 'not_ready', `the tuning's study could not start: ${study.said || (error as Error).message}`);
      }
      const tuning = this.store.tx(() => {
        // made here, with the tuning, so a create that fails leaves no experiment either
        const experimentId =
          settings.experimentId ??
          this.store.experiments.get(DEFAULT_EXPERIMENT)?.id ??
          this.store.experiments.insert({ name: DEFAULT_EXPERIMENT, description: '' }).id;
        this.store.tunings.insert({ ...settings, experimentId, id, name, source, dir });
        const startedAt = new Date().toISOString();
        return this.store.tunings.update(id, { state: 'RUNNING', startedAt });
      });
      return { tuning, study };
    } catch (error) {
      await study.close();
      await rm(dir, { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a tuning named "${name}" already exists`);
      throw error;
    }
  }

  private objectiveOf(objective: TuningObjective): TuningRecord['objective'] {
    const aggregate = objective.aggregate ?? 'last';
    if (aggregate === 'step' && objective.step === undefined) {
      throw badRequest("objective.step: aggregate 'step' needs the step whose value counts", 'objective.step');
    }
    if (aggregate !== 'step' && objective.step !== undefined) {
      throw badRequest("objective.step goes with aggregate 'step'", 'objective.step');
    }
    return { metric: objective.metric, mode: objective.mode, aggregate, step: objective.step ?? null };
  }

  private checkName(name: string): void {
    if (name.length > MAX_TUNING_NAME) {
      throw badRequest(`name: at most ${MAX_TUNING_NAME} characters (its trials are named ${name}-t<N>)`, 'name');
    }
    if (this.store.tunings.get(name)) throw conflict(`a tuning named "${name}" already exists`);
    const taken = this.store.tunings.trialNamesTaken(name);
    if (taken) throw conflict(`training "${taken}" exists (a trial of an earlier tuning named "${name}"?); pick another name`);
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.store.tunings.get(name) || this.store.tunings.trialNamesTaken(name); n++) name = `${base}-${n}`;
    return name;
  }

  /** A tuning names an experiment that exists (404 otherwise); left out (undefined), the default one. */
  private experimentFor(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    const experiment = this.store.experiments.get(key);
    if (!experiment) throw notFound('experiment', key);
    return experiment.id;
  }

  private environmentFor(key: string): { id: string; name: string } {
    const { environmentId, environmentName } = environmentInterpreter(this.options.environments, key, 'trainings');
    return { id: environmentId ?? key, name: environmentName ?? key };
  }

  private clusterFor(key: string | null): { id: string; name: string } | null {
    if (key === null) return null;
    const cluster = this.options.clusters?.().get(key);
    if (!cluster) throw notFound('cluster', key);
    if (cluster.state !== 'REACHABLE') {
      throw conflict(`cluster "${cluster.name}" is ${cluster.state}; trials run on REACHABLE clusters`);
    }
    return { id: cluster.id, name: cluster.name };
  }

  /** Checked now rather than at each trial; a dataset reference is pinned to its version for all of them. */
  private async datasetsOf(given: Record<string, string>): Promise<Record<string, string>> {
    const pinned: Record<string, string> = {};
    for (const [name, value] of Object.entries(given)) {
      const field = `datasets.${name}`;
      if (this.options.datasets && isDatasetRef(value)) {
        pinned[name] = (await this.options.datasets(value, field)).ref;
        continue;
      }
      if (!isAbsolute(value)) throw unprocessable(`dataset "${name}": the path must be absolute, not "${value}"`, field);
      if (!existsSync(value)) throw unprocessable(`dataset "${name}": ${value} does not exist`, field);
      pinned[name] = value;
    }
    return pinned;
  }
}
