import type { BatchInference, BatchInferenceState, BatchOutputFormat, BatchProgress } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface BatchInferenceRow {
  id: string;
  name: string;
  description: string;
  model_id: string;
  model_name: string;
  model_version: number;
  input: string;
  input_dataset: string | null;
  input_kind: 'table' | 'files';
  output: string;
  output_file: string;
  errors_file: string;
  output_dataset_name: string | null;
  output_dataset: string | null;
  format: BatchOutputFormat;
  features: string | null;
  instances: number;
  batch_size: number;
  max_error_ratio: number;
  return_scores: number;
  environment_id: string | null;
  cluster_id: string | null;
  python: string;
  progress: string;
  schedule_id: string | null;
  state: BatchInferenceState;
  state_reason: string | null;
  runner_pid: number | null;
  resumes: number;
  dir: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** A batch scoring job as stored: the wire's shape plus what only the bridge needs. */
export interface BatchInferenceRecord extends BatchInference {
  /** the dataset name to register the predictions as once COMPLETE */
  outputDatasetName: string | null;
  python: string;
  runnerPid: number | null;
  resumes: number;
  dir: string;
  updatedAt: string;
}

export const EMPTY_PROGRESS: BatchProgress = { done: 0, total: null, errors: 0, rate: null, etaSeconds: null };

const toRecord = (row: BatchInferenceRow): BatchInferenceRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  state: row.state,
  reason: row.state_reason,
  model: { id: row.model_id, name: row.model_name, version: row.model_version },
  input: row.input,
  inputDataset: row.input_dataset,
  inputKind: row.input_kind,
  output: row.output,
  outputFile: row.output_file,
  errorsFile: row.errors_file,
  outputDataset: row.output_dataset,
  outputDatasetName: row.output_dataset_name,
  format: row.format,
  features: row.features === null ? null : (JSON.parse(row.features) as string[]),
  instances: row.instances,
  batchSize: row.batch_size,
  maxErrorRatio: row.max_error_ratio,
  returnScores: row.return_scores === 1,
  environment: row.environment_id,
  cluster: row.cluster_id,
  progress: JSON.parse(row.progress) as BatchProgress,
  schedule: row.schedule_id,
  python: row.python,
  runnerPid: row.runner_pid,
  resumes: row.resumes,
  dir: row.dir,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

/** The wire's view (and the events'): the bridge-only fields left out. */
export function batchInferenceOf(record: BatchInferenceRecord): BatchInference {
  const { outputDatasetName: _o, python: _p, runnerPid: _r, resumes: _s, dir: _d, updatedAt: _u, ...wire } = record;
  return wire;
}

export type NewBatchInference = Omit<
  BatchInferenceRecord,
  'state' | 'reason' | 'progress' | 'outputDataset' | 'resumes' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt'
>;

export type BatchInferenceChanges = Partial<
  Pick<
    BatchInferenceRecord,
    'state' | 'reason' | 'progress' | 'runnerPid' | 'resumes' | 'outputDataset' | 'startedAt' | 'finishedAt'
  >
>;

const UNSETTLED = `('CREATE REQUESTED', 'RUNNING', 'STOP IN PROGRESS')`;

/** Batch scoring jobs; every change is an event of `batch-inferences`. */
export class BatchInferencesRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly inStates;
  private readonly writingTo;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    // a name may be used again, so by name is the newest job of that name
    this.byKey = db.prepare<{ key: string }, BatchInferenceRow>(
      'SELECT * FROM batch_inferences WHERE id = @key OR name = @key ORDER BY id = @key DESC, created_at DESC LIMIT 1',
    );
    const where = `(@models IS NULL OR model_id IN (SELECT value FROM json_each(@models)))
      AND (@state IS NULL OR state = @state) AND (@schedule IS NULL OR schedule_id = @schedule)`;
    type Filter = { models: string | null; state: string | null; schedule: string | null };
    this.page = db.prepare<Filter & { limit: number; offset: number }, BatchInferenceRow>(
      `SELECT * FROM batch_inferences WHERE ${where} ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<Filter, { n: number }>(`SELECT count(*) AS n FROM batch_inferences WHERE ${where}`);
    this.inStates = db.prepare<[], BatchInferenceRow>(
      `SELECT * FROM batch_inferences WHERE state IN ${UNSETTLED} ORDER BY created_at`,
    );
    this.writingTo = db.prepare<[string], BatchInferenceRow>(
      `SELECT * FROM batch_inferences WHERE output = ? AND state IN ${UNSETTLED} LIMIT 1`,
    );
    this.insertRow = db.prepare(
      `INSERT INTO batch_inferences (id, name, description, model_id, model_name, model_version, input, input_dataset,
         input_kind, output, output_file, errors_file, output_dataset_name, format, features, instances, batch_size,
         max_error_ratio, return_scores, environment_id, cluster_id, python, progress, schedule_id, state, runner_pid,
         dir, created_at, updated_at)
       VALUES (@id, @name, @description, @modelId, @modelName, @modelVersion, @input, @inputDataset, @inputKind, @output,
         @outputFile, @errorsFile, @outputDatasetName, @format, @features, @instances, @batchSize, @maxErrorRatio,
         @returnScores, @environment, @cluster, @python, @progress, @schedule, 'CREATE REQUESTED', @runnerPid, @dir,
         @createdAt, @updatedAt)`,
    );
    this.updateRow = db.prepare(
      `UPDATE batch_inferences SET state = @state, state_reason = @reason, progress = @progress, runner_pid = @runnerPid,
         resumes = @resumes, output_dataset = @outputDataset, started_at = @startedAt, finished_at = @finishedAt,
         updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM batch_inferences WHERE id = ?');
  }

  /** By id, or the newest of that name. */
  get(key: string): BatchInferenceRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  list(filter: { modelIds?: readonly string[]; state?: BatchInferenceState; schedule?: string; limit: number; offset: number }): {
    items: BatchInferenceRecord[];
    total: number;
  } {
    const where = {
      models: filter.modelIds ? JSON.stringify(filter.modelIds) : null,
      state: filter.state ?? null,
      schedule: filter.schedule ?? null,
    };
    return {
      items: this.page.all({ ...where, limit: filter.limit, offset: filter.offset }).map(toRecord),
      total: this.count.get(where)?.n ?? 0,
    };
  }

  /** Every job that hasn't settled: the ones a bridge must watch (or resume). */
  unsettled(): BatchInferenceRecord[] {
    return this.inStates.all().map(toRecord);
  }

  /** The unsettled job writing into this output folder, if any: two jobs never write one folder's files. */
  writing(output: string): BatchInferenceRecord | undefined {
    const row = this.writingTo.get(output);
    return row && toRecord(row);
  }

  insert(input: NewBatchInference): BatchInferenceRecord {
    const time = now();
    this.insertRow.run({
      id: input.id,
      name: input.name,
      description: input.description,
      modelId: input.model.id,
      modelName: input.model.name,
      modelVersion: input.model.version,
      input: input.input,
      inputDataset: input.inputDataset,
      inputKind: input.inputKind,
      output: input.output,
      outputFile: input.outputFile,
      errorsFile: input.errorsFile,
      outputDatasetName: input.outputDatasetName,
      format: input.format,
      features: input.features === null ? null : JSON.stringify(input.features),
      instances: input.instances,
      batchSize: input.batchSize,
      maxErrorRatio: input.maxErrorRatio,
      returnScores: input.returnScores ? 1 : 0,
      environment: input.environment,
      cluster: input.cluster,
      python: input.python,
      progress: JSON.stringify(EMPTY_PROGRESS),
      schedule: input.schedule,
      runnerPid: input.runnerPid,
      dir: input.dir,
      createdAt: time,
      updatedAt: time,
    });
    const created = this.get(input.id);
    if (!created) throw new Error(`batch inference ${input.id} vanished`);
    this.events.record('batch-inferences', 'created', created.id, batchInferenceOf(created));
    return created;
  }

  update(id: string, changes: BatchInferenceChanges): BatchInferenceRecord {
    const current = this.get(id);
    if (!current || current.id !== id) throw new Error(`batch inference ${id} vanished`);
    const next: BatchInferenceRecord = { ...current, ...changes, updatedAt: now() };
    this.updateRow.run({
      id,
      state: next.state,
      reason: next.reason,
      progress: JSON.stringify(next.progress),
      runnerPid: next.runnerPid,
      resumes: next.resumes,
      outputDataset: next.outputDataset,
      startedAt: next.startedAt,
      finishedAt: next.finishedAt,
      updatedAt: next.updatedAt,
    });
    this.events.record('batch-inferences', 'updated', id, batchInferenceOf(next));
    return next;
  }

  /** The notification the editors turn into "batch scoring X completed / failed". */
  recordFinished(job: BatchInferenceRecord): void {
    this.events.record('batch-inferences', 'finished', job.id, batchInferenceOf(job));
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('batch-inferences', 'deleted', id, null);
  }

  newId(): string {
    return newId();
  }
}
