import { type MetricPoint, type MetricSeries, type MetricSummary, metricGoal, type NonFinite } from '@emkit/shared';
import type Database from 'better-sqlite3';

export interface NewPoint {
  tag: string;
  step: number;
  value: number;
  wallTime: number;
}

/** SQLite keeps NaN as NULL, which is also how JSON carries it. */
const jsonValue = (value: number | null): number | null => (value === null || Number.isNaN(value) ? null : value);

/**
 * Scalar points read from a training's event files, and how far each file has been
 * read. Points and offsets are written in one transaction, so a restart resumes
 * each file exactly where the stored points end: nothing twice, nothing missed.
 */
export class MetricsRepository {
  private readonly insertPoint;
  private readonly upsertOffset;
  private readonly dropFilePoints;
  private readonly selectOffsets;
  private readonly selectTags;
  private readonly selectSeries;
  private readonly countSeries;
  private readonly selectSummaries;
  private readonly selectNonFinite;
  private readonly selectAfter;
  private readonly selectStepRange;
  private readonly selectAtStep;

  constructor(db: Database.Database) {
    this.insertPoint = db.prepare<[string, number, string, number, number | null, number]>(
      'INSERT INTO metric_points (training_id, file_id, tag, step, value, wall_time) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsertOffset = db.prepare<[string, string, number], { id: number }>(
      `INSERT INTO metric_files (training_id, path, offset) VALUES (?, ?, ?)
       ON CONFLICT (training_id, path) DO UPDATE SET offset = excluded.offset RETURNING id`,
    );
    this.dropFilePoints = db.prepare<[string, string]>(
      'DELETE FROM metric_points WHERE file_id = (SELECT id FROM metric_files WHERE training_id = ? AND path = ?)',
    );
    this.selectOffsets = db.prepare<[string], { path: string; offset: number }>(
      'SELECT path, offset FROM metric_files WHERE training_id = ?',
    );
    // one index seek per tag (a skip scan), not a pass over every point: asked at each read of a running training
    this.selectTags = db.prepare<{ id: string }, { tag: string }>(
      `WITH RECURSIVE t(tag) AS (
         SELECT min(tag) FROM metric_points WHERE training_id = @id
         UNION ALL
         SELECT (SELECT min(tag) FROM metric_points WHERE training_id = @id AND tag > t.tag) FROM t WHERE t.tag IS NOT NULL)
       SELECT tag FROM t WHERE tag IS NOT NULL`,
    );
    this.selectSeries = db.prepare<[string, string], { step: number; value: number | null; wall_time: number }>(
      'SELECT step, value, wall_time FROM metric_points WHERE training_id = ? AND tag = ? ORDER BY step, rowid',
    );
    this.countSeries = db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM metric_points WHERE training_id = ? AND tag = ?',
    );
    // last = the value at the highest step (the latest write wins a tie); min/max ignore NaN (NULL)
    this.selectSummaries = db.prepare<
      [string],
      { tag: string; last: number | null; last_step: number; min: number | null; max: number | null }
    >(
      `SELECT tag,
              (SELECT value FROM metric_points q WHERE q.training_id = p.training_id AND q.tag = p.tag
                ORDER BY step DESC, rowid DESC LIMIT 1) AS last,
              max(step) AS last_step, min(value) AS min, max(value) AS max
         FROM metric_points p WHERE training_id = ? GROUP BY tag ORDER BY tag`,
    );
    this.selectAfter = db.prepare<[string, string, number], { step: number; value: number | null }>(
      'SELECT step, value FROM metric_points WHERE training_id = ? AND tag = ? AND step > ? ORDER BY step, rowid',
    );
    // each through the series index, without a pass over the points
    this.selectStepRange = db.prepare<{ id: string; tag: string }, { lo: number | null; hi: number | null }>(
      `SELECT (SELECT min(step) FROM metric_points WHERE training_id = @id AND tag = @tag) AS lo,
              (SELECT max(step) FROM metric_points WHERE training_id = @id AND tag = @tag) AS hi`,
    );
    this.selectAtStep = db.prepare<[string, string, number], { step: number; value: number | null }>(
      'SELECT step, value FROM metric_points WHERE training_id = ? AND tag = ? AND step >= ? ORDER BY step, rowid LIMIT 1',
    );
    // 9e999 is SQLite's infinity; the first bad point of each tag, by step (from the partial index of migration 5)
    this.selectNonFinite = db.prepare<[string], { tag: string; step: number; value: number | null }>(
      `SELECT tag, step, value FROM (
         SELECT tag, step, value, row_number() OVER (PARTITION BY tag ORDER BY step, rowid) AS n
           FROM metric_points WHERE training_id = ? AND (value IS NULL OR value IN (9e999, -9e999)))
       WHERE n = 1 ORDER BY tag`,
    );
  }

  /** One tag's points after `step`, by step: what is new since a reader last looked (NaN as null). */
  pointsAfter(trainingId: string, tag: string, step: number): { step: number; value: number | null }[] {
    return this.selectAfter.all(trainingId, tag, step);
  }

  /**
   * About `maxPoints` points of one tag spread evenly over its steps, found by index seeks (a
   * curve's shape, for the quality analysis, at a cost that doesn't grow with the series).
   */
  sample(trainingId: string, tag: string, maxPoints: number): { step: number; value: number | null }[] {
    const { lo, hi } = this.selectStepRange.get({ id: trainingId, tag }) ?? { lo: null, hi: null };
    if (lo === null || hi === null) return [];
    if (hi - lo < maxPoints) return this.pointsAfter(trainingId, tag, lo - 1);
    const points: { step: number; value: number | null }[] = [];
    for (let i = 0; i < maxPoints; i++) {
      const point = this.selectAtStep.get(trainingId, tag, Math.round(lo + ((hi - lo) * i) / (maxPoints - 1)));
      if (point && point.step !== points[points.length - 1]?.step) points.push(point);
    }
    return points;
  }

  /** Per tag, the first step whose value was NaN (stored as NULL) or infinite. */
  nonFinite(trainingId: string): NonFinite[] {
    return this.selectNonFinite.all(trainingId).map((row) => ({
      tag: row.tag,
      step: row.step,
      value: row.value === null ? 'NaN' : row.value > 0 ? 'Infinity' : '-Infinity',
    }));
  }

  offsets(trainingId: string): Map<string, number> {
    return new Map(this.selectOffsets.all(trainingId).map((row) => [row.path, row.offset]));
  }

  /**
   * Call inside a store transaction, with the file's new offset. `restarted`: the file was
   * truncated or replaced and read again from its start, so what it gave before goes.
   */
  append(trainingId: string, path: string, offset: number, points: readonly NewPoint[], restarted = false): void {
    if (restarted) this.dropFilePoints.run(trainingId, path);
    const fileId = this.upsertOffset.get(trainingId, path, offset)?.id as number;
    for (const point of points) {
      this.insertPoint.run(
        trainingId,
        fileId,
        point.tag,
        point.step,
        Number.isNaN(point.value) ? null : point.value,
        point.wallTime,
      );
    }
  }

  tags(trainingId: string): string[] {
    return this.selectTags.all({ id: trainingId }).map((row) => row.tag);
  }

  /** One tag's points by step; more than maxPoints are thinned evenly, keeping the first and the last. */
  series(trainingId: string, tag: string, maxPoints: number): MetricSeries {
    const total = this.countSeries.get(trainingId, tag)?.n ?? 0;
    const rows = this.selectSeries.all(trainingId, tag);
    const stride = total > maxPoints ? (total - 1) / (maxPoints - 1) : 1;
    const points: MetricPoint[] = [];
    if (stride === 1) {
      for (const row of rows) points.push({ step: row.step, value: jsonValue(row.value), wallTime: row.wall_time });
    } else {
      for (let i = 0; i < maxPoints; i++) {
        const row = rows[Math.min(rows.length - 1, Math.round(i * stride))];
        if (row) points.push({ step: row.step, value: jsonValue(row.value), wallTime: row.wall_time });
      }
    }
    return { tag, points, total };
  }

  summaries(trainingId: string): Record<string, MetricSummary> {
    const result: Record<string, MetricSummary> = {};
    for (const row of this.selectSummaries.all(trainingId)) {
      const goal = metricGoal(row.tag);
      result[row.tag] = {
        last: jsonValue(row.last),
        lastStep: row.last_step,
        min: jsonValue(row.min),
        max: jsonValue(row.max),
        best: jsonValue(goal === 'min' ? row.min : row.max),
        goal,
      };
    }
    return result;
  }
}
