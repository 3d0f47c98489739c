import type { ResourceSample, UsageProcessKind } from '@emkit/shared';
import type Database from 'better-sqlite3';

/** The resources whose processes are sampled, as the API and the event stream name them. */
export type UsageResource = 'trainings' | 'endpoints' | 'batch-inferences';

export interface NewUsageSample {
  resource: UsageResource;
  ownerId: string;
  process: string;
  kind: UsageProcessKind;
  stage: string | null;
  pid: number;
  sample: ResourceSample;
}

export interface StoredUsageSample {
  process: string;
  kind: UsageProcessKind;
  stage: string | null;
  pid: number;
  sample: ResourceSample;
}

export interface UsageSummary {
  rounds: number;
  peakMemoryMb: number;
  meanCpuPercent: number;
}

interface SampleRow {
  process: string;
  kind: UsageProcessKind;
  stage: string | null;
  pid: number;
  time: string;
  cpu_percent: number;
  memory_mb: number;
  threads: number;
  open_files: number;
  gpu_percent: number | null;
  gpu_memory_mb: number | null;
}

interface SummaryRow {
  owner_id: string;
  rounds: number;
  cpu_total: number;
  peak_memory_mb: number;
}

/**
 * How the series thin out with age: samples as taken for the last hour, then one-minute
 * buckets for a day, then quarter-hour buckets; and at most MAX_ROWS_PER_OWNER rows per
 * training, endpoint or batch job, the oldest dropped first.
 */
export const USAGE_TIERS = [
  { from: 0, to: 60, olderThanMs: 60 * 60_000 },
  { from: 60, to: 900, olderThanMs: 24 * 60 * 60_000 },
] as const;
export const MAX_ROWS_PER_OWNER = 20_000;

const toSample = (row: SampleRow): StoredUsageSample => ({
  process: row.process,
  kind: row.kind,
  stage: row.stage,
  pid: row.pid,
  sample: {
    time: row.time,
    cpuPercent: row.cpu_percent,
    memoryMb: row.memory_mb,
    threads: row.threads,
    openFiles: row.open_files,
    gpuPercent: row.gpu_percent,
    gpuMemoryMb: row.gpu_memory_mb,
  },
});

const toSummary = (row: SummaryRow): UsageSummary => ({
  rounds: row.rounds,
  peakMemoryMb: row.peak_memory_mb,
  // to a tenth, as the samples are
  meanCpuPercent: row.rounds > 0 ? Math.round((row.cpu_total / row.rounds) * 10) / 10 : 0,
});

/** The resource-usage series (downsampled as they age) and each resource's running summary. */
export class UsageRepository {
  private readonly insertSample;
  private readonly upsertSummary;
  private readonly selectSeries;
  private readonly selectSummary;
  private readonly selectSummaries;
  private readonly mergeBuckets;
  private readonly dropMerged;
  private readonly overCap;
  private readonly dropOldest;
  private readonly dropOrphans: Database.Statement[];

  constructor(db: Database.Database) {
    this.insertSample = db.prepare<
      [
        string,
        string,
        string,
        string,
        string | null,
        number,
        string,
        number,
        number,
        number,
        number,
        number | null,
        number | null,
      ]
    >(
      `INSERT INTO usage_samples (resource, owner_id, process, kind, stage, pid, time, span, cpu_percent, memory_mb, threads,
         open_files, gpu_percent, gpu_memory_mb)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertSummary = db.prepare<{
      resource: string;
      owner: string;
      scope: string;
      cpu: number;
      memory: number;
      time: string;
    }>(
      `INSERT INTO usage_summaries (resource, owner_id, scope, rounds, cpu_total, peak_memory_mb, updated_at)
       VALUES (@resource, @owner, @scope, 1, @cpu, @memory, @time)
       ON CONFLICT (resource, owner_id, scope) DO UPDATE SET rounds = rounds + 1, cpu_total = cpu_total + @cpu,
         peak_memory_mb = max(peak_memory_mb, @memory), updated_at = @time`,
    );
    this.selectSeries = db.prepare<{ resource: string; owner: string; stage: string | null; since: string }, SampleRow>(
      `SELECT process, kind, stage, pid, time, cpu_percent, memory_mb, threads, open_files, gpu_percent, gpu_memory_mb
         FROM usage_samples
        WHERE resource = @resource AND owner_id = @owner AND time >= @since AND (@stage IS NULL OR stage = @stage)
        ORDER BY time, id`,
    );
    this.selectSummary = db.prepare<[string, string, string], SummaryRow>(
      'SELECT owner_id, rounds, cpu_total, peak_memory_mb FROM usage_summaries WHERE resource = ? AND owner_id = ? AND scope = ?',
    );
    this.selectSummaries = db.prepare<[string, string], SummaryRow>(
      `SELECT owner_id, rounds, cpu_total, peak_memory_mb FROM usage_summaries
        WHERE resource = ? AND scope = '' AND owner_id IN (SELECT value FROM json_each(?))`,
    );
    // a bucket starts at a multiple of its span (Unix time), so buckets made in two passes never overlap;
    // better-sqlite3 binds a JS number as a REAL: the span is cast, so the division is a whole one
    this.mergeBuckets = db.prepare<{ from: number; to: number; before: string }>(
      `INSERT INTO usage_samples (resource, owner_id, process, kind, stage, pid, time, span, cpu_percent, memory_mb, threads,
         open_files, gpu_percent, gpu_memory_mb)
       SELECT resource, owner_id, process, kind, stage, max(pid),
              strftime('%Y-%m-%dT%H:%M:%fZ',
                (CAST(strftime('%s', time) AS INTEGER) / CAST(@to AS INTEGER)) * CAST(@to AS INTEGER), 'unixepoch') AS bucket,
              CAST(@to AS INTEGER), avg(cpu_percent), max(memory_mb), max(threads), max(open_files), avg(gpu_percent),
              max(gpu_memory_mb)
         FROM usage_samples WHERE span = @from AND time < @before
        GROUP BY resource, owner_id, process, kind, stage, bucket`,
    );
    this.dropMerged = db.prepare<{ from: number; before: string }>(
      'DELETE FROM usage_samples WHERE span = @from AND time < @before',
    );
    this.overCap = db.prepare<[number], { resource: string; owner_id: string }>(
      'SELECT resource, owner_id FROM usage_samples GROUP BY resource, owner_id HAVING count(*) > ?',
    );
    this.dropOldest = db.prepare<[string, string, number]>(
      `DELETE FROM usage_samples WHERE id IN (
         SELECT id FROM usage_samples WHERE resource = ? AND owner_id = ? ORDER BY time DESC, id DESC LIMIT -1 OFFSET ?)`,
    );
    const owners: Record<UsageResource, string> = {
      trainings: 'trainings',
      endpoints: 'endpoints',
      'batch-inferences': 'batch_inferences',
    };
    this.dropOrphans = Object.entries(owners).flatMap(([resource, table]) =>
      ['usage_samples', 'usage_summaries'].map((from) =>
        db.prepare(`DELETE FROM ${from} WHERE resource = '${resource}' AND owner_id NOT IN (SELECT id FROM ${table})`),
      ),
    );
  }

  /** One round's samples; call inside a transaction. */
  insert(samples: readonly NewUsageSample[]): void {
    for (const { resource, ownerId, process, kind, stage, pid, sample } of samples) {
      this.insertSample.run(
        resource,
        ownerId,
        process,
        kind,
        stage,
        pid,
        sample.time,
        sample.cpuPercent,
        sample.memoryMb,
        sample.threads,
        sample.openFiles,
        sample.gpuPercent,
        sample.gpuMemoryMb,
      );
    }
  }

  /** Add one round's sums (over a resource's processes, or one stage's: `scope`) to its summary; inside a transaction. */
  addRound(resource: UsageResource, ownerId: string, scope: string, cpuPercent: number, memoryMb: number, time: string): void {
    this.upsertSummary.run({ resource, owner: ownerId, scope, cpu: cpuPercent, memory: memoryMb, time });
  }

  /** Every kept sample of a resource (one stage's), oldest first. */
  series(resource: UsageResource, ownerId: string, options: { stage?: string; since?: string } = {}): StoredUsageSample[] {
    return this.selectSeries
      .all({ resource, owner: ownerId, stage: options.stage ?? null, since: options.since ?? '' })
      .map(toSample);
  }

  summary(resource: UsageResource, ownerId: string, scope = ''): UsageSummary | null {
    const row = this.selectSummary.get(resource, ownerId, scope);
    return row ? toSummary(row) : null;
  }

  /** The summaries of many resources at once (the comparison's rows), by id. */
  summaries(resource: UsageResource, ownerIds: readonly string[]): Map<string, UsageSummary> {
    const rows = this.selectSummaries.all(resource, JSON.stringify(ownerIds));
    return new Map(rows.map((row) => [row.owner_id, toSummary(row)]));
  }

  /** Thin the older samples into buckets, keep each owner under its cap, forget deleted owners; inside a transaction. */
  compact(nowMs: number = Date.now()): void {
    for (const tier of USAGE_TIERS) {
      // the cut falls on a bucket's start: a bucket is made once, from all of its samples
      const cut = Math.floor((nowMs - tier.olderThanMs) / (tier.to * 1000)) * tier.to * 1000;
      const before = new Date(cut).toISOString();
      this.mergeBuckets.run({ from: tier.from, to: tier.to, before });
      this.dropMerged.run({ from: tier.from, before });
    }
    for (const { resource, owner_id } of this.overCap.all(MAX_ROWS_PER_OWNER)) {
      this.dropOldest.run(resource, owner_id, MAX_ROWS_PER_OWNER);
    }
    for (const statement of this.dropOrphans) statement.run();
  }
}
