import type { DriftWindow, FeatureDrift } from '@emkit/shared';
import type Database from 'better-sqlite3';

interface DriftWindowRow {
  stage_id: string;
  start: string;
  end: string;
  count: number;
  judged: number;
  features: string;
  prediction: string | null;
}

/** A closed window as stored: DriftWindow less the stage's name, which the reader knows. */
export type StoredDriftWindow = Omit<DriftWindow, 'stage'>;

/** At most this many windows are kept per stage (the route answers at most 1000). */
export const KEEP_WINDOWS = 1000;

const toWindow = (row: DriftWindowRow): StoredDriftWindow => ({
  start: row.start,
  end: row.end,
  count: row.count,
  judged: row.judged === 1,
  features: JSON.parse(row.features) as FeatureDrift[],
  prediction: row.prediction === null ? null : (JSON.parse(row.prediction) as FeatureDrift),
});

/** The drift windows computed for each stage with a drift watch (`drift_windows`). */
export class DriftRepository {
  private readonly insertRow;
  private readonly selectNewest;
  private readonly selectLatestJudged;
  private readonly selectOne;
  private readonly pruneOver;
  private readonly countInputs;

  constructor(db: Database.Database) {
    this.insertRow = db.prepare(
      `INSERT OR REPLACE INTO drift_windows (stage_id, endpoint_id, start, end, count, judged, features, prediction, computed_at)
       VALUES (@stageId, @endpointId, @start, @end, @count, @judged, @features, @prediction, @computedAt)`,
    );
    this.selectNewest = db.prepare<[string, number], DriftWindowRow>(
      'SELECT * FROM drift_windows WHERE stage_id = ? ORDER BY start DESC LIMIT ?',
    );
    this.selectLatestJudged = db.prepare<[string], DriftWindowRow>(
      'SELECT * FROM drift_windows WHERE stage_id = ? AND judged = 1 ORDER BY start DESC LIMIT 1',
    );
    this.selectOne = db.prepare<[string, string], { n: number }>(
      'SELECT 1 AS n FROM drift_windows WHERE stage_id = ? AND start = ?',
    );
    // the payload log's table (payloads.ts): what the drift process would read, counted in SQLite
    this.countInputs = db.prepare<[string, string, string], { n: number }>(
      `SELECT coalesce(sum(json_array_length(instances)), 0) AS n FROM inference_payloads
       WHERE stage_id = ? AND time >= ? AND time < ? AND truncated = 0 AND status >= 200 AND status < 300`,
    );
    this.pruneOver = db.prepare(
      `DELETE FROM drift_windows WHERE stage_id = @stageId AND start NOT IN
         (SELECT start FROM drift_windows WHERE stage_id = @stageId ORDER BY start DESC LIMIT @keep)`,
    );
  }

  /** Store a closed window (again, if it was), keeping the stage's newest KEEP_WINDOWS. */
  insert(stageId: string, endpointId: string, window: StoredDriftWindow): void {
    this.insertRow.run({
      stageId,
      endpointId,
      start: window.start,
      end: window.end,
      count: window.count,
      judged: window.judged ? 1 : 0,
      features: JSON.stringify(window.features),
      prediction: window.prediction === null ? null : JSON.stringify(window.prediction),
      computedAt: new Date().toISOString(),
    });
    this.pruneOver.run({ stageId, keep: KEEP_WINDOWS });
  }

  /** The newest `limit` windows, oldest first. */
  newest(stageId: string, limit: number): StoredDriftWindow[] {
    return this.selectNewest.all(stageId, limit).map(toWindow).reverse();
  }

  latestJudged(stageId: string): StoredDriftWindow | undefined {
    const row = this.selectLatestJudged.get(stageId);
    return row ? toWindow(row) : undefined;
  }

  /** The logged inputs (instances, not requests) a window's computation would read. */
  inputsBetween(stageId: string, start: string, end: string): number {
    return this.countInputs.get(stageId, start, end)?.n ?? 0;
  }

  has(stageId: string, start: string): boolean {
    return this.selectOne.get(stageId, start) !== undefined;
  }
}
