import Database from 'better-sqlite3';
import { migrate } from './migrations.js';

/**
 * WAL keeps readers off the writer's back, and with it a `kill -9` can lose at most
 * an uncommitted transaction: every committed one is in the WAL file and is replayed
 * on the next open. `synchronous = NORMAL` only gives up durability on power loss.
 */
export function openDatabase(file: string): Database.Database {
  const db = openConnection(file);
  migrate(db);
  return db;
}

/** How long a connection waits on another's write lock before SQLITE_BUSY (the bridge's, the payload log thread's). */
export const BUSY_TIMEOUT_MS = 5000;
/** SQLite's default: a commit that leaves the WAL over this many pages copies it back into the database. */
export const WAL_AUTOCHECKPOINT_PAGES = 1000;

/** Whether `error` is SQLite's "another connection holds the lock" (after the busy timeout, if any). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** One more connection to a store already opened (and migrated) by `openDatabase`: the payload log's thread. */
export function openConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
