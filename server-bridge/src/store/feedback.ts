import type Database from 'better-sqlite3';

/** A true label joined to the prediction it judges (both as JSON text). */
export interface NewFeedback {
  endpointId: string;
  stageId: string;
  inferenceId: string;
  index: number;
  label: string;
  prediction: string;
  /** when the prediction was made: what quality windows go by */
  time: string;
}

export interface LabelledPrediction {
  label: unknown;
  prediction: unknown;
  time: string;
}

/**
 * Ground truth sent back for logged predictions (`inference_feedback`), and the count of labels
 * refused for an unknown inferenceId. A second label for the same instance replaces the first.
 */
export class FeedbackRepository {
  private readonly upsertRow;
  private readonly upsertRows;
  private readonly selectBetween;
  private readonly selectNewest;
  private readonly bumpUnmatched;
  private readonly selectUnmatched;

  constructor(db: Database.Database) {
    this.upsertRow = db.prepare<NewFeedback & { receivedAt: string }>(
      `INSERT INTO inference_feedback (endpoint_id, stage_id, inference_id, idx, label, prediction, time, received_at)
       VALUES (@endpointId, @stageId, @inferenceId, @index, @label, @prediction, @time, @receivedAt)
       ON CONFLICT (inference_id, idx) DO UPDATE SET label = excluded.label, received_at = excluded.received_at`,
    );
    this.upsertRows = db.transaction((rows: readonly NewFeedback[]) => {
      const receivedAt = new Date().toISOString();
      for (const row of rows) this.upsertRow.run({ ...row, receivedAt });
    });
    this.selectBetween = db.prepare<
      { stageId: string; start: string; end: string },
      { label: string; prediction: string; time: string }
    >(
      `SELECT label, prediction, time FROM inference_feedback
       WHERE stage_id = @stageId AND time >= @start AND time < @end ORDER BY time, seq`,
    );
    this.selectNewest = db.prepare<[string], { time: string | null }>(
      'SELECT max(time) AS time FROM inference_feedback WHERE stage_id = ?',
    );
    this.bumpUnmatched = db.prepare<{ endpointId: string; count: number }>(
      `INSERT INTO feedback_unmatched (endpoint_id, count) VALUES (@endpointId, @count)
       ON CONFLICT (endpoint_id) DO UPDATE SET count = count + excluded.count`,
    );
    this.selectUnmatched = db.prepare<[string], { count: number }>('SELECT count FROM feedback_unmatched WHERE endpoint_id = ?');
  }

  /** All in one transaction: kept together or not at all. */
  save(rows: readonly NewFeedback[]): void {
    this.upsertRows(rows);
  }

  /** A stage's labelled predictions made in `start <= time < end`, oldest first. */
  between(stageId: string, start: string, end: string): LabelledPrediction[] {
    return this.selectBetween.all({ stageId, start, end }).map((row) => ({
      label: JSON.parse(row.label) as unknown,
      prediction: JSON.parse(row.prediction) as unknown,
      time: row.time,
    }));
  }

  /** When the newest labelled prediction of a stage was made; null: none yet. */
  newest(stageId: string): string | null {
    return this.selectNewest.get(stageId)?.time ?? null;
  }

  countUnmatched(endpointId: string, count: number): void {
    this.bumpUnmatched.run({ endpointId, count });
  }

  unmatched(endpointId: string): number {
    return this.selectUnmatched.get(endpointId)?.count ?? 0;
  }
}
