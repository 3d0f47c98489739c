import { Worker } from 'node:worker_threads';
import type { StagePayloadLogging } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { ThreadPort } from './payload-thread.js';
import { CallArena, type CapturedCall, type FromPayloadThread } from './payload-wire.js';

export type { CapturedCall } from './payload-wire.js';

/**
 * Sampled calls are sent to the payload log's thread at most this long after they were answered,
 * in one message with the others of the moment. Each message costs the gateway's thread a wake-up
 * of the other, and the thread one transaction, whose commit cost more than its rows at 20 ms;
 * nothing waits on it meanwhile (a read of the log sends what waits first).
 */
const SEND_AFTER_MS = 200;
const SEND_AT = 5000;
/** …or once the bodies kept reach this: large requests (up to the body limit each) must not pile up. */
const SEND_AT_BYTES = 8 * 1024 * 1024;
/**
 * What may wait to be written (in the gateway's batch and sent to the thread, not yet written)
 * before further calls are dropped, counted, not logged: a thread that falls behind (a slow
 * disk, a flood of large requests) must not take the bridge's memory with it.
 */
export const DEFAULT_QUEUE_BYTES = 64 * 1024 * 1024;
/** Dropped calls are said in the bridge's log at most this often. */
const SAY_DROPPED_EVERY_MS = 10_000;
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

/**
 * The real one: a worker thread with its own connection to the payload log of `file`, the
 * bridge's SQLite store (see openPayloadLogConnection);
 * it adds the bytes of each batch it is done with to `written` (an Int32 at 0).
 */
export function payloadWorker(file: string, written: SharedArrayBuffer): PayloadThread {
  // beside this file when built (dist/payloads/), beside the CLI bundle when bundled (dist/)
  return new Worker(new URL('./payload-log-worker.js', import.meta.url), { workerData: { file, written } });
}

/**
 * Payload logging, off the gateway's thread: `offer` only decides by the stage's sample rate and
 * copies the bodies into the batch; batches go to the payload log's thread, which parses, redacts,
 * caps and writes them (payload-log-worker.ts), so neither a request nor the gateway's CPU waits
 * on it. Past `maxQueuedBytes` waiting, calls are dropped and counted (`dropped`, the log).
 */
export class PayloadLogWriter {
  private arena = new CallArena();
  private timer: NodeJS.Timeout | null = null;
  /** bytes sent to the thread so far, and what it has written of them (int32s that wrap alike) */
  private sent = 0;
  private written = new Int32Array(new SharedArrayBuffer(4));
  private readonly droppedByStage = new Map<string, number>();
  private droppedUnsaid = 0;
  private sayTimer: NodeJS.Timeout | null = null;
  private readonly pruneTimer: NodeJS.Timeout;
  private thread: PayloadThread | null = null;
  private readonly waiting = new Map<number, () => void>();
  private nextFlush = 0;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly startThread: (written: SharedArrayBuffer) => PayloadThread = (written) =>
      payloadWorker(store.db.name, written),
    private readonly random: () => number = Math.random,
    private readonly maxQueuedBytes = DEFAULT_QUEUE_BYTES,
  ) {
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();
  }

  /** The gateway's call, for each answered request of a stage with payload logging on. */
  offer(settings: StagePayloadLogging, call: CapturedCall): void {
    if (!settings.enabled || this.closed) return;
    if (settings.sampleRate < 1 && this.random() >= settings.sampleRate) return;
    if (this.queued() + CallArena.sizeOf(call) > this.maxQueuedBytes) {
      this.drop(call.stageId);
      return;
    }
    this.arena.add(settings, call);
    if (this.arena.calls >= SEND_AT || this.arena.size >= SEND_AT_BYTES) this.send();
    else this.timer ??= setTimeout(() => this.send(), SEND_AFTER_MS);
  }

  /** Bytes of calls offered and not yet written: in the batch, and sent to the thread. */
  queued(): number {
    return this.arena.size + ((this.sent - Atomics.load(this.written, 0)) | 0);
  }

  /** Calls of these stages dropped since the bridge started, the queue being full. */
  dropped(stageIds: Iterable<string>): number {
    let count = 0;
    for (const id of stageIds) count += this.droppedByStage.get(id) ?? 0;
    return count;
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
    if (this.sayTimer) clearTimeout(this.sayTimer);
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
    const taken = this.arena.take();
    if (!taken) return;
    try {
      this.ensureThread().postMessage(taken.batch, taken.transfer);
      // counted once on its way: one that never left must not hold the queue full for ever
      this.sent = (this.sent + taken.batch.length) | 0;
    } catch (error) {
      this.log.warn({ err: error, rows: taken.batch.count }, 'logged payloads could not be written');
    }
  }

  private drop(stageId: string): void {
    this.droppedByStage.set(stageId, (this.droppedByStage.get(stageId) ?? 0) + 1);
    this.droppedUnsaid += 1;
    if (!this.sayTimer) this.sayDropped();
  }

  /** The calls dropped since it last said so, then again in a while if more are. */
  private sayDropped(): void {
    this.sayTimer = null;
    if (this.droppedUnsaid === 0) return;
    this.log.warn(
      { dropped: this.droppedUnsaid, queuedBytes: this.queued(), maxQueuedBytes: this.maxQueuedBytes },
      'the payload log is behind: its queue is full, so sampled calls are dropped, not logged',
    );
    this.droppedUnsaid = 0;
    this.sayTimer = setTimeout(() => this.sayDropped(), SAY_DROPPED_EVERY_MS).unref();
  }

  private ensureThread(): PayloadThread {
    if (this.thread) return this.thread;
    // a new thread counts from nothing: what the last one had not written is lost with it
    const written = new SharedArrayBuffer(4);
    this.written = new Int32Array(written);
    this.sent = 0;
    const thread = this.startThread(written);
    thread.on('message', (raw) => {
      const message = raw as FromPayloadThread;
      if (message.type === 'flushed') this.done(message.id);
      else this.log.warn({ err: message.error, rows: message.rows }, message.message);
    });
    thread.on('error', (error) => this.log.warn({ err: error }, 'the payload log thread failed'));
    thread.on('exit', () => {
      // what was sent and not yet written is lost with it; a read waits no longer, the next call starts another
      if (this.thread === thread) {
        this.thread = null;
        this.sent = Atomics.load(this.written, 0);
      }
      // none runs now (closed, or gone): the bridge's commits checkpoint again
      if (this.thread === null) this.store.checkpointsOnCommit(true);
      for (const id of [...this.waiting.keys()]) this.done(id);
    });
    thread.unref?.();
    this.thread = thread;
    // the thread copies the WAL back (it writes the most of it): a commit of the gateway's that did would hold its thread for milliseconds
    this.store.checkpointsOnCommit(false);
    return thread;
  }

  private done(id: number): void {
    this.waiting.get(id)?.();
    this.waiting.delete(id);
    if (this.waiting.size === 0 && !this.closed) this.thread?.unref?.();
  }
}
