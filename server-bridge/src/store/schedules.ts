import type { Schedule, ScheduleRun, ScheduleState, ScheduleStep } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface ScheduleRow {
  id: string;
  name: string;
  description: string;
  state: ScheduleState;
  state_reason: string | null;
  cron: string | null;
  timezone: string | null;
  every: string | null;
  steps: string;
  overlap: 'skip' | 'queue';
  catch_up: number;
  anchor_at: string;
  next_due_at: string | null;
  created_at: string;
  updated_at: string;
}

interface RunRow {
  id: string;
  schedule_id: string;
  number: number;
  trigger: ScheduleRun['trigger'];
  state: ScheduleRun['state'];
  reason: string | null;
  due_at: string;
  started_at: string | null;
  finished_at: string | null;
  steps: string;
  chain: string;
}

/** A schedule as stored: the API's shape less what is computed (next runs, last run), plus the clock's fields. */
export interface ScheduleRecord extends Omit<Schedule, 'nextRuns' | 'lastRun'> {
  /** an interval's due times are anchor + k·interval */
  anchorAt: string;
  /** what the clock waits for; null while PAUSED */
  nextDueAt: string | null;
}

/** What one step hands the next: the model version the chain made, the evaluation, the alias promoted. */
export interface ChainState {
  model?: { id: string; name: string; version: number };
  evaluation?: { id: string; model: string };
  /** the alias a promote step judged (moved or not): a later batch step scores with name@alias */
  promote?: { name: string; alias: string };
}

export interface RunRecord extends ScheduleRun {
  chain: ChainState;
}

/** The view of a schedule: its record with the computed fields (see schedules/view.ts). */
export type ScheduleView = (record: ScheduleRecord, lastRun: ScheduleRun | null) => Schedule;

const toRecord = (row: ScheduleRow): ScheduleRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  state: row.state,
  reason: row.state_reason,
  cron: row.cron,
  timezone: row.timezone,
  every: row.every,
  steps: JSON.parse(row.steps) as ScheduleStep[],
  overlap: row.overlap,
  catchUp: row.catch_up === 1,
  anchorAt: row.anchor_at,
  nextDueAt: row.next_due_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toRun = (row: RunRow): RunRecord => ({
  id: row.id,
  schedule: row.schedule_id,
  number: row.number,
  trigger: row.trigger,
  state: row.state,
  reason: row.reason,
  dueAt: row.due_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  steps: JSON.parse(row.steps) as ScheduleRun['steps'],
  chain: JSON.parse(row.chain) as ChainState,
});

/** The API's run: the chain's hand-over left out. */
export function publicRun(run: RunRecord): ScheduleRun {
  const { chain: _chain, ...rest } = run;
  return rest;
}

export type NewSchedule = Omit<ScheduleRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type ScheduleChanges = Partial<Omit<ScheduleRecord, 'id' | 'name' | 'createdAt' | 'updatedAt'>>;
export type NewRun = Pick<
  RunRecord,
  'schedule' | 'trigger' | 'state' | 'reason' | 'dueAt' | 'startedAt' | 'finishedAt' | 'steps'
>;
export type RunChanges = Partial<Pick<RunRecord, 'state' | 'reason' | 'startedAt' | 'finishedAt' | 'steps' | 'chain'>>;

/**
 * Schedules and their runs. Every change records a `schedules` event with the schedule's view (its last run
 * included), so a list in an editor follows both; a run that ends records `finished` (the editors notify a failure).
 */
export class SchedulesRepository {
  private readonly byKey;
  private readonly all;
  private readonly page;
  private readonly count;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly nearest;
  private readonly dueRows;
  private readonly runById;
  private readonly runsPage;
  private readonly runsCount;
  private readonly lastRunOf;
  private readonly runsIn;
  private readonly nextNumber;
  private readonly insertRun;
  private readonly updateRun;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
    private readonly view: ScheduleView,
  ) {
    this.byKey = db.prepare<{ key: string }, ScheduleRow>(`SELECT * FROM schedules WHERE ${BY_ID_OR_NAME}`);
    this.all = db.prepare<[], ScheduleRow>('SELECT * FROM schedules ORDER BY created_at, rowid');
    this.page = db.prepare<[number, number], ScheduleRow>('SELECT * FROM schedules ORDER BY created_at, rowid LIMIT ? OFFSET ?');
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM schedules');
    this.insertRow = db.prepare(
      `INSERT INTO schedules (id, name, description, state, state_reason, cron, timezone, every, steps, overlap, catch_up,
         anchor_at, next_due_at, created_at, updated_at)
       VALUES (@id, @name, @description, @state, @reason, @cron, @timezone, @every, @steps, @overlap, @catchUp,
         @anchorAt, @nextDueAt, @createdAt, @updatedAt)`,
    );
    this.updateRow = db.prepare(
      `UPDATE schedules SET description = @description, state = @state, state_reason = @reason, cron = @cron,
         timezone = @timezone, every = @every, steps = @steps, overlap = @overlap, catch_up = @catchUp,
         anchor_at = @anchorAt, next_due_at = @nextDueAt, updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.deleteRow = db.prepare('DELETE FROM schedules WHERE id = ?');
    this.nearest = db.prepare<[], { at: string | null }>(
      "SELECT min(next_due_at) AS at FROM schedules WHERE state = 'ACTIVE' AND next_due_at IS NOT NULL",
    );
    this.dueRows = db.prepare<[string], ScheduleRow>(
      "SELECT * FROM schedules WHERE state = 'ACTIVE' AND next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at",
    );
    this.runById = db.prepare<[string], RunRow>('SELECT * FROM schedule_runs WHERE id = ?');
    this.runsPage = db.prepare<[string, number, number], RunRow>(
      'SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY number DESC LIMIT ? OFFSET ?',
    );
    this.runsCount = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM schedule_runs WHERE schedule_id = ?');
    this.lastRunOf = db.prepare<[string], RunRow>(
      'SELECT * FROM schedule_runs WHERE schedule_id = ? ORDER BY number DESC LIMIT 1',
    );
    this.runsIn = db.prepare<[string], RunRow>(
      'SELECT * FROM schedule_runs WHERE state IN (SELECT value FROM json_each(?)) ORDER BY schedule_id, number',
    );
    this.nextNumber = db.prepare<[string], { n: number }>(
      'SELECT coalesce(max(number), 0) + 1 AS n FROM schedule_runs WHERE schedule_id = ?',
    );
    this.insertRun = db.prepare(
      `INSERT INTO schedule_runs (id, schedule_id, number, trigger, state, reason, due_at, started_at, finished_at, steps)
       VALUES (@id, @schedule, @number, @trigger, @state, @reason, @dueAt, @startedAt, @finishedAt, @steps)`,
    );
    this.updateRun = db.prepare(
      `UPDATE schedule_runs SET state = @state, reason = @reason, started_at = @startedAt, finished_at = @finishedAt,
         steps = @steps, chain = @chain
       WHERE id = @id`,
    );
  }

  get(key: string): ScheduleRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  /** Oldest first, so a page stays put as schedules are added. */
  list(limit: number, offset: number): { items: ScheduleRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toRecord), total: this.count.get()?.n ?? 0 };
  }

  everySchedule(): ScheduleRecord[] {
    return this.all.all().map(toRecord);
  }

  /** The nearest due time of an ACTIVE schedule (ISO times sort as text). */
  nearestDue(): string | null {
    return this.nearest.get()?.at ?? null;
  }

  /** The ACTIVE schedules due at or before `at`. */
  dueBy(at: string): ScheduleRecord[] {
    return this.dueRows.all(at).map(toRecord);
  }

  viewOf(record: ScheduleRecord): Schedule {
    const last = this.lastRun(record.id);
    return this.view(record, last ? publicRun(last) : null);
  }

  insert(input: NewSchedule): ScheduleRecord {
    const time = now();
    const record: ScheduleRecord = { ...input, id: newId(), createdAt: time, updatedAt: time };
    this.insertRow.run(this.toParams(record));
    this.events.record('schedules', 'created', record.id, this.viewOf(record));
    return record;
  }

  update(current: ScheduleRecord, changes: ScheduleChanges): ScheduleRecord {
    const next: ScheduleRecord = { ...current, ...changes, updatedAt: now() };
    this.updateRow.run(this.toParams(next));
    this.events.record('schedules', 'updated', next.id, this.viewOf(next));
    return next;
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('schedules', 'deleted', id, null);
  }

  run(id: string): RunRecord | undefined {
    const row = this.runById.get(id);
    return row && toRun(row);
  }

  runs(scheduleId: string, limit: number, offset: number): { items: RunRecord[]; total: number } {
    return { items: this.runsPage.all(scheduleId, limit, offset).map(toRun), total: this.runsCount.get(scheduleId)?.n ?? 0 };
  }

  lastRun(scheduleId: string): RunRecord | undefined {
    const row = this.lastRunOf.get(scheduleId);
    return row && toRun(row);
  }

  /** The runs in these states, across schedules (what a starting bridge picks up). */
  runsInStates(states: readonly ScheduleRun['state'][]): RunRecord[] {
    return this.runsIn.all(JSON.stringify(states)).map(toRun);
  }

  insertRunOf(schedule: ScheduleRecord, input: NewRun): RunRecord {
    const run: RunRecord = {
      ...input,
      id: newId(),
      number: this.nextNumber.get(schedule.id)?.n ?? 1,
      chain: {},
    };
    this.insertRun.run({ ...run, steps: JSON.stringify(run.steps) });
    this.touched(schedule.id, run);
    return run;
  }

  updateRunOf(run: RunRecord, changes: RunChanges): RunRecord {
    const next: RunRecord = { ...run, ...changes };
    this.updateRun.run({
      id: next.id,
      state: next.state,
      reason: next.reason,
      startedAt: next.startedAt,
      finishedAt: next.finishedAt,
      steps: JSON.stringify(next.steps),
      chain: JSON.stringify(next.chain),
    });
    const ended = next.state !== run.state && (next.state === 'COMPLETE' || next.state === 'FAILED' || next.state === 'STOPPED');
    this.touched(next.schedule, next, ended);
    return next;
  }

  /** A run changed: the schedule's view (with it as lastRun when it is the newest) goes out as `updated`, or `finished`. */
  private touched(scheduleId: string, run: RunRecord, ended = false): void {
    const row = this.byKey.get({ key: scheduleId });
    if (!row) return;
    const record = toRecord(row);
    const view = this.viewOf(record);
    this.events.record('schedules', 'updated', record.id, view);
    if (ended) this.events.record('schedules', 'finished', record.id, { ...view, lastRun: publicRun(run) });
  }

  private toParams(record: ScheduleRecord) {
    return {
      id: record.id,
      name: record.name,
      description: record.description,
      state: record.state,
      reason: record.reason,
      cron: record.cron,
      timezone: record.timezone,
      every: record.every,
      steps: JSON.stringify(record.steps),
      overlap: record.overlap,
      catchUp: record.catchUp ? 1 : 0,
      anchorAt: record.anchorAt,
      nextDueAt: record.nextDueAt,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }
}
