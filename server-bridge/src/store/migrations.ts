import type Database from 'better-sqlite3';

/**
 * Versioned schema changes, applied in order, each in its own transaction with
 * `user_version` bumped inside it: a crash mid-migration leaves the previous version.
 * Never edit a released entry; add a new one.
 */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'events, environments, experiments',
    sql: `
      CREATE TABLE events (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        time     TEXT NOT NULL,
        resource TEXT NOT NULL,
        action   TEXT NOT NULL,
        id       TEXT NOT NULL,
        data     TEXT
      );
      CREATE TABLE environments (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        description  TEXT NOT NULL DEFAULT '',
        manager      TEXT NOT NULL,
        python       TEXT NOT NULL,
        packages     TEXT NOT NULL DEFAULT '[]',
        requirements TEXT NOT NULL DEFAULT '',
        path         TEXT NOT NULL,
        kernel_name  TEXT NOT NULL,
        state        TEXT NOT NULL,
        state_reason TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      );
      CREATE INDEX environments_created ON environments (created_at);
      CREATE TABLE experiments (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE INDEX experiments_created ON experiments (created_at);
    `,
  },
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
