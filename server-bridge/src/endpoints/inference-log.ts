import { EventEmitter } from 'node:events';
import type { InferenceLog } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { NewInferenceLog } from '../store/inference.js';

/** Entries wait at most this long to be written, in one transaction with the others of the moment. */
const FLUSH_AFTER_MS = 100;
const FLUSH_AT = 2000;
const PRUNE_EVERY_FLUSHES = 500;

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

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
  ) {}

  push(entry: NewInferenceLog): void {
    this.pending.push(entry);
    if (this.pending.length >= FLUSH_AT) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    let entries = this.pending;
    this.pending = [];
    let seqs: number[];
    try {
      seqs = this.store.inference.appendLogs(entries);
    } catch (error) {
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
