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

/** One more connection to a store already opened (and migrated) by `openDatabase`: the payload log's thread. */
export function openConnection(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
