import type { Experiment } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface ExperimentRow {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

const toExperiment = (row: ExperimentRow): Experiment => ({
  id: row.id,
  name: row.name,
  description: row.description,
  state: 'ACTIVE',
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export class ExperimentsRepository {
  private readonly byKey;
  private readonly page;
  private readonly count;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, ExperimentRow>(`SELECT * FROM experiments WHERE ${BY_ID_OR_NAME}`);
    this.page = db.prepare<[number, number], ExperimentRow>(
      'SELECT * FROM experiments ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM experiments');
    this.insertRow = db.prepare(
      'INSERT INTO experiments (id, name, description, created_at, updated_at) VALUES (@id, @name, @description, @createdAt, @updatedAt)',
    );
    this.updateRow = db.prepare('UPDATE experiments SET description = @description, updated_at = @updatedAt WHERE id = @id');
    this.deleteRow = db.prepare('DELETE FROM experiments WHERE id = ?');
  }

  get(key: string): Experiment | undefined {
    const row = this.byKey.get({ key });
    return row && toExperiment(row);
  }

  list(limit: number, offset: number): { items: Experiment[]; total: number } {
    return { items: this.page.all(limit, offset).map(toExperiment), total: this.count.get()?.n ?? 0 };
  }

  total(): number {
    return this.count.get()?.n ?? 0;
  }

  /** Throws SQLITE_CONSTRAINT_UNIQUE when the name is taken. */
  insert(input: { name: string; description: string }): Experiment {
    const time = now();
    const experiment: Experiment = { id: newId(), ...input, state: 'ACTIVE', createdAt: time, updatedAt: time };
    this.insertRow.run(experiment);
    this.events.record('experiments', 'created', experiment.id, experiment);
    return experiment;
  }

  update(experiment: Experiment, description: string): Experiment {
    const next = { ...experiment, description, updatedAt: now() };
    this.updateRow.run(next);
    this.events.record('experiments', 'updated', next.id, next);
    return next;
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('experiments', 'deleted', id, null);
  }
}
