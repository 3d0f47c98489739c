import type Database from 'better-sqlite3';
import { scheduleView } from '../schedules/view.js';
import { AlertsRepository } from './alerts.js';
import { BatchInferencesRepository } from './batch-inferences.js';
import { ClustersRepository } from './clusters.js';
import { DatasetsRepository } from './datasets.js';
import { BUSY_TIMEOUT_MS, openDatabase, payloadLogFileOf, WAL_AUTOCHECKPOINT_PAGES } from './db.js';
import { DriftRepository } from './drift.js';
import { EndpointsRepository } from './endpoints.js';
import { EnvironmentsRepository } from './environments.js';
import { EvaluationsRepository } from './evaluations.js';
import { EventLog } from './events.js';
import { ExperimentsRepository } from './experiments.js';
import { FeedbackRepository } from './feedback.js';
import { InferenceRepository } from './inference.js';
import { MetricsRepository } from './metrics.js';
import { ModelsRepository } from './models.js';
import { PayloadsRepository } from './payloads.js';
import { RecipesRepository } from './recipes.js';
import { SchedulesRepository } from './schedules.js';
import { TensorboardsRepository } from './tensorboards.js';
import { TrainingsRepository } from './trainings.js';
import { TuningsRepository } from './tunings.js';
import { UsageRepository } from './usage.js';

/** The bridge's SQLite store: one repository per resource, one event log for all. */
export class Store {
  readonly db: Database.Database;
  readonly events: EventLog;
  readonly environments: EnvironmentsRepository;
  readonly experiments: ExperimentsRepository;
  readonly datasets: DatasetsRepository;
  readonly trainings: TrainingsRepository;
  readonly metrics: MetricsRepository;
  readonly tensorboards: TensorboardsRepository;
  readonly models: ModelsRepository;
  readonly evaluations: EvaluationsRepository;
  readonly batchInferences: BatchInferencesRepository;
  readonly endpoints: EndpointsRepository;
  readonly inference: InferenceRepository;
  /** the payload log: logged requests' instances and predictions, in a file of its own (`payloadLogFile`) */
  readonly payloads: PayloadsRepository;
  /** the payload log's SQLite file, attached to this one's connection as `payloads` (what drift reads) */
  readonly payloadLogFile: string;
  /** true labels sent back for logged predictions */
  readonly feedback: FeedbackRepository;
  readonly drift: DriftRepository;
  readonly clusters: ClustersRepository;
  readonly recipes: RecipesRepository;
  readonly schedules: SchedulesRepository;
  /** resource usage of the processes of trainings, endpoints and batch jobs (issue 18) */
  readonly usage: UsageRepository;
  readonly alerts: AlertsRepository;
  /** searches over hyperparameters and their trials (issue 19) */
  readonly tunings: TuningsRepository;

  constructor(file: string) {
    this.db = openDatabase(file);
    this.payloadLogFile = payloadLogFileOf(file);
    this.events = new EventLog(this.db);
    this.environments = new EnvironmentsRepository(this.db, this.events);
    this.experiments = new ExperimentsRepository(this.db, this.events);
    this.datasets = new DatasetsRepository(this.db, this.events);
    this.trainings = new TrainingsRepository(this.db, this.events);
    this.metrics = new MetricsRepository(this.db);
    this.tensorboards = new TensorboardsRepository(this.db, this.events);
    this.models = new ModelsRepository(this.db, this.events);
    this.evaluations = new EvaluationsRepository(this.db, this.events);
    this.batchInferences = new BatchInferencesRepository(this.db, this.events);
    this.endpoints = new EndpointsRepository(this.db);
    this.inference = new InferenceRepository(this.db);
    this.payloads = new PayloadsRepository(this.db);
    this.feedback = new FeedbackRepository(this.db);
    this.drift = new DriftRepository(this.db);
    this.clusters = new ClustersRepository(this.db, this.events);
    this.recipes = new RecipesRepository(this.db, this.events);
    this.schedules = new SchedulesRepository(this.db, this.events, scheduleView);
    this.usage = new UsageRepository(this.db);
    this.alerts = new AlertsRepository(this.db, this.events);
    this.tunings = new TuningsRepository(this.db, this.events);
  }

  /**
   * Run `work` as one transaction; its events reach listeners only once it commits.
   * Every write goes through here, so no change is ever half-recorded.
   */
  tx<T>(work: () => T): T {
    let result: T;
    try {
      result = this.db.transaction(work).immediate();
    } catch (error) {
      this.events.discard();
      throw error;
    }
    this.events.publish();
    return result;
  }

  /**
   * `work` failing at once with SQLITE_BUSY (see isBusy) when another connection holds the write
   * lock, rather than waiting for it: the gateway's thread must not sleep on another process's
   * or thread's transaction (a CLI's, a test's), which may be holding it while preempted.
   */
  withoutWaiting<T>(work: () => T): T {
    this.db.pragma('busy_timeout = 0');
    try {
      return work();
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /**
   * Whether this connection's commits copy the WAL back into the database once it is long (on by
   * default). Off while the payload log's thread does it instead, off the gateway's thread.
   */
  checkpointsOnCommit(on: boolean): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${on ? WAL_AUTOCHECKPOINT_PAGES : 0}`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
