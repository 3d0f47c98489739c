import type {
  EarlyStopping,
  ParameterValue,
  SearchSpace,
  TrainingSource,
  Tuning,
  TuningAlgorithm,
  TuningBest,
  TuningPruner,
  TuningState,
  TuningTrial,
  TuningTrialCounts,
  TuningTrialState,
} from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface TuningRow {
  id: string;
  name: string;
  description: string;
  experiment_id: string;
  experiment_name: string;
  source: string;
  space: string;
  fixed: string;
  objective: string;
  algorithm: TuningAlgorithm;
  pruner: TuningPruner;
  max_trials: number;
  max_duration_seconds: number | null;
  parallel: number;
  seed: number | null;
  datasets: string;
  environment_id: string | null;
  environment_name: string | null;
  tags: string;
  trial_max_duration_seconds: number | null;
  early_stopping: string | null;
  cluster_id: string | null;
  cluster_name: string | null;
  state: TuningState;
  state_reason: string | null;
  best: string | null;
  importance: string | null;
  copied_from: string | null;
  dir: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  ended_at: string | null;
}

interface TrialRow {
  tuning_id: string;
  number: number;
  training_id: string | null;
  training_name: string | null;
  state: TuningTrialState;
  state_reason: string | null;
  params: string;
  value: number | null;
  last_step: number | null;
  last_value: number | null;
  pruned_at_step: number | null;
  started_at: string | null;
  ended_at: string | null;
}

/** A tuning as stored: the API's shape less its trial counts, plus what only the bridge needs. */
export interface TuningRecord extends Omit<Tuning, 'trials'> {
  environmentId: string | null;
  clusterId: string | null;
}

export interface TrialRecord extends TuningTrial {
  tuningId: string;
}

const toRecord = (row: TuningRow): TuningRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  experimentId: row.experiment_id,
  experimentName: row.experiment_name,
  source: JSON.parse(row.source) as TrainingSource,
  space: JSON.parse(row.space) as SearchSpace,
  fixed: JSON.parse(row.fixed) as Record<string, string>,
  objective: JSON.parse(row.objective) as Tuning['objective'],
  algorithm: row.algorithm,
  pruner: row.pruner,
  maxTrials: row.max_trials,
  maxDurationSeconds: row.max_duration_seconds,
  parallel: row.parallel,
  seed: row.seed,
  datasets: JSON.parse(row.datasets) as Record<string, string>,
  environmentId: row.environment_id,
  environment: row.environment_name,
  tags: JSON.parse(row.tags) as Record<string, string>,
  trialMaxDurationSeconds: row.trial_max_duration_seconds,
  earlyStopping: row.early_stopping === null ? null : (JSON.parse(row.early_stopping) as EarlyStopping),
  clusterId: row.cluster_id,
  cluster: row.cluster_name,
  state: row.state,
  stateReason: row.state_reason,
  best: row.best === null ? null : (JSON.parse(row.best) as TuningBest),
  importance: row.importance === null ? null : (JSON.parse(row.importance) as Record<string, number>),
  copiedFrom: row.copied_from,
  dir: row.dir,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  startedAt: row.started_at,
  endedAt: row.ended_at,
});

const toTrial = (row: TrialRow): TrialRecord => ({
  tuningId: row.tuning_id,
  number: row.number,
  trainingId: row.training_id,
  trainingName: row.training_name,
  state: row.state,
  stateReason: row.state_reason,
  params: JSON.parse(row.params) as Record<string, ParameterValue>,
  value: row.value,
  lastStep: row.last_step,
  lastValue: row.last_value,
  prunedAtStep: row.pruned_at_step,
  startedAt: row.started_at,
  endedAt: row.ended_at,
});

/** The API's view of a trial. */
export function publicTrial(trial: TrialRecord): TuningTrial {
  const { tuningId: _t, ...rest } = trial;
  return rest;
}

export type NewTuning = Omit<
  TuningRecord,
  'experimentName' | 'state' | 'stateReason' | 'best' | 'importance' | 'createdAt' | 'updatedAt' | 'startedAt' | 'endedAt'
>;

export type TuningChanges = Partial<
  Pick<TuningRecord, 'state' | 'stateReason' | 'best' | 'importance' | 'description' | 'tags' | 'startedAt' | 'endedAt'>
>;

export type TrialChanges = Partial<
  Pick<
    TrialRecord,
    | 'trainingId'
    | 'trainingName'
    | 'state'
    | 'stateReason'
    | 'value'
    | 'lastStep'
    | 'lastValue'
    | 'prunedAtStep'
    | 'startedAt'
    | 'endedAt'
  >
>;

const SELECT = `SELECT t.*, e.name AS experiment_name FROM tunings t JOIN experiments e ON e.id = t.experiment_id`;
const UNSETTLED = `('CREATE REQUESTED', 'RUNNING', 'STOP IN PROGRESS')`;

/**
 * Tunings and their trials. Every change is an event: the tuning's (`created`, `updated`, `finished`,
 * `deleted`, with the Tuning and its counts) and each trial's (`trial`, with the TuningTrial).
 */
export class TuningsRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly inStates;
  private readonly countForExperiment;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly trialRows;
  private readonly trialPage;
  private readonly trialCount;
  private readonly trialByNumber;
  private readonly trialByTraining;
  private readonly counts;
  private readonly trialNamed;
  private readonly lowest;
  private readonly highest;
  private readonly insertTrialRow;
  private readonly updateTrialRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, TuningRow>(`${SELECT} WHERE t.id = @key OR t.name = @key`);
    const where = '(@experiment IS NULL OR t.experiment_id = @experiment) AND (@state IS NULL OR t.state = @state)';
    this.page = db.prepare<{ experiment: string | null; state: string | null; limit: number; offset: number }, TuningRow>(
      `${SELECT} WHERE ${where} ORDER BY t.created_at DESC, t.rowid DESC LIMIT @limit OFFSET @offset`,
    );
    this.count = db.prepare<{ experiment: string | null; state: string | null }, { n: number }>(
      `SELECT count(*) AS n FROM tunings t WHERE ${where}`,
    );
    // and the settled ones with a trial still running (a tuning that failed while its trials were being stopped)
    this.inStates = db.prepare<[], TuningRow>(
      `${SELECT} WHERE t.state IN ${UNSETTLED}
         OR EXISTS (SELECT 1 FROM tuning_trials r WHERE r.tuning_id = t.id AND r.state = 'RUNNING')
       ORDER BY t.created_at`,
    );
    this.countForExperiment = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM tunings WHERE experiment_id = ?');
    this.insertRow = db.prepare(
      `INSERT INTO tunings (id, name, description, experiment_id, source, space, fixed, objective, algorithm, pruner,
         max_trials, max_duration_seconds, parallel, seed, datasets, environment_id, environment_name, tags,
         trial_max_duration_seconds, early_stopping, cluster_id, cluster_name, state, copied_from, dir, created_at, updated_at)
       VALUES (@id, @name, @description, @experimentId, @source, @space, @fixed, @objective, @algorithm, @pruner,
         @maxTrials, @maxDurationSeconds, @parallel, @seed, @datasets, @environmentId, @environment, @tags,
         @trialMaxDurationSeconds, @earlyStopping, @clusterId, @cluster, 'CREATE REQUESTED', @copiedFrom, @dir, @createdAt,
         @updatedAt)`,
    );
    this.updateRow = db.prepare(
      `UPDATE tunings SET state = @state, state_reason = @stateReason, best = @best, importance = @importance,
         description = @description, tags = @tags, started_at = @startedAt, ended_at = @endedAt, updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM tunings WHERE id = ?');
    this.trialRows = db.prepare<[string], TrialRow>('SELECT * FROM tuning_trials WHERE tuning_id = ? ORDER BY number');
    this.trialPage = db.prepare<{ tuning: string; state: string | null; limit: number; offset: number }, TrialRow>(
      `SELECT * FROM tuning_trials WHERE tuning_id = @tuning AND (@state IS NULL OR state = @state)
       ORDER BY number LIMIT @limit OFFSET @offset`,
    );
    this.trialCount = db.prepare<{ tuning: string; state: string | null }, { n: number }>(
      'SELECT count(*) AS n FROM tuning_trials WHERE tuning_id = @tuning AND (@state IS NULL OR state = @state)',
    );
    this.trialByNumber = db.prepare<[string, number], TrialRow>('SELECT * FROM tuning_trials WHERE tuning_id = ? AND number = ?');
    this.trialByTraining = db.prepare<[string], TrialRow>('SELECT * FROM tuning_trials WHERE training_id = ?');
    this.counts = db.prepare<[string], { state: TuningTrialState; n: number }>(
      'SELECT state, count(*) AS n FROM tuning_trials WHERE tuning_id = ? GROUP BY state',
    );
    // the best COMPLETE trial, through the primary key's order within the tuning (a tie: the lower number)
    const best = (order: 'ASC' | 'DESC') =>
      db.prepare<[string], TrialRow>(
        `SELECT * FROM tuning_trials WHERE tuning_id = ? AND state = 'COMPLETE' AND value IS NOT NULL
           AND training_id IS NOT NULL AND training_name IS NOT NULL ORDER BY value ${order}, number LIMIT 1`,
      );
    this.lowest = best('ASC');
    this.highest = best('DESC');
    this.trialNamed = db.prepare<[string], { name: string }>(
      "SELECT name FROM trainings WHERE name GLOB ? || '-t[0-9]*' LIMIT 1",
    );
    this.insertTrialRow = db.prepare(
      `INSERT INTO tuning_trials (tuning_id, number, training_name, state, params, started_at)
       VALUES (@tuningId, @number, @trainingName, 'RUNNING', @params, @startedAt)`,
    );
    this.updateTrialRow = db.prepare(
      `UPDATE tuning_trials SET training_id = @trainingId, training_name = @trainingName, state = @state,
         state_reason = @stateReason, value = @value, last_step = @lastStep, last_value = @lastValue,
         pruned_at_step = @prunedAtStep, started_at = @startedAt, ended_at = @endedAt
       WHERE tuning_id = @tuningId AND number = @number`,
    );
  }

  get(key: string): TuningRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  list(filter: { experimentId?: string; state?: TuningState; limit: number; offset: number }): {
    items: TuningRecord[];
    total: number;
  } {
    const where = { experiment: filter.experimentId ?? null, state: filter.state ?? null };
    return {
      items: this.page.all({ ...where, limit: filter.limit, offset: filter.offset }).map(toRecord),
      total: this.count.get(where)?.n ?? 0,
    };
  }

  /** Every tuning that hasn't settled, or has a trial still running: the ones a bridge must drive. */
  unfinished(): TuningRecord[] {
    return this.inStates.all().map(toRecord);
  }

  countInExperiment(experimentId: string): number {
    return this.countForExperiment.get(experimentId)?.n ?? 0;
  }

  /** The API's view: the record with its trial counts. */
  view(record: TuningRecord): Tuning {
    const { environmentId: _e, clusterId: _c, ...rest } = record;
    return { ...rest, trials: this.trialCounts(record.id) };
  }

  trialCounts(tuningId: string): TuningTrialCounts {
    const counts: TuningTrialCounts = { total: 0, running: 0, complete: 0, pruned: 0, failed: 0, stopped: 0 };
    for (const { state, n } of this.counts.all(tuningId)) {
      counts.total += n;
      counts[state.toLowerCase() as Exclude<keyof TuningTrialCounts, 'total'>] += n;
    }
    return counts;
  }

  insert(input: NewTuning): TuningRecord {
    const time = now();
    this.insertRow.run({
      ...input,
      source: JSON.stringify(input.source),
      space: JSON.stringify(input.space),
      fixed: JSON.stringify(input.fixed),
      objective: JSON.stringify(input.objective),
      datasets: JSON.stringify(input.datasets),
      tags: JSON.stringify(input.tags),
      earlyStopping: input.earlyStopping === null ? null : JSON.stringify(input.earlyStopping),
      createdAt: time,
      updatedAt: time,
    });
    const tuning = this.get(input.id);
    if (!tuning) throw new Error(`tuning ${input.id} vanished`);
    this.events.record('tunings', 'created', tuning.id, this.view(tuning));
    return tuning;
  }

  update(id: string, changes: TuningChanges): TuningRecord {
    const current = this.get(id);
    if (!current) throw new Error(`tuning ${id} vanished`);
    const next: TuningRecord = { ...current, ...changes, updatedAt: now() };
    this.updateRow.run({
      id,
      state: next.state,
      stateReason: next.stateReason,
      best: next.best === null ? null : JSON.stringify(next.best),
      importance: next.importance === null ? null : JSON.stringify(next.importance),
      description: next.description,
      tags: JSON.stringify(next.tags),
      startedAt: next.startedAt,
      endedAt: next.endedAt,
      updatedAt: next.updatedAt,
    });
    this.events.record('tunings', 'updated', id, this.view(next));
    return next;
  }

  /** The notification the editors turn into "tuning X completed / failed". */
  recordFinished(tuning: TuningRecord): void {
    this.events.record('tunings', 'finished', tuning.id, this.view(tuning));
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('tunings', 'deleted', id, null);
  }

  trials(tuningId: string): TrialRecord[] {
    return this.trialRows.all(tuningId).map(toTrial);
  }

  trialPageOf(filter: { tuningId: string; state?: TuningTrialState; limit: number; offset: number }): {
    items: TrialRecord[];
    total: number;
  } {
    const where = { tuning: filter.tuningId, state: filter.state ?? null };
    return {
      items: this.trialPage.all({ ...where, limit: filter.limit, offset: filter.offset }).map(toTrial),
      total: this.trialCount.get(where)?.n ?? 0,
    };
  }

  trial(tuningId: string, number: number): TrialRecord | undefined {
    const row = this.trialByNumber.get(tuningId, number);
    return row && toTrial(row);
  }

  trialOfTraining(trainingId: string): TrialRecord | undefined {
    const row = this.trialByTraining.get(trainingId);
    return row && toTrial(row);
  }

  /** The best COMPLETE trial in this mode (min: the lowest value), if any. */
  bestTrial(tuningId: string, mode: 'min' | 'max'): TrialRecord | undefined {
    const row = (mode === 'min' ? this.lowest : this.highest).get(tuningId);
    return row && toTrial(row);
  }

  /** A training named as a trial of a tuning called `name` would be (`name-t3`), if one exists. */
  trialNamesTaken(name: string): string | undefined {
    return this.trialNamed.get(name)?.name;
  }

  /** A trial the study was asked for, recorded before its training is made. */
  insertTrial(input: Pick<TrialRecord, 'tuningId' | 'number' | 'trainingName' | 'params'>): TrialRecord {
    this.insertTrialRow.run({ ...input, params: JSON.stringify(input.params), startedAt: now() });
    const trial = this.trial(input.tuningId, input.number);
    if (!trial) throw new Error(`trial ${input.number} of tuning ${input.tuningId} vanished`);
    this.events.record('tunings', 'trial', input.tuningId, publicTrial(trial));
    return trial;
  }

  updateTrial(trial: TrialRecord, changes: TrialChanges): TrialRecord {
    const next: TrialRecord = { ...trial, ...changes };
    this.updateTrialRow.run({
      tuningId: next.tuningId,
      number: next.number,
      trainingId: next.trainingId,
      trainingName: next.trainingName,
      state: next.state,
      stateReason: next.stateReason,
      value: next.value,
      lastStep: next.lastStep,
      lastValue: next.lastValue,
      prunedAtStep: next.prunedAtStep,
      startedAt: next.startedAt,
      endedAt: next.endedAt,
    });
    this.events.record('tunings', 'trial', next.tuningId, publicTrial(next));
    return next;
  }

  newId(): string {
    return newId();
  }
}
