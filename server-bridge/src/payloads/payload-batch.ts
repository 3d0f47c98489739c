import { stagePayloadLogging } from '@emkit/shared';
import type Database from 'better-sqlite3';
import { EndpointsRepository } from '../store/endpoints.js';
import { type NewPayload, PayloadsRepository } from '../store/payloads.js';
import { type Captured, capped, Redaction, redactedField } from './capture.js';
import type { SampledCall } from './payload-wire.js';

const DAY_MS = 86_400_000;

/** Something the payload log's thread could not do, for the bridge's log. */
export type PayloadWarning = (message: string, error: unknown, rows?: number) => void;

/**
 * The payload log's writing half, on its own connection (the payload log's thread, see
 * openPayloadLogConnection): parses, redacts and caps each sampled call, writes a batch in one
 * transaction, and applies retention.
 */
export class PayloadBatchWriter {
  private readonly payloads: PayloadsRepository;
  private readonly endpoints: EndpointsRepository;

  constructor(
    private readonly db: Database.Database,
    private readonly warn: PayloadWarning,
  ) {
    this.payloads = new PayloadsRepository(db);
    this.endpoints = new EndpointsRepository(db);
  }

  write(calls: readonly SampledCall[]): void {
    if (calls.length === 0) return;
    // an endpoint deleted since: its rows go with it (prune takes those that slip past this)
    const gone = new Set<string>();
    const seen = new Set<string>();
    for (const call of calls) {
      if (seen.has(call.endpointId)) continue;
      seen.add(call.endpointId);
      if (!this.endpoints.exists(call.endpointId)) gone.add(call.endpointId);
    }
    const rows = (gone.size > 0 ? calls.filter((call) => !gone.has(call.endpointId)) : calls).map(rowOf);
    if (rows.length === 0) return;
    try {
      this.payloads.insert(rows);
    } catch (error) {
      this.warn('logged payloads could not be written', error, rows.length);
    }
  }

  /**
   * Copies both files' WALs back as far as no reader needs them: the payload log's own (its
   * commits do it too, past the WAL's limit) and the store's, which the bridge's connection
   * leaves to this thread while it runs (see Store.checkpointsOnCommit).
   */
  checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      this.warn('the payload log could not checkpoint the store', error);
    }
  }

  /**
   * Each stage with logged requests keeps its newest keepCount, none older than keepDays, as its
   * settings say now (a deleted stage's rows: the defaults; a deleted endpoint's: none).
   */
  prune(now = Date.now()): void {
    try {
      for (const stageId of this.payloads.stagesWithRows()) {
        const stage = this.endpoints.stage(stageId);
        const endpointId = stage ? stage.endpointId : this.payloads.endpointOf(stageId);
        if (endpointId !== undefined && !this.endpoints.exists(endpointId)) {
          this.payloads.deleteStage(stageId);
          continue;
        }
        const settings = stage?.payloadLogging ?? stagePayloadLogging(null);
        this.payloads.prune(stageId, settings.keepCount, new Date(now - settings.keepDays * DAY_MS).toISOString());
      }
    } catch (error) {
      this.warn('the payload log could not be pruned', error);
    }
  }
}

/** Each stage's settings are one object while they last: their redaction is made once for all their calls. */
const redactions = new WeakMap<readonly string[], Redaction>();

function redactionOf(names: readonly string[]): Redaction {
  let redaction = redactions.get(names);
  if (!redaction) {
    redaction = new Redaction(names);
    redactions.set(names, redaction);
  }
  return redaction;
}

/** A call as stored: redacted, then capped; what can't be walked safely is marked, never written half-redacted. */
export function rowOf(call: SampledCall): NewPayload {
  let instances: Captured;
  let predictions: Captured = { json: null, truncated: false };
  try {
    const { maxBytes } = call.settings;
    const names = redactionOf(call.settings.redact);
    instances = capped(redactedField(call.request, 'instances', names), maxBytes);
    if (call.status === 200) predictions = capped(redactedField(call.answer, 'predictions', names), maxBytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    instances = { json: JSON.stringify(`[not logged: ${reason}]`), truncated: true };
    predictions = { json: null, truncated: true };
  }
  // one literal of one shape: a spread of a partial row cost as much as the scan
  return {
    inferenceId: call.inferenceId,
    endpointId: call.endpointId,
    stageId: call.stageId,
    time: call.time,
    status: call.status,
    instances: instances.json,
    predictions: predictions.json,
    truncated: instances.truncated || predictions.truncated,
  };
}
