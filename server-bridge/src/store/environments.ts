import type { Environment, EnvironmentManager, EnvironmentState } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface EnvironmentRow {
  id: string;
  name: string;
  description: string;
  manager: EnvironmentManager;
  python: string;
  packages: string;
  requirements: string;
  path: string;
  kernel_name: string;
  state: EnvironmentState;
  state_reason: string | null;
  created_at: string;
  updated_at: string;
}

const toEnvironment = (row: EnvironmentRow): Environment => ({
  id: row.id,
  name: row.name,
  description: row.description,
  manager: row.manager,
  python: row.python,
  packages: JSON.parse(row.packages) as string[],
  requirements: row.requirements,
  path: row.path,
  kernelName: row.kernel_name,
  state: row.state,
  stateReason: row.state_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type NewEnvironment = Pick<
  Environment,
  'name' | 'description' | 'manager' | 'python' | 'packages' | 'requirements' | 'path' | 'kernelName'
>;

export class EnvironmentsRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly inState;

  constructor(
    private readonly db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, EnvironmentRow>(`SELECT * FROM environments WHERE ${BY_ID_OR_NAME}`);
    this.page = db.prepare<[number, number], EnvironmentRow>(
      'SELECT * FROM environments ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM environments');
    this.inState = db.prepare<[string], EnvironmentRow>('SELECT * FROM environments WHERE state = ?');
  }

  get(key: string): Environment | undefined {
    const row = this.byKey.get({ key });
    return row && toEnvironment(row);
  }

  list(limit: number, offset: number): { items: Environment[]; total: number } {
    return { items: this.page.all(limit, offset).map(toEnvironment), total: this.count.get()?.n ?? 0 };
  }

  withState(state: EnvironmentState): Environment[] {
    return this.inState.all(state).map(toEnvironment);
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(input: NewEnvironment): Environment {
    const time = now();
    const environment: Environment = {
      ...input,
      id: newId(),
      state: 'CREATE IN PROGRESS',
      stateReason: null,
      createdAt: time,
      updatedAt: time,
    };
    this.db
      .prepare(
        `INSERT INTO environments (id, name, description, manager, python, packages, requirements, path, kernel_name,
           state, state_reason, created_at, updated_at)
         VALUES (@id, @name, @description, @manager, @python, @packages, @requirements, @path, @kernelName,
           @state, @stateReason, @createdAt, @updatedAt)`,
      )
      .run({ ...environment, packages: JSON.stringify(environment.packages) });
    this.events.record('environments', 'created', environment.id, environment);
    return environment;
  }

  update(id: string, changes: { state: EnvironmentState; stateReason?: string | null; python?: string }): Environment {
    const current = this.get(id);
    if (!current) throw new Error(`environment ${id} vanished`);
    const next: Environment = {
      ...current,
      state: changes.state,
      stateReason: changes.stateReason === undefined ? null : changes.stateReason,
      python: changes.python ?? current.python,
      updatedAt: now(),
    };
    this.db
      .prepare(
        'UPDATE environments SET state = @state, state_reason = @stateReason, python = @python, updated_at = @updatedAt WHERE id = @id',
      )
      .run(next);
    this.events.record('environments', 'updated', id, next);
    return next;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM environments WHERE id = ?').run(id);
    this.events.record('environments', 'deleted', id, null);
  }
}
