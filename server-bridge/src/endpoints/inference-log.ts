import { EventEmitter } from 'node:events';
import type { InferenceLog } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { isBusy } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { NewInferenceLog } from '../store/inference.js';

/** Entries wait at most this long to be written, in one transaction with the others of the moment. */
const FLUSH_AFTER_MS = 100;
const FLUSH_AT = 2000;
const PRUNE_EVERY_FLUSHES = 500;
/** A write that found the store locked by another connection is tried again this soon, then twice as late, up to… */
const RETRY_AFTER_MS = 5;
const RETRY_AFTER_AT_MOST_MS = 100;
/** …while fewer entries than this wait; past it, one write waits on the lock (SQLite's busy timeout). */
const WAIT_FOR_LOCK_AT = 100_000;

/**
 * Every inference's Request and Response entries (the guide's endpoint log fields), written
 * to SQLite in batches (thousands of requests a second must not mean thousands of
 * transactions) and handed to live listeners once written, with their seq.
 */
export class InferenceLogWriter {
  readonly bus = new EventEmitter().setMaxListeners(0);
  private pending: NewInferenceLog[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushes = 0;
  /** writes in a row that found the store locked: while any, a retry is due and a full batch doesn't write */
  private busyTries = 0;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {}

  push(entry: NewInferenceLog): void {
    this.pending.push(entry);
    if (this.pending.length >= FLUSH_AT && this.busyTries === 0) this.write(false);
    else this.timer ??= setTimeout(() => this.write(false), FLUSH_AFTER_MS);
  }

  /** Writes every entry pushed so far, waiting on the store's lock if it must: before a read of the log. */
  flush(): void {
    this.write(true);
  }

  /**
   * `wait` false: the gateway's own writes. When another connection (the payload log's thread)
   * holds the store's write lock, they are kept and tried again in a moment, rather than
   * sleeping the gateway's thread in SQLite's busy wait.
   */
  private write(wait: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    let entries = this.pending;
    this.pending = [];
    let seqs: number[];
    try {
      const append = () => this.store.inference.appendLogs(entries);
      seqs = wait || entries.length >= WAIT_FOR_LOCK_AT ? append() : this.store.withoutWaiting(append);
      this.busyTries = 0;
    } catch (error) {
      if (isBusy(error) && entries.length < WAIT_FOR_LOCK_AT) {
        this.pending = entries.concat(this.pending);
        this.timer = setTimeout(() => this.write(false), Math.min(RETRY_AFTER_MS * 2 ** this.busyTries, RETRY_AFTER_AT_MOST_MS));
        this.busyTries += 1;
        return;
      }
      this.busyTries = 0;
      // an endpoint deleted since: its entries go with it, the others are kept
      const known = entries.filter((e) => this.store.endpoints.get(e.endpointId));
      if (known.length === entries.length) {
        this.log.warn({ err: error, entries: entries.length }, 'inference log entries could not be written');
        return;
      }
      entries = known;
      seqs = known.length > 0 ? this.store.inference.appendLogs(known) : [];
    }
    if (this.bus.listenerCount('log') > 0) {
      entries.forEach(({ stage: _stage, ...entry }, i) => {
        const log: InferenceLog = { seq: seqs[i] as number, category: 'easymaker.inference', ...entry };
        this.bus.emit('log', log);
      });
    }
    this.flushes += 1;
    if (this.flushes % PRUNE_EVERY_FLUSHES === 0) this.store.inference.prune();
  }
}
