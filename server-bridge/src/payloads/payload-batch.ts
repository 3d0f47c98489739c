import { stagePayloadLogging } from '@emkit/shared';
import type Database from 'better-sqlite3';
import { EndpointsRepository } from '../store/endpoints.js';
import { type NewPayload, PayloadsRepository } from '../store/payloads.js';
import { capped, fieldOf, redactInPlace } from './capture.js';
import type { SampledCall } from './payload-wire.js';

const DAY_MS = 86_400_000;

/** Something the payload log's thread could not do, for the bridge's log. */
export type PayloadWarning = (message: string, error: unknown, rows?: number) => void;

/**
 * The payload log's writing half, on its own connection (the payload log's thread): parses,
 * redacts and caps each sampled call, writes a batch in one transaction, and applies retention.
 */
export class PayloadBatchWriter {
  private readonly payloads: PayloadsRepository;
  private readonly endpoints: EndpointsRepository;

  constructor(
    db: Database.Database,
    private readonly warn: PayloadWarning,
  ) {
    this.payloads = new PayloadsRepository(db);
    this.endpoints = new EndpointsRepository(db);
  }

  write(calls: readonly SampledCall[]): void {
    if (calls.length === 0) return;
    const rows = calls.map(rowOf);
    try {
      this.payloads.insert(rows);
    } catch (error) {
      // an endpoint deleted since: its rows go with it, the others are kept
      const known = rows.filter((row) => this.endpoints.get(row.endpointId));
      if (known.length === rows.length || known.length === 0) {
        if (known.length > 0) this.warn('logged payloads could not be written', error, rows.length);
        return;
      }
      try {
        this.payloads.insert(known);
      } catch (again) {
        this.warn('logged payloads could not be written', again, known.length);
      }
    }
  }

  /**
   * Each stage with logged requests keeps its newest keepCount, none older than keepDays, as its
   * settings say now (a deleted stage's rows: the defaults).
   */
  prune(now = Date.now()): void {
    try {
      for (const stageId of this.payloads.stagesWithRows()) {
        const settings = this.endpoints.stage(stageId)?.payloadLogging ?? stagePayloadLogging(null);
        this.payloads.prune(stageId, settings.keepCount, new Date(now - settings.keepDays * DAY_MS).toISOString());
      }
    } catch (error) {
      this.warn('the payload log could not be pruned', error);
    }
  }
}

/** A call as stored: redacted, then capped; what can't be walked safely is marked, never written half-redacted. */
export function rowOf(call: SampledCall): NewPayload {
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
    // each body is parsed here for this row alone: redacted in place, no copy
    const logged = (value: unknown) => {
      redactInPlace(value, names);
      return capped(value, maxBytes);
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
    const reason = error instanceof Error ? error.message : String(error);
    return { ...row, instances: JSON.stringify(`[not logged: ${reason}]`), predictions: null, truncated: true };
  }
}
