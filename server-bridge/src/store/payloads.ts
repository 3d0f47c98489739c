import type Database from 'better-sqlite3';

interface PayloadRow {
  seq: number;
  inference_id: string;
  endpoint_id: string;
  stage_id: string;
  stage: string | null;
  time: string;
  status: number;
  instances: string | null;
  predictions: string | null;
  truncated: number;
}

/** A logged request as written: instances and predictions already redacted, capped and serialised (JSON text). */
export interface NewPayload {
  inferenceId: string;
  endpointId: string;
  stageId: string;
  /** ISO time of the request */
  time: string;
  status: number;
  /** JSON text; when truncated, the JSON text of the cut string */
  instances: string | null;
  /** JSON text; null for an error answer */
  predictions: string | null;
  truncated: boolean;
}

/** A logged request as read back: the JSON text still unparsed, and its stage's name (null once the stage is gone). */
export interface PayloadRecord extends NewPayload {
  seq: number;
  stage: string | null;
}

/** One untruncated logged request's inputs, for drift: `instances` is JSON text (an array, one input per prediction). */
export interface LoggedInstances {
  seq: number;
  inferenceId: string;
  time: string;
  instances: string;
  predictions: string | null;
}

export interface PayloadFilter {
  stageId?: string;
  inferenceId?: string;
  since?: string;
  until?: string;
  after?: number;
  limit: number;
}

const toRecord = (row: PayloadRow): PayloadRecord => ({
  seq: row.seq,
  inferenceId: row.inference_id,
  endpointId: row.endpoint_id,
  stageId: row.stage_id,
  stage: row.stage,
  time: row.time,
  status: row.status,
  instances: row.instances,
  predictions: row.predictions,
  truncated: row.truncated === 1,
});

/**
 * The payload log (`inference_payloads`): what stages with payload logging on were sent and
 * answered. Written in batches (one transaction for many requests, see PayloadLogWriter), read
 * by the payloads route, feedback (to join a label to its prediction) and drift (`instancesBetween`).
 */
export class PayloadsRepository {
  private readonly insertRow;
  private readonly insertRows;
  private readonly selectPage;
  private readonly selectBetween;
  private readonly selectByInference;
  private readonly countOf;
  private readonly selectStages;
  private readonly pruneOlder;
  private readonly pruneOver;
  private readonly selectEndpointOf;
  private readonly deleteStageRows;
  private readonly deleteEndpointRows;

  constructor(db: Database.Database) {
    // positional: binding named parameters from a copy of each row cost more than the insert
    this.insertRow = db.prepare<[string, string, string, string, number, string | null, string | null, number]>(
      `INSERT INTO inference_payloads (inference_id, endpoint_id, stage_id, time, status, instances, predictions, truncated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRows = db.transaction((rows: readonly NewPayload[]) =>
      rows.map((row) =>
        Number(
          this.insertRow.run(
            row.inferenceId,
            row.endpointId,
            row.stageId,
            row.time,
            row.status,
            row.instances,
            row.predictions,
            row.truncated ? 1 : 0,
          ).lastInsertRowid,
        ),
      ),
    );
    this.selectPage = db.prepare<
      {
        endpointId: string;
        stageId: string | null;
        inferenceId: string | null;
        since: string | null;
        until: string | null;
        after: number;
        limit: number;
      },
      PayloadRow
    >(
      `SELECT p.*, s.name AS stage FROM inference_payloads p LEFT JOIN endpoint_stages s ON s.id = p.stage_id
         WHERE p.endpoint_id = @endpointId AND p.seq > @after
         AND (@stageId IS NULL OR p.stage_id = @stageId) AND (@inferenceId IS NULL OR p.inference_id = @inferenceId)
         AND (@since IS NULL OR p.time >= @since) AND (@until IS NULL OR p.time < @until)
         ORDER BY p.seq DESC LIMIT @limit`,
    );
    this.selectBetween = db.prepare<
      { stageId: string; start: string; end: string },
      { seq: number; inference_id: string; time: string; instances: string; predictions: string | null }
    >(
      `SELECT seq, inference_id, time, instances, predictions FROM inference_payloads
       WHERE stage_id = @stageId AND time >= @start AND time < @end AND truncated = 0 AND instances IS NOT NULL
       ORDER BY time, seq`,
    );
    this.selectByInference = db.prepare<[string, string], PayloadRow>(
      `SELECT p.*, s.name AS stage FROM inference_payloads p LEFT JOIN endpoint_stages s ON s.id = p.stage_id
       WHERE p.inference_id = ? AND p.endpoint_id = ? ORDER BY p.seq DESC LIMIT 1`,
    );
    this.countOf = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM inference_payloads WHERE stage_id = ?');
    this.selectStages = db.prepare<[], { stage_id: string }>('SELECT DISTINCT stage_id FROM inference_payloads');
    this.pruneOlder = db.prepare<[string, string]>('DELETE FROM inference_payloads WHERE stage_id = ? AND time < ?');
    this.pruneOver = db.prepare<{ stageId: string; keep: number }>(
      `DELETE FROM inference_payloads WHERE stage_id = @stageId AND seq <= (
         SELECT seq FROM inference_payloads WHERE stage_id = @stageId ORDER BY seq DESC LIMIT 1 OFFSET @keep)`,
    );
    this.selectEndpointOf = db.prepare<[string], { endpoint_id: string }>(
      'SELECT endpoint_id FROM inference_payloads WHERE stage_id = ? LIMIT 1',
    );
    this.deleteStageRows = db.prepare<[string]>('DELETE FROM inference_payloads WHERE stage_id = ?');
    this.deleteEndpointRows = db.prepare<[string]>('DELETE FROM inference_payloads WHERE endpoint_id = ?');
  }

  /** Many rows in one transaction (the gateway's batches); answers their seq, in order. */
  insert(rows: readonly NewPayload[]): number[] {
    return this.insertRows(rows);
  }

  /**
   * Newest `limit` matching rows, oldest first (`until` exclusive), and no more of them than fit
   * in `maxChars` of instances and predictions (the newest always): 5,000 rows of 1 MiB each
   * would otherwise be one answer of gigabytes.
   */
  list(endpointId: string, filter: PayloadFilter, maxChars = Number.POSITIVE_INFINITY): PayloadRecord[] {
    const rows: PayloadRecord[] = [];
    let chars = 0;
    const newestFirst = this.selectPage.iterate({
      endpointId,
      stageId: filter.stageId ?? null,
      inferenceId: filter.inferenceId ?? null,
      since: filter.since ?? null,
      until: filter.until ?? null,
      after: filter.after ?? 0,
      limit: filter.limit,
    });
    for (const row of newestFirst) {
      chars += (row.instances?.length ?? 0) + (row.predictions?.length ?? 0);
      if (rows.length > 0 && chars > maxChars) break;
      rows.push(toRecord(row));
    }
    return rows.reverse();
  }

  /** The logged request of an inference id on an endpoint, if it was logged (and is still kept). */
  byInference(endpointId: string, inferenceId: string): PayloadRecord | undefined {
    const row = this.selectByInference.get(inferenceId, endpointId);
    return row ? toRecord(row) : undefined;
  }

  /**
   * A stage's logged inputs with `start <= time < end` (ISO times), oldest first: what a drift
   * window reads. Truncated requests are left out (their instances are no longer JSON).
   */
  instancesBetween(stageId: string, start: string, end: string): LoggedInstances[] {
    return this.selectBetween.all({ stageId, start, end }).map((row) => ({
      seq: row.seq,
      inferenceId: row.inference_id,
      time: row.time,
      instances: row.instances,
      predictions: row.predictions,
    }));
  }

  count(stageId: string): number {
    return this.countOf.get(stageId)?.n ?? 0;
  }

  /** The stages that have logged rows (retention looks at each). */
  stagesWithRows(): string[] {
    return this.selectStages.all().map((row) => row.stage_id);
  }

  /** The endpoint whose stage logged these rows (all of a stage's rows are of one endpoint). */
  endpointOf(stageId: string): string | undefined {
    return this.selectEndpointOf.get(stageId)?.endpoint_id;
  }

  /** All of a stage's rows. */
  deleteStage(stageId: string): void {
    this.deleteStageRows.run(stageId);
  }

  /** All of an endpoint's rows, its deleted stages' too (the log's file is out of reach of the store's foreign keys). */
  deleteEndpoint(endpointId: string): void {
    this.deleteEndpointRows.run(endpointId);
  }

  /** Retention: a stage keeps its newest `keepCount` rows, none older than `before` (ISO). */
  prune(stageId: string, keepCount: number, before: string): void {
    this.pruneOlder.run(stageId, before);
    this.pruneOver.run({ stageId, keep: keepCount });
  }
}
