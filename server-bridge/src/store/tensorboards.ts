import type { Tensorboard, TensorboardState } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { newId, now } from './rows.js';

interface TensorboardRow {
  id: string;
  experiment_id: string | null;
  trainings: string;
  state: TensorboardState;
  state_reason: string | null;
  python: string;
  port: number | null;
  pid: number | null;
  created_at: string;
  updated_at: string;
  last_access_at: string;
}

export interface TensorboardRecord extends Tensorboard {
  port: number | null;
  pid: number | null;
}

const toRecord = (row: TensorboardRow): TensorboardRecord => ({
  id: row.id,
  experimentId: row.experiment_id,
  trainings: JSON.parse(row.trainings) as Tensorboard['trainings'],
  state: row.state,
  stateReason: row.state_reason,
  path: `/tensorboard/${row.id}/`,
  python: row.python,
  port: row.port,
  pid: row.pid,
  createdAt: row.created_at,
  lastAccessAt: row.last_access_at,
});

export function publicTensorboard(record: TensorboardRecord): Tensorboard {
  const { port: _port, pid: _pid, ...tensorboard } = record;
  return tensorboard;
}

export class TensorboardsRepository {
  private readonly byId;
  private readonly page;
  private readonly count;
  private readonly inState;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byId = db.prepare<[string], TensorboardRow>('SELECT * FROM tensorboards WHERE id = ?');
    this.page = db.prepare<[number, number], TensorboardRow>(
      'SELECT * FROM tensorboards ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM tensorboards');
    this.inState = db.prepare<[string], TensorboardRow>('SELECT * FROM tensorboards WHERE state = ?');
  }

  get(id: string): TensorboardRecord | undefined {
    const row = this.byId.get(id);
    return row && toRecord(row);
  }

  list(limit: number, offset: number): { items: TensorboardRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toRecord), total: this.count.get()?.n ?? 0 };
  }

  total(): number {
    return this.count.get()?.n ?? 0;
  }

  withState(state: TensorboardState): TensorboardRecord[] {
    return this.inState.all(state).map(toRecord);
  }

  insert(input: Pick<TensorboardRecord, 'experimentId' | 'trainings' | 'python'>): TensorboardRecord {
    const time = now();
    const record: TensorboardRecord = {
      id: newId(),
      ...input,
      state: 'CREATE IN PROGRESS',
      stateReason: null,
      path: '',
      port: null,
      pid: null,
      createdAt: time,
      lastAccessAt: time,
    };
    this.db
      .prepare(
        `INSERT INTO tensorboards (id, experiment_id, trainings, state, python, created_at, updated_at, last_access_at)
         VALUES (@id, @experimentId, @trainings, @state, @python, @createdAt, @createdAt, @lastAccessAt)`,
      )
      .run({ ...record, trainings: JSON.stringify(record.trainings) });
    const stored = this.get(record.id) as TensorboardRecord;
    this.events.record('tensorboards', 'created', stored.id, publicTensorboard(stored));
    return stored;
  }

  update(
    id: string,
    changes: Partial<Pick<TensorboardRecord, 'state' | 'stateReason' | 'port' | 'pid' | 'lastAccessAt'>>,
    { quiet = false } = {},
  ): TensorboardRecord {
    const current = this.get(id);
    if (!current) throw new Error(`tensorboard ${id} vanished`);
    const next = { ...current, ...changes };
    this.db
      .prepare(
        `UPDATE tensorboards SET state = @state, state_reason = @stateReason, port = @port, pid = @pid,
           last_access_at = @lastAccessAt, updated_at = @updatedAt WHERE id = @id`,
      )
      .run({ ...next, updatedAt: now() });
    // a page view only moves lastAccessAt: not worth an event each time
    if (!quiet) this.events.record('tensorboards', 'updated', id, publicTensorboard(next));
    return next;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM tensorboards WHERE id = ?').run(id);
    this.events.record('tensorboards', 'deleted', id, null);
  }
}
