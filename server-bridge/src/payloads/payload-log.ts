import { Worker } from 'node:worker_threads';
import type { StagePayloadLogging } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { ThreadPort } from './payload-thread.js';
import { type CapturedCall, encodeBatch, type FromPayloadThread, type SampledCall } from './payload-wire.js';

export type { CapturedCall } from './payload-wire.js';

/**
 * Sampled calls are sent to the payload log's thread at most this long after they were answered,
 * in one message with the others of the moment (each message costs the gateway's thread a little).
 */
const SEND_AFTER_MS = 20;
const SEND_AT = 1000;
/** …or once the bodies kept reach this: large requests (up to the body limit each) must not pile up. */
const SEND_AT_BYTES = 8 * 1024 * 1024;
/** Retention (count and age) is applied this often, to every stage with logged requests. */
const PRUNE_EVERY_MS = 60_000;

/** The payload log's thread as the writer sees it: started on first use, ended by `close`. */
export interface PayloadThread extends ThreadPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  /** a thread kept alive only while the bridge waits on it: it alone must not hold a process open */
  ref?(): void;
  unref?(): void;
}

/** The real one: a worker thread with its own connection to `file`, the bridge's SQLite store. */
export function payloadWorker(file: string): PayloadThread {
  // beside this file when built (dist/payloads/), beside the CLI bundle when bundled (dist/)
  return new Worker(new URL('./payload-log-worker.js', import.meta.url), { workerData: { file } });
}

/**
 * Payload logging, off the gateway's thread: `offer` only decides by the stage's sample rate and
 * keeps the bodies; they go in batches to the payload log's thread, which parses, redacts, caps
 * and writes them (payload-log-worker.ts), so neither a request nor the gateway's CPU waits on it.
 */
export class PayloadLogWriter {
  private pending: SampledCall[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly pruneTimer: NodeJS.Timeout;
  private thread: PayloadThread | null = null;
  private readonly waiting = new Map<number, () => void>();
  private nextFlush = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly startThread: () => PayloadThread = () => payloadWorker(store.db.name),
    private readonly random: () => number = Math.random,
  ) {
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();
  }

  /** The gateway's call, for each answered request of a stage with payload logging on. */
  offer(settings: StagePayloadLogging, call: CapturedCall): void {
    if (!settings.enabled || this.closed) return;
    if (settings.sampleRate < 1 && this.random() >= settings.sampleRate) return;
    this.pending.push({ ...call, settings });
    this.pendingBytes += call.request.length + (call.answer?.length ?? 0);
    if (this.pending.length >= SEND_AT || this.pendingBytes >= SEND_AT_BYTES) this.send();
    else this.timer ??= setTimeout(() => this.send(), SEND_AFTER_MS);
  }

  /**
   * Resolves once every call offered before it is written (or given up, logged): what a read of
   * the payload log awaits first, so feedback may follow its prediction at once.
   */
  flush(): Promise<void> {
    this.send();
    const thread = this.thread;
    if (!thread) return Promise.resolve();
    const id = this.nextFlush++;
    return new Promise((resolve) => {
      if (this.waiting.size === 0) thread.ref?.();
      this.waiting.set(id, resolve);
      thread.postMessage({ type: 'flush', id });
    });
  }

  /** Retention, done on the thread; started for it only when the log has rows (a bridge restarted with some). */
  prune(now = Date.now()): void {
    try {
      if (!this.thread && (this.closed || this.store.payloads.stagesWithRows().length === 0)) return;
      this.ensureThread().postMessage({ type: 'prune', now });
    } catch (error) {
      this.log.warn({ err: error }, 'the payload log could not be pruned');
    }
  }

  /** Writes what waits, then ends the thread. */
  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    // calls offered from now on are not taken (the gateway has stopped by then)
    this.closed = true;
    await this.flush();
    const thread = this.thread;
    if (!thread) return;
    this.thread = null;
    await new Promise<void>((resolve) => {
      thread.on('exit', () => resolve());
      thread.ref?.();
      thread.postMessage({ type: 'close' });
    });
  }

  private send(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const calls = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      const { batch, transfer } = encodeBatch(calls);
      this.ensureThread().postMessage(batch, transfer);
    } catch (error) {
      this.log.warn({ err: error, rows: calls.length }, 'logged payloads could not be written');
    }
  }

  private ensureThread(): PayloadThread {
    if (this.thread) return this.thread;
    const thread = this.startThread();
    thread.on('message', (raw) => {
      const message = raw as FromPayloadThread;
      if (message.type === 'flushed') this.done(message.id);
      else this.log.warn({ err: message.error, rows: message.rows }, message.message);
    });
    thread.on('error', (error) => this.log.warn({ err: error }, 'the payload log thread failed'));
    thread.on('exit', () => {
      // what was sent and not yet written is lost with it; a read waits no longer, the next call starts another
      if (this.thread === thread) this.thread = null;
      for (const id of [...this.waiting.keys()]) this.done(id);
    });
    thread.unref?.();
    this.thread = thread;
    return thread;
  }

  private done(id: number): void {
    this.waiting.get(id)?.();
    this.waiting.delete(id);
    if (this.waiting.size === 0 && !this.closed) this.thread?.unref?.();
  }
}
