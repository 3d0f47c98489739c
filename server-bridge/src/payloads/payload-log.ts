import { type StagePayloadLogging, stagePayloadLogging } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import type { NewPayload } from '../store/payloads.js';
import { capped, checkDepth, fieldOf, redact } from './capture.js';

/** Logged requests wait at most this long to be written, in one transaction with the others of the moment. */
const FLUSH_AFTER_MS = 200;
const FLUSH_AT = 1000;
/** …or once the bodies kept reach this: large requests (up to the body limit each) must not pile up. */
const FLUSH_AT_BYTES = 8 * 1024 * 1024;
/** Retention (count and age) is applied this often, to every stage with logged requests. */
const PRUNE_EVERY_MS = 60_000;
const DAY_MS = 86_400_000;

/** One call as the gateway hands it over: the worker's request and answer bodies, still unread. */
export interface CapturedCall {
  endpointId: string;
  stageId: string;
  inferenceId: string;
  time: string;
  status: number;
  /** the worker's `{"instances"}` body */
  request: Buffer;
  /** the worker's answer (`{"predictions"}` on a 200), before any protocol's conversion */
  answer: Buffer | null;
}

interface Pending extends CapturedCall {
  settings: StagePayloadLogging;
}

/**
 * Payload logging, off the gateway's path: `offer` only decides by the stage's sample rate and
 * keeps the bodies; parsing, redaction, the size cap and the SQLite write happen in batches a
 * moment later (one transaction for all of them), so a request never waits on any of it.
 */
export class PayloadLogWriter {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    private readonly random: () => number = Math.random,
  ) {
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();
  }

  /** The gateway's call, for each answered request of a stage with payload logging on. */
  offer(settings: StagePayloadLogging, call: CapturedCall): void {
    if (!settings.enabled) return;
    if (settings.sampleRate < 1 && this.random() >= settings.sampleRate) return;
    this.pending.push({ ...call, settings });
    this.pendingBytes += call.request.length + (call.answer?.length ?? 0);
    if (this.pending.length >= FLUSH_AT || this.pendingBytes >= FLUSH_AT_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flushOnTimer(), FLUSH_AFTER_MS);
  }

  /** Write what waits now (feedback calls this first, so a label may follow its prediction at once). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const calls = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    const rows = calls.map((call) => this.rowOf(call));
    try {
      this.store.payloads.insert(rows);
    } catch (error) {
      // an endpoint deleted since: its rows go with it, the others are kept
      const known = rows.filter((row) => this.store.endpoints.get(row.endpointId));
      if (known.length === rows.length || known.length === 0) {
        if (known.length > 0) this.log.warn({ err: error, rows: rows.length }, 'logged payloads could not be written');
        return;
      }
      this.store.payloads.insert(known);
    }
  }

  /** A timer's flush has no caller to tell: a failure is logged, never thrown at the process. */
  private flushOnTimer(): void {
    try {
      this.flush();
    } catch (error) {
      this.log.warn({ err: error }, 'logged payloads could not be written');
    }
  }

  private rowOf(call: Pending): NewPayload {
    const row = {
      inferenceId: call.inferenceId,
      endpointId: call.endpointId,
      stageId: call.stageId,
      time: call.time,
      status: call.status,
    };
    try {
      const { maxBytes } = call.settings;
      const names = new Set(call.settings.redact);
      const logged = (value: unknown) => {
        checkDepth(value);
        return capped(redact(value, names), maxBytes);
      };
      const instances = logged(fieldOf(call.request, 'instances'));
      const predictions = call.status === 200 ? logged(fieldOf(call.answer, 'predictions')) : { json: null, truncated: false };
      return {
        ...row,
        instances: instances.json,
        predictions: predictions.json,
        truncated: instances.truncated || predictions.truncated,
      };
    } catch (error) {
      // what can't be walked safely is marked, never written half-redacted
      const reason = error instanceof Error ? error.message : String(error);
      return { ...row, instances: JSON.stringify(`[not logged: ${reason}]`), predictions: null, truncated: true };
    }
  }

  /**
   * Each stage with logged requests keeps its newest keepCount, none older than keepDays, as its
   * settings say now (a deleted stage's rows: the defaults).
   */
  prune(now = Date.now()): void {
    try {
      for (const stageId of this.store.payloads.stagesWithRows()) {
        const settings = this.store.endpoints.stage(stageId)?.payloadLogging ?? stagePayloadLogging(null);
        this.store.payloads.prune(stageId, settings.keepCount, new Date(now - settings.keepDays * DAY_MS).toISOString());
      }
    } catch (error) {
      this.log.warn({ err: error }, 'the payload log could not be pruned');
    }
  }

  close(): void {
    this.flush();
    clearInterval(this.pruneTimer);
  }
}
