import Database from 'better-sqlite3';
import { migrate, migratePayloadLog } from './migrations.js';

/**
 * WAL keeps readers off the writer's back, and with it a `kill -9` can lose at most
 * an uncommitted transaction: every committed one is in the WAL file and is replayed
 * on the next open. `synchronous = NORMAL` only gives up durability on power loss.
 * The payload log's file is attached as `payloads`: its table is named unqualified, as the others.
 */
export function openDatabase(file: string): Database.Database {
  const db = openConnection(file);
  db.prepare('ATTACH DATABASE ? AS payloads').run(payloadLogFileOf(file));
  db.pragma('payloads.journal_mode = WAL');
  db.pragma('payloads.synchronous = NORMAL');
  migratePayloadLog(db);
  migrate(db);
  return db;
}

/**
 * The payload log's own SQLite file, beside the store's (`emkit.db` → `emkit-payloads.db`).
 * Apart, because SQLite drops a connection's whole page cache when another connection has
 * written the file since: the payload log's thread, committing every 200 ms, made the
 * gateway's inference log re-read its pages each time, and the other way round.
 */
export function payloadLogFileOf(storeFile: string): string {
  return storeFile.endsWith('.db') ? `${storeFile.slice(0, -3)}-payloads.db` : `${storeFile}-payloads`;
}

/**
 * The payload log's thread's connection: the payload log's file, with the store's attached as
 * `store` (read: which endpoints still exist, their stages' settings).
 */
export function openPayloadLogConnection(storeFile: string): Database.Database {
  const db = openConnection(payloadLogFileOf(storeFile));
  db.prepare('ATTACH DATABASE ? AS store').run(storeFile);
  return db;
}

/** How long a connection waits on another's write lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/** SQLite's default: a commit that leaves the WAL over this many pages copies it back into the database. */
export const WAL_AUTOCHECKPOINT_PAGES = 1000;

/** Whether `error` is SQLite's "another connection holds the lock" (after the busy timeout, if any). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A connection to an SQLite file of the bridge's, in WAL mode (the store's own goes through `openDatabase`). */
export function openConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
