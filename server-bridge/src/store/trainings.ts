import type {
  EarlyStopping,
  PlacementStrategy,
  RankPlacement,
  Training,
  TrainingQuality,
  TrainingSource,
  TrainingState,
} from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface TrainingRow {
  id: string;
  name: string;
  description: string;
  experiment_id: string;
  experiment_name: string;
  source: string;
  hyperparameters: string;
  datasets: string;
  environment_id: string | null;
  environment_name: string | null;
  python: string;
  instance_count: number;
  max_duration_seconds: number | null;
  tags: string;
  early_stopping: string | null;
  quality: string | null;
  state: TrainingState;
  state_reason: string | null;
  exit_code: number | null;
  supervisor_pid: number | null;
  copied_from: string | null;
  cluster_id: string | null;
  cluster_name: string | null;
  placement_strategy: PlacementStrategy | null;
  placement: string;
  max_retries: number;
  attempt: number;
  recipe: string | null;
  register_model: string | null;
  model_id: string | null;
  model_name: string | null;
  model_version: number | null;
  evaluation_id: string | null;
  dir: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
}

/** A training as stored: the API's shape plus what only the bridge needs. */
export interface TrainingRecord extends Training {
  environmentId: string | null;
  supervisorPid: number | null;
  /** the cluster it runs on, by id; null: this machine */
  clusterId: string | null;
  /** a built-in recipe's training: the model it registers a version of when it ends COMPLETE; null: none */
  registerModel: string | null;
}

const toRecord = (row: TrainingRow): TrainingRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  experimentId: row.experiment_id,
  experimentName: row.experiment_name,
  source: JSON.parse(row.source) as TrainingSource,
  hyperparameters: JSON.parse(row.hyperparameters) as Record<string, string>,
  datasets: JSON.parse(row.datasets) as Record<string, string>,
  environment: row.environment_name,
  environmentId: row.environment_id,
  python: row.python,
  instanceCount: row.instance_count,
  maxDurationSeconds: row.max_duration_seconds,
  tags: JSON.parse(row.tags) as Record<string, string>,
  earlyStopping: row.early_stopping === null ? null : (JSON.parse(row.early_stopping) as EarlyStopping),
  quality: row.quality === null ? null : (JSON.parse(row.quality) as TrainingQuality),
  state: row.state,
  stateReason: row.state_reason,
  exitCode: row.exit_code,
  supervisorPid: row.supervisor_pid,
  copiedFrom: row.copied_from,
  clusterId: row.cluster_id,
  cluster: row.cluster_name,
  placementStrategy: row.placement_strategy,
  placement: JSON.parse(row.placement) as RankPlacement[],
  maxRetries: row.max_retries,
  attempt: row.attempt,
  recipe: row.recipe,
  registerModel: row.register_model,
  model:
    row.model_id === null || row.model_name === null || row.model_version === null
      ? null
      : { id: row.model_id, name: row.model_name, version: row.model_version },
  evaluation: row.evaluation_id,
  dir: row.dir,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  startedAt: row.started_at,
  endedAt: row.ended_at,
});

/** The API's view: the bridge-only fields left out. */
export function publicTraining(record: TrainingRecord): Training {
  const {
    environmentId: _environmentId,
    supervisorPid: _supervisorPid,
    clusterId: _clusterId,
    registerModel: _registerModel,
    ...training
  } = record;
  return training;
}

export type NewTraining = Pick<
  TrainingRecord,
  | 'id'
  | 'name'
  | 'description'
  | 'experimentId'
  | 'source'
  | 'hyperparameters'
  | 'datasets'
  | 'environmentId'
  | 'environment'
  | 'python'
  | 'instanceCount'
  | 'maxDurationSeconds'
  | 'tags'
  | 'earlyStopping'
  | 'copiedFrom'
  | 'clusterId'
  | 'cluster'
  | 'placementStrategy'
  | 'maxRetries'
  | 'recipe'
  | 'registerModel'
  | 'dir'
>;

export type TrainingChanges = Partial<
  Pick<
    TrainingRecord,
    | 'state'
    | 'stateReason'
    | 'exitCode'
    | 'supervisorPid'
    | 'startedAt'
    | 'endedAt'
    | 'description'
    | 'tags'
    | 'quality'
    | 'placement'
    | 'attempt'
    | 'model'
    | 'evaluation'
  >
>;

const SELECT = `SELECT t.*, e.name AS experiment_name FROM trainings t JOIN experiments e ON e.id = t.experiment_id`;

export class TrainingsRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly inStates;
  private readonly countForExperiment;
  private readonly activeForEnvironment;
  private readonly activeOnCluster;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, TrainingRow>(`${SELECT} WHERE t.id = @key OR t.name = @key`);
    this.page = db.prepare<{ experiment: string | null; state: string | null; limit: number; offset: number }, TrainingRow>(
      `${SELECT} WHERE (@experiment IS NULL OR t.experiment_id = @experiment) AND (@state IS NULL OR t.state = @state)
       ORDER BY t.created_at DESC, t.rowid DESC LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<{ experiment: string | null; state: string | null }, { n: number }>(
      `SELECT count(*) AS n FROM trainings t
       WHERE (@experiment IS NULL OR t.experiment_id = @experiment) AND (@state IS NULL OR t.state = @state)`,
    );
    this.inStates = db.prepare<[], TrainingRow>(
      `${SELECT} WHERE t.state IN ('CREATE REQUESTED', 'CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS') ORDER BY t.created_at`,
    );
    this.countForExperiment = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM trainings WHERE experiment_id = ?');
    this.activeForEnvironment = db.prepare<[string], { name: string }>(
      `SELECT name FROM trainings WHERE environment_id = ?
       AND state IN ('CREATE REQUESTED', 'CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS')`,
    );
    this.activeOnCluster = db.prepare<[string], { name: string }>(
      `SELECT name FROM trainings WHERE cluster_id = ?
       AND state IN ('CREATE REQUESTED', 'CREATE IN PROGRESS', 'RUNNING', 'STOP IN PROGRESS') ORDER BY created_at`,
    );
    this.insertRow = db.prepare(
      `INSERT INTO trainings (id, name, description, experiment_id, source, hyperparameters, datasets, environment_id,
         environment_name, python, instance_count, max_duration_seconds, tags, early_stopping, state, copied_from, dir,
         cluster_id, cluster_name, placement_strategy, max_retries, recipe, register_model, created_at, updated_at)
       VALUES (@id, @name, @description, @experimentId, @source, @hyperparameters, @datasets, @environmentId,
         @environment, @python, @instanceCount, @maxDurationSeconds, @tags, @earlyStopping, @state, @copiedFrom, @dir,
         @clusterId, @cluster, @placementStrategy, @maxRetries, @recipe, @registerModel, @createdAt, @updatedAt)`,
    );
    this.updateRow = db.prepare(
      `UPDATE trainings SET state = @state, state_reason = @stateReason, exit_code = @exitCode, supervisor_pid = @supervisorPid,
         started_at = @startedAt, ended_at = @endedAt, description = @description, tags = @tags, quality = @quality,
         placement = @placement, attempt = @attempt, model_id = @modelId, model_name = @modelName,
         model_version = @modelVersion, evaluation_id = @evaluation, updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM trainings WHERE id = ?');
  }

  get(key: string): TrainingRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  list(filter: { experimentId?: string; state?: TrainingState; limit: number; offset: number }): {
    items: TrainingRecord[];
    total: number;
  } {
    const where = { experiment: filter.experimentId ?? null, state: filter.state ?? null };
    return {
      items: this.page.all({ ...where, limit: filter.limit, offset: filter.offset }).map(toRecord),
      total: this.count.get(where)?.n ?? 0,
    };
  }

  total(): number {
    return this.count.get({ experiment: null, state: null })?.n ?? 0;
  }

  /** Every training that hasn't settled: the ones a bridge must watch. */
  unsettled(): TrainingRecord[] {
    return this.inStates.all().map(toRecord);
  }

  countInExperiment(experimentId: string): number {
    return this.countForExperiment.get(experimentId)?.n ?? 0;
  }

  activeNamesForEnvironment(environmentId: string): string[] {
    return this.activeForEnvironment.all(environmentId).map((row) => row.name);
  }

  /** The trainings on a cluster that haven't ended: what keeps it from being removed. */
  activeNamesOnCluster(clusterId: string): string[] {
    return this.activeOnCluster.all(clusterId).map((row) => row.name);
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(input: NewTraining): TrainingRecord {
    const time = now();
    this.insertRow.run({
      ...input,
      source: JSON.stringify(input.source),
      hyperparameters: JSON.stringify(input.hyperparameters),
      datasets: JSON.stringify(input.datasets),
      tags: JSON.stringify(input.tags),
      earlyStopping: input.earlyStopping === null ? null : JSON.stringify(input.earlyStopping),
      state: 'CREATE REQUESTED',
      createdAt: time,
      updatedAt: time,
    });
    const training = this.get(input.id);
    if (!training) throw new Error(`training ${input.id} vanished`);
    this.events.record('trainings', 'created', training.id, publicTraining(training));
    return training;
  }

  update(id: string, changes: TrainingChanges): TrainingRecord {
    const current = this.get(id);
    if (!current) throw new Error(`training ${id} vanished`);
    const next: TrainingRecord = { ...current, ...changes, updatedAt: now() };
    this.updateRow.run({
      ...next,
      tags: JSON.stringify(next.tags),
      quality: next.quality === null ? null : JSON.stringify(next.quality),
      placement: JSON.stringify(next.placement),
      modelId: next.model?.id ?? null,
      modelName: next.model?.name ?? null,
      modelVersion: next.model?.version ?? null,
    });
    this.events.record('trainings', 'updated', id, publicTraining(next));
    return next;
  }

  /** The notification the editors turn into "training X completed / failed". */
  recordFinished(training: TrainingRecord): void {
    this.events.record('trainings', 'finished', training.id, publicTraining(training));
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('trainings', 'deleted', id, null);
  }

  newId(): string {
    return newId();
  }
}
