import {
  type FeedbackBody,
  type FeedbackItem,
  type FeedbackResult,
  type InferencePayload,
  type InferencePayloadList,
  PayloadQuery,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { HttpError, notFound } from '../server/errors.js';
import type { EndpointRecord, StageRecord } from '../store/endpoints.js';
import type { NewFeedback } from '../store/feedback.js';
import type { Store } from '../store/index.js';
import type { PayloadRecord } from '../store/payloads.js';
import { PayloadLogWriter } from './payload-log.js';

const DEFAULT_LIMIT = PayloadQuery.properties.limit.default as number;
/** One answer holds at most this much logged JSON text; fewer rows then, the newest. */
export const PAYLOADS_ANSWER_CHARS = 32 * 1024 * 1024;
/** How many unknown ids a 404 names before "and N more". */
const NAMED_UNKNOWN = 5;

const isLabel = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/**
 * The payload log as the API reads it (GET /endpoints/{id}/payloads), and the ground truth sent
 * back for it (POST /endpoints/{id}/feedback): each label joined to the prediction it judges.
 */
export class PayloadService {
  readonly writer: PayloadLogWriter;

  constructor(
    private readonly store: Store,
    log: FastifyBaseLogger,
    maxQueuedBytes?: number,
  ) {
    this.writer = new PayloadLogWriter(store, log, undefined, undefined, maxQueuedBytes);
  }

  endpoint(key: string): EndpointRecord {
    const endpoint = this.store.endpoints.get(key);
    if (!endpoint) throw notFound('endpoint', key);
    return endpoint;
  }

  stage(endpoint: EndpointRecord, name: string): StageRecord {
    const stage = this.store.endpoints.stages(endpoint.id).find((s) => s.name === name);
    if (!stage) throw notFound('stage', `${endpoint.name}/${name}`);
    return stage;
  }

  async list(key: string, query: PayloadQuery | undefined): Promise<InferencePayloadList> {
    const endpoint = this.endpoint(key);
    const stageId = query?.stage ? this.stage(endpoint, query.stage).id : undefined;
    const since = isoOf(query?.since, 'since');
    const until = isoOf(query?.until, 'until');
    if (since && until && since >= until) {
      throw new HttpError(400, 'validation', 'querystring.until: must be later than since', 'until');
    }
    // a read sees every call answered before it
    await this.writer.flush();
    const rows = this.store.payloads.list(
      endpoint.id,
      {
        stageId,
        inferenceId: query?.inferenceId,
        since,
        until,
        after: query?.after,
        limit: query?.limit ?? DEFAULT_LIMIT,
      },
      PAYLOADS_ANSWER_CHARS,
    );
    const stageIds = stageId ? [stageId] : this.store.endpoints.stages(endpoint.id).map((s) => s.id);
    return { items: rows.map(present), dropped: this.writer.dropped(stageIds) };
  }

  /**
   * Every label joined to its logged prediction, all kept in one transaction or none: an
   * unknown inferenceId is a 404 naming it (and counted), an instance the answer has no
   * prediction for a 422 naming the item.
   */
  async feedback(key: string, body: FeedbackBody): Promise<FeedbackResult> {
    const endpoint = this.endpoint(key);
    const items: FeedbackItem[] = 'items' in body ? body.items : [body as FeedbackItem];
    const single = !('items' in body);
    const field = (i: number, name: string) => (single ? name : `items[${i}].${name}`);
    // a label may follow its prediction at once: what waits to be written is written first
    await this.writer.flush();
    const rows: NewFeedback[] = [];
    const unknown: string[] = [];
    items.forEach((item, i) => {
      if (!isLabel(item.label)) {
        throw new HttpError(
          400,
          'validation',
          `${field(i, 'label')}: must be a string, a finite number or a boolean`,
          field(i, 'label'),
        );
      }
      const logged = this.store.payloads.byInference(endpoint.id, item.inferenceId);
      if (!logged) {
        unknown.push(item.inferenceId);
        return;
      }
      const index = item.index ?? 0;
      rows.push({
        endpointId: endpoint.id,
        stageId: logged.stageId,
        inferenceId: item.inferenceId,
        index,
        label: JSON.stringify(item.label),
        prediction: JSON.stringify(this.predictionAt(logged, index, field(i, 'index'))),
        time: logged.time,
      });
    });
    if (unknown.length > 0) {
      this.store.feedback.countUnmatched(endpoint.id, unknown.length);
      const named = unknown.slice(0, NAMED_UNKNOWN).map((id) => `"${id}"`);
      const more = unknown.length > NAMED_UNKNOWN ? ` and ${unknown.length - NAMED_UNKNOWN} more` : '';
      throw new HttpError(
        404,
        'not_found',
        `no logged prediction of endpoint "${endpoint.name}" has inferenceId ${named.join(', ')}${more} (payload logging off, not sampled, or pruned); nothing was kept`,
        single ? 'inferenceId' : 'items',
      );
    }
    this.store.feedback.save(rows);
    return { accepted: rows.length };
  }

  private predictionAt(logged: PayloadRecord, index: number, field: string): unknown {
    const why =
      logged.status !== 200
        ? `was answered with status ${logged.status}, no predictions`
        : logged.truncated
          ? 'was logged truncated (over maxBytes), its predictions cut'
          : null;
    if (why) throw new HttpError(422, 'unprocessable', `inference "${logged.inferenceId}" ${why}`, field);
    const predictions = logged.predictions === null ? null : (JSON.parse(logged.predictions) as unknown);
    if (!Array.isArray(predictions) || index >= predictions.length) {
      const size = Array.isArray(predictions) ? predictions.length : 0;
      throw new HttpError(
        422,
        'unprocessable',
        `${field}: inference "${logged.inferenceId}" has ${size} prediction(s), no index ${index}`,
        field,
      );
    }
    return predictions[index];
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}

/** A query's time as stored (UTC, milliseconds), so text comparison is time order; one JavaScript can't read is a 400. */
function isoOf(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) {
    throw new HttpError(400, 'validation', `querystring.${field}: not a time this bridge can read (${value})`, field);
  }
  return time.toISOString();
}

function present(row: PayloadRecord): InferencePayload {
  return {
    seq: row.seq,
    inferenceId: row.inferenceId,
    endpointId: row.endpointId,
    endpointStageId: row.stageId,
    stage: row.stage ?? row.stageId,
    time: row.time,
    status: row.status,
    instances: row.instances === null ? null : (JSON.parse(row.instances) as unknown),
    predictions: row.predictions === null ? null : (JSON.parse(row.predictions) as unknown),
    truncated: row.truncated,
  };
}
