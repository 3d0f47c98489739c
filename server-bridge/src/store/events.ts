import { EventEmitter } from 'node:events';
import type { EventAction, ResourceEvent, ResourceName } from '@emkit/shared';
import type Database from 'better-sqlite3';

interface EventRow {
  seq: number;
  time: string;
  resource: ResourceName;
  action: EventAction;
  id: string;
  data: string | null;
}

const toEvent = (row: EventRow): ResourceEvent => ({ ...row, data: row.data === null ? null : JSON.parse(row.data) });

/** How many events are kept for resuming clients; older ones are pruned. */
export const EVENTS_KEPT = 100_000;

/**
 * The change log. Events are written in the same transaction as the change they
 * describe, so the log and the tables never disagree, and published to live
 * listeners only after that transaction commits.
 */
export class EventLog {
  readonly bus = new EventEmitter().setMaxListeners(0);
  private pending: ResourceEvent[] = [];
  private readonly insert;
  private readonly selectSince;
  private readonly selectHead;
  private readonly selectOldest;
  private readonly deleteBefore;
  private writes = 0;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[string, string, string, string, string | null], EventRow>(
      'INSERT INTO events (time, resource, action, id, data) VALUES (?, ?, ?, ?, ?) RETURNING *',
    );
    this.selectSince = db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.selectHead = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM events');
    this.selectOldest = db.prepare<[], { seq: number | null }>('SELECT min(seq) AS seq FROM events');
    this.deleteBefore = db.prepare<[number]>('DELETE FROM events WHERE seq <= ?');
  }

  /** Call inside a store transaction. */
  record(resource: ResourceName, action: EventAction, id: string, data: object | null): void {
    const row = this.insert.get(new Date().toISOString(), resource, action, id, data === null ? null : JSON.stringify(data));
    if (row) this.pending.push(toEvent(row));
    this.writes += 1;
  }

  /** After commit: hand the transaction's events to live listeners, in order. */
  publish(): void {
    const events = this.pending;
    this.pending = [];
    for (const event of events) this.bus.emit('event', event);
    if (this.writes >= 1000) {
      this.writes = 0;
      this.prune();
    }
  }

  /** After rollback: those events never happened. */
  discard(): void {
    this.pending = [];
  }

  head(): number {
    return this.selectHead.get()?.seq ?? 0;
  }

  oldest(): number | null {
    return this.selectOldest.get()?.seq ?? null;
  }

  since(seq: number, limit: number): ResourceEvent[] {
    return this.selectSince.all(seq, limit).map(toEvent);
  }

  prune(keep = EVENTS_KEPT): void {
    const head = this.head();
    if (head > keep) this.deleteBefore.run(head - keep);
  }
}
