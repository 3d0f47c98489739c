import { rm } from 'node:fs/promises';
import {
  isSettled,
  type Training,
  type TrainingCopy,
  type TrainingCreate,
  type TrainingUpdate,
  trainingStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterService } from '../clusters/service.js';
import type { DatasetResolver } from '../datasets/resolve.js';
import type { EnvironmentService } from '../environments/service.js';
import type { MetricsIngester } from '../metrics/ingest.js';
import type { Executor } from '../runtime/local-executor.js';
import { conflict } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { publicTraining, type TrainingRecord } from '../store/trainings.js';
import { ClusterPushes } from './cluster-push.js';
import { ClusterTrainingRuns } from './cluster-run.js';
import { TrainingQueries } from './queries.js';
import type { SnapshotLimits } from './source.js';
import { type RecipeOrigin, type SnapshotOrigin, TrainingSubmitter } from './submit.js';
import { type CompletionStep, TrainingSupervision } from './supervise.js';

export interface TrainingServiceOptions {
  /** `<home>/trainings` */
  root: string;
  /** the interpreter trainings without an environment run with */
  python: string;
  executor: Executor;
  environments: EnvironmentService;
  metrics: MetricsIngester;
  log: FastifyBaseLogger;
  snapshotLimits?: SnapshotLimits;
  /** how often running trainings are looked at; metrics are read every fourth look */
  pollMs?: number;
  /** the clusters trainings may run on */
  clusters?: () => ClusterService;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
  /** what a training that ends COMPLETE gets in the same update (a built-in recipe's model and evaluation) */
  completion?: () => CompletionStep | undefined;
}

/**
 * Trainings, as the routes see them: the queries (find, list, logs, metrics, files), and submit (./submit.ts),
 * stop, copy, update and delete, with supervision (./supervise.ts) watching each run until it settles.
 */
export class TrainingService extends TrainingQueries {
  private readonly supervision: TrainingSupervision;
  private readonly submitter: TrainingSubmitter;
  /** trainings on a Ray cluster; its `bridgeUrl` is set once the bridge listens */
  readonly clusterRuns: ClusterTrainingRuns | undefined;
  /** what cluster trainings send back */
  readonly pushes: ClusterPushes;

  constructor(
    store: Store,
    private readonly options: TrainingServiceOptions,
  ) {
    super(store, options.metrics, options.log);
    const clusters = options.clusters;
    this.clusterRuns = clusters ? new ClusterTrainingRuns(clusters) : undefined;
    this.supervision = new TrainingSupervision(store, { ...options, clusterRuns: this.clusterRuns });
    this.pushes = new ClusterPushes(store, (id) => void this.supervision.look(id));
    this.submitter = new TrainingSubmitter(store, this.supervision, options);
  }

  /** `origin`: a recipe's training (POST /recipes/{id}/trainings submits through here too). */
  async create(input: TrainingCreate, origin?: RecipeOrigin): Promise<Training> {
    return publicTraining(await this.submitter.create(input, origin));
  }

  /** A training of a snapshot taken before: a tuning's trials, each from the tuning's one snapshot. */
  async createFromSnapshot(input: Omit<TrainingCreate, 'source'>, origin: SnapshotOrigin): Promise<TrainingRecord> {
    return this.submitter.createFromSnapshot(input, origin);
  }

  /** The same settings and the same snapshot of the source, as a new run. */
  async copy(key: string, overrides: TrainingCopy): Promise<Training> {
    return publicTraining(await this.submitter.copy(this.record(key), overrides));
  }

  update(key: string, changes: TrainingUpdate): Training {
    const training = this.record(key);
    return publicTraining(
      this.store.tx(() =>
        this.store.trainings.update(training.id, {
          description: changes.description ?? training.description,
          tags: changes.tags ?? training.tags,
        }),
      ),
    );
  }

  /** `reason`: why it ends STOPPED, when not by a person's request (a tuning's pruner: "pruned at step 12"). */
  async stop(key: string, reason?: string): Promise<Training> {
    const training = this.record(key);
    if (training.state === 'STOP IN PROGRESS') return publicTraining(training);
    if (isSettled(trainingStates, training.state)) {
      throw conflict(`training "${training.name}" has already ended (${training.state})`);
    }
    return publicTraining(await this.supervision.stop(training, reason));
  }

  /** A settled training that no model comes from: its record, metrics and folder go. */
  async delete(key: string): Promise<void> {
    const training = this.record(key);
    if (!isSettled(trainingStates, training.state)) {
      throw conflict(`training "${training.name}" is ${training.state}; stop it before deleting it`);
    }
    const models = this.store.models.versionsFromTraining(training.id);
    if (models.length > 0) {
      throw conflict(`model ${models.join(', ')} comes from training "${training.name}"; delete the model first`);
    }
    this.store.tx(() => this.store.trainings.delete(training.id));
    this.metrics.forget(training.id);
    try {
      await rm(training.dir, { recursive: true, force: true });
    } catch (error) {
      this.options.log.warn({ training: training.name, error: (error as Error).message }, 'could not remove the training folder');
    }
  }

  /** At start: pick up every training a previous bridge left running, and settle the ones that ended meanwhile. */
  reconcile(): void {
    this.supervision.reconcile();
  }

  shutdown(): void {
    this.supervision.shutdown();
  }

  /** For the status route. */
  watchedCount(): number {
    return this.supervision.watchedCount();
  }
}
