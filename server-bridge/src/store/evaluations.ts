import type { DatasetFormat, Evaluation, EvaluationState, EvaluationSummary, EvaluationTask } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface EvaluationRow {
  id: string;
  model_id: string;
  model_name: string;
  model_version: number;
  data_path: string;
  data_format: DatasetFormat;
  data_label: string | null;
  data_features: string | null;
  data_sha256: string | null;
  data_dataset: string | null;
  task: EvaluationTask | null;
  threshold: number;
  max_errors: number;
  batch_rows: number;
  environment_id: string | null;
  environment_name: string | null;
  python: string;
  state: EvaluationState;
  state_reason: string | null;
  rows_done: number;
  runner_pid: number | null;
  metrics: string;
  dir: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
}

/** An evaluation as stored: the list's shape plus what only the bridge needs. */
export interface EvaluationRecord extends EvaluationSummary {
  environmentId: string | null;
  python: string;
  runnerPid: number | null;
  dir: string;
}

const toRecord = (row: EvaluationRow): EvaluationRecord => ({
  id: row.id,
  model: { id: row.model_id, name: row.model_name, version: row.model_version },
  data: {
    path: row.data_path,
    format: row.data_format,
    label: row.data_label,
    features: row.data_features === null ? null : (JSON.parse(row.data_features) as string[]),
    sha256: row.data_sha256,
    dataset: row.data_dataset,
  },
  task: row.task,
  threshold: row.threshold,
  maxErrors: row.max_errors,
  batchRows: row.batch_rows,
  environment: row.environment_name,
  environmentId: row.environment_id,
  python: row.python,
  state: row.state,
  stateReason: row.state_reason,
  rowsDone: row.rows_done,
  runnerPid: row.runner_pid,
  metrics: JSON.parse(row.metrics) as Record<string, number | null>,
  dir: row.dir,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  startedAt: row.started_at,
  endedAt: row.ended_at,
});

/** The list's view (and the events'): the bridge-only fields left out. */
export function evaluationSummary(record: EvaluationRecord): EvaluationSummary {
  const { environmentId: _e, python: _p, runnerPid: _r, dir: _d, ...summary } = record;
  return summary;
}

/** The one evaluation's view: the summary less its headline figures, plus what `get` reads from the files. */
export function evaluationOf(
  record: EvaluationRecord,
  result: Evaluation['result'] = null,
  atThreshold: Evaluation['atThreshold'] = null,
): Evaluation {
  const { metrics: _m, ...rest } = evaluationSummary(record);
  return { ...rest, result, atThreshold };
}

export type NewEvaluation = Pick<
  EvaluationRecord,
  | 'id'
  | 'model'
  | 'task'
  | 'threshold'
  | 'maxErrors'
  | 'batchRows'
  | 'environmentId'
  | 'environment'
  | 'python'
  | 'runnerPid'
  | 'dir'
> & {
  /** `dataset`: the dataset asked for, pinned (`name:version`); left out or null: a path */
  data: Omit<EvaluationRecord['data'], 'dataset'> & { dataset?: string | null };
};

export type EvaluationChanges = Partial<
  Pick<EvaluationRecord, 'state' | 'stateReason' | 'rowsDone' | 'runnerPid' | 'task' | 'metrics' | 'startedAt' | 'endedAt'> & {
    sha256: string | null;
  }
>;

const UNSETTLED = `('CREATE REQUESTED', 'RUNNING', 'STOP IN PROGRESS')`;

/** Evaluations of model versions; what the iterations line up on is the dataset's hash. */
export class EvaluationsRepository {
  private readonly byId;
  private readonly page;
  private readonly count;
  private readonly inStates;
  private readonly latestComplete;
  private readonly datasets;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byId = db.prepare<[string], EvaluationRow>('SELECT * FROM evaluations WHERE id = ?');
    const where = `(@models IS NULL OR model_id IN (SELECT value FROM json_each(@models)))
      AND (@state IS NULL OR state = @state)`;
    this.page = db.prepare<{ models: string | null; state: string | null; limit: number; offset: number }, EvaluationRow>(
      `SELECT * FROM evaluations WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<{ models: string | null; state: string | null }, { n: number }>(
      `SELECT count(*) AS n FROM evaluations WHERE ${where}`,
    );
    this.inStates = db.prepare<[], EvaluationRow>(`SELECT * FROM evaluations WHERE state IN ${UNSETTLED} ORDER BY created_at`);
    // the newest COMPLETE evaluation of each version of a name on one dataset
    this.latestComplete = db.prepare<{ name: string; sha: string }, EvaluationRow>(
      `SELECT * FROM (
         SELECT e.*, row_number() OVER (PARTITION BY model_id ORDER BY coalesce(ended_at, created_at) DESC, rowid DESC) AS n
         FROM evaluations e WHERE model_name = @name AND data_sha256 = @sha AND state = 'COMPLETE'
       ) WHERE n = 1`,
    );
    this.datasets = db.prepare<[string], { sha256: string; path: string; evaluations: number; last: string }>(
      `SELECT data_sha256 AS sha256, max(data_path) AS path, count(*) AS evaluations,
         max(coalesce(ended_at, created_at)) AS last
       FROM evaluations WHERE model_name = ? AND state = 'COMPLETE' AND data_sha256 IS NOT NULL
       GROUP BY data_sha256 ORDER BY last DESC`,
    );
    this.insertRow = db.prepare(
      `INSERT INTO evaluations (id, model_id, model_name, model_version, data_path, data_format, data_label, data_features,
         data_dataset, task, threshold, max_errors, batch_rows, environment_id, environment_name, python, state, runner_pid, dir, created_at,
         updated_at)
       VALUES (@id, @modelId, @modelName, @modelVersion, @dataPath, @dataFormat, @dataLabel, @dataFeatures,
         @dataDataset, @task, @threshold, @maxErrors, @batchRows, @environmentId, @environment, @python, 'CREATE REQUESTED', @runnerPid, @dir,
         @createdAt, @updatedAt)`,
    );
    this.updateRow = db.prepare(
      `UPDATE evaluations SET state = @state, state_reason = @stateReason, rows_done = @rowsDone, runner_pid = @runnerPid,
         task = @task, metrics = @metrics, data_sha256 = @sha256, started_at = @startedAt, ended_at = @endedAt,
         updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM evaluations WHERE id = ?');
  }

  get(id: string): EvaluationRecord | undefined {
    const row = this.byId.get(id);
    return row && toRecord(row);
  }

  /** `modelIds`: only the evaluations of these versions (all of a name's, or one). */
  list(filter: { modelIds?: readonly string[]; state?: EvaluationState; limit: number; offset: number }): {
    items: EvaluationRecord[];
    total: number;
  } {
    const where = { models: filter.modelIds ? JSON.stringify(filter.modelIds) : null, state: filter.state ?? null };
    return {
      items: this.page.all({ ...where, limit: filter.limit, offset: filter.offset }).map(toRecord),
      total: this.count.get(where)?.n ?? 0,
    };
  }

  total(): number {
    return this.count.get({ models: null, state: null })?.n ?? 0;
  }

  /** Every evaluation that hasn't settled: the ones a bridge must watch. */
  unsettled(): EvaluationRecord[] {
    return this.inStates.all().map(toRecord);
  }

  /** model id → its newest COMPLETE evaluation on the dataset `sha256`, for the versions of `name`. */
  latestCompleteOn(name: string, sha256: string): Map<string, EvaluationRecord> {
    return new Map(this.latestComplete.all({ name, sha: sha256 }).map((row) => [row.model_id, toRecord(row)]));
  }

  /** The datasets the versions of `name` were evaluated on (COMPLETE), the one evaluated last first. */
  datasetsOf(name: string): { sha256: string; path: string; evaluations: number }[] {
    return this.datasets.all(name).map(({ sha256, path, evaluations }) => ({ sha256, path, evaluations }));
  }

  insert(input: NewEvaluation): EvaluationRecord {
    const time = now();
    this.insertRow.run({
      id: input.id,
      modelId: input.model.id,
      modelName: input.model.name,
      modelVersion: input.model.version,
      dataPath: input.data.path,
      dataFormat: input.data.format,
      dataLabel: input.data.label,
      dataFeatures: input.data.features === null ? null : JSON.stringify(input.data.features),
      dataDataset: input.data.dataset ?? null,
      task: input.task,
      threshold: input.threshold,
      maxErrors: input.maxErrors,
      batchRows: input.batchRows,
      environmentId: input.environmentId,
      environment: input.environment,
      python: input.python,
      runnerPid: input.runnerPid,
      dir: input.dir,
      createdAt: time,
      updatedAt: time,
    });
    const evaluation = this.get(input.id);
    if (!evaluation) throw new Error(`evaluation ${input.id} vanished`);
    this.events.record('evaluations', 'created', evaluation.id, evaluationSummary(evaluation));
    return evaluation;
  }

  update(id: string, changes: EvaluationChanges): EvaluationRecord {
    const current = this.get(id);
    if (!current) throw new Error(`evaluation ${id} vanished`);
    const { sha256, ...rest } = changes;
    const next: EvaluationRecord = {
      ...current,
      ...rest,
      data: { ...current.data, sha256: sha256 === undefined ? current.data.sha256 : sha256 },
      updatedAt: now(),
    };
    this.updateRow.run({
      id,
      state: next.state,
      stateReason: next.stateReason,
      rowsDone: next.rowsDone,
      runnerPid: next.runnerPid,
      task: next.task,
      metrics: JSON.stringify(next.metrics),
      sha256: next.data.sha256,
      startedAt: next.startedAt,
      endedAt: next.endedAt,
      updatedAt: next.updatedAt,
    });
    this.events.record('evaluations', 'updated', id, evaluationSummary(next));
    return next;
  }

  /** The notification the editors turn into "evaluation of X:3 completed / failed". */
  recordFinished(evaluation: EvaluationRecord): void {
    this.events.record('evaluations', 'finished', evaluation.id, evaluationSummary(evaluation));
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('evaluations', 'deleted', id, null);
  }

  newId(): string {
    return newId();
  }
}
