import type { InferenceLog, StageMinute } from '@emkit/shared';
import type Database from 'better-sqlite3';

interface MinuteRow {
  stage_id: string;
  stage: string;
  minute: string;
  count: number;
  errors: number;
  server_errors: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max_in_flight: number;
}

interface LogRow {
  seq: number;
  endpoint_id: string;
  stage_id: string;
  inference_id: string;
  action: InferenceLog['action'];
  model_name: string;
  log_level: InferenceLog['logLevel'];
  body: string;
  status: number | null;
  latency_ms: number | null;
  time: string;
}

const toMinute = (row: MinuteRow): StageMinute => ({
  stageId: row.stage_id,
  stage: row.stage,
  minute: row.minute,
  count: row.count,
  errors: row.errors,
  serverErrors: row.server_errors,
  p50: row.p50,
  p90: row.p90,
  p99: row.p99,
  maxInFlight: row.max_in_flight,
});

const toLog = (row: LogRow): InferenceLog => ({
  seq: row.seq,
  category: 'easymaker.inference',
  endpointId: row.endpoint_id,
  endpointStageId: row.stage_id,
  inferenceId: row.inference_id,
  action: row.action,
  modelName: row.model_name,
  logLevel: row.log_level,
  body: row.body,
  status: row.status,
  latencyMs: row.latency_ms,
  time: row.time,
});

export type NewInferenceLog = Omit<InferenceLog, 'seq' | 'category'> & { stage: string };

/** How many inference log entries are kept, all endpoints together; older ones are pruned. */
export const INFERENCE_LOGS_KEPT = 500_000;

/** Per-minute traffic of the stages and the inference logs: written in batches by the gateway, read by the API. */
export class InferenceRepository {
  private readonly insertMinuteRow;
  private readonly minutesSince;
  private readonly insertLogRow;
  private readonly insertLogs;
  private readonly selectLogs;
  private readonly head;
  private readonly pruneBefore;

  constructor(db: Database.Database) {
    this.insertMinuteRow = db.prepare(
      `INSERT INTO endpoint_stats (endpoint_id, stage_id, stage, minute, count, errors, server_errors, p50, p90, p99, max_in_flight)
       VALUES (@endpointId, @stageId, @stage, @minute, @count, @errors, @serverErrors, @p50, @p90, @p99, @maxInFlight)
       ON CONFLICT (stage_id, minute) DO UPDATE SET count = excluded.count, errors = excluded.errors,
         server_errors = excluded.server_errors, p50 = excluded.p50, p90 = excluded.p90, p99 = excluded.p99,
         max_in_flight = excluded.max_in_flight`,
    );
    this.minutesSince = db.prepare<{ endpointId: string; since: string; stage: string | null }, MinuteRow>(
      `SELECT * FROM endpoint_stats WHERE endpoint_id = @endpointId AND minute >= @since AND (@stage IS NULL OR stage = @stage)
       ORDER BY minute, stage`,
    );
    this.insertLogRow = db.prepare<NewInferenceLog>(
      `INSERT INTO inference_logs (endpoint_id, stage_id, stage, inference_id, action, model_name, log_level, body, status,
         latency_ms, time)
       VALUES (@endpointId, @endpointStageId, @stage, @inferenceId, @action, @modelName, @logLevel, @body, @status, @latencyMs,
         @time)`,
    );
    this.insertLogs = db.transaction((entries: readonly NewInferenceLog[]) =>
      entries.map((entry) => Number(this.insertLogRow.run(entry).lastInsertRowid)),
    );
    this.selectLogs = db.prepare<
      {
        endpointId: string;
        stage: string | null;
        inferenceId: string | null;
        level: string | null;
        after: number;
        limit: number;
      },
      LogRow
    >(
      `SELECT * FROM (SELECT * FROM inference_logs WHERE endpoint_id = @endpointId AND seq > @after
         AND (@stage IS NULL OR stage = @stage) AND (@inferenceId IS NULL OR inference_id = @inferenceId)
         AND (@level IS NULL OR log_level = @level)
         ORDER BY seq DESC LIMIT @limit) ORDER BY seq`,
    );
    this.head = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM inference_logs');
    this.pruneBefore = db.prepare<[number]>('DELETE FROM inference_logs WHERE seq <= ?');
  }

  saveMinute(endpointId: string, minute: StageMinute): void {
    this.insertMinuteRow.run({ endpointId, ...minute });
  }

  minutes(endpointId: string, since: string, stage?: string): StageMinute[] {
    return this.minutesSince.all({ endpointId, since, stage: stage ?? null }).map(toMinute);
  }

  /** One transaction for the batch; answers the entries' seq, in order. */
  appendLogs(entries: readonly NewInferenceLog[]): number[] {
    return this.insertLogs(entries);
  }

  logs(
    endpointId: string,
    query: { stage?: string; inferenceId?: string; level?: string; after?: number; limit: number },
  ): InferenceLog[] {
    return this.selectLogs
      .all({
        endpointId,
        stage: query.stage ?? null,
        inferenceId: query.inferenceId ?? null,
        level: query.level ?? null,
        after: query.after ?? 0,
        limit: query.limit,
      })
      .map(toLog);
  }

  prune(keep = INFERENCE_LOGS_KEPT): void {
    const head = this.head.get()?.seq ?? 0;
    if (head > keep) this.pruneBefore.run(head - keep);
  }
}
