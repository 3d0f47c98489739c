import type { StageMinute } from '@emkit/shared';

/** Latency buckets: 8 per doubling from 1 µs, so a percentile is within ±4.5 % of the true value. */
const PER_DOUBLING = 8;
const BUCKETS = PER_DOUBLING * 30; // up to 2^30 µs, about 18 minutes

function bucketOf(ms: number): number {
  const us = Math.max(1, ms * 1000);
  return Math.min(BUCKETS - 1, Math.floor(Math.log2(us) * PER_DOUBLING));
}

/** The geometric middle of a bucket, in ms. */
const middleOf = (bucket: number) => 2 ** ((bucket + 0.5) / PER_DOUBLING) / 1000;

const round = (ms: number) => Math.round(ms * 1000) / 1000;

const MINUTE_MS = 60_000;

/** Counts and a latency histogram that only grow. */
export interface TrafficTotals {
  count: number;
  errors: number;
  serverErrors: number;
  histogram: Uint32Array;
}

/** The `q` quantile (0..1) of a latency histogram holding `count` calls, in ms; null for none. */
export function histogramPercentile(histogram: ArrayLike<number>, count: number, q: number): number | null {
  if (count <= 0) return null;
  const rank = Math.ceil(q * count);
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket += 1) {
    seen += histogram[bucket] as number;
    if (seen >= rank) return round(middleOf(bucket));
  }
  return null;
}
export const minuteOf = (time: number) => time - (time % MINUTE_MS);

/**
 * One stage's traffic in the current minute: counts, errors, a latency histogram and the
 * most requests in flight at once. `roll` hands over a finished minute to be stored.
 */
export class StageTraffic {
  inFlight = 0;
  private minute: number;
  private count = 0;
  private errors = 0;
  private serverErrors = 0;
  private maxInFlight = 0;
  private readonly histogram = new Uint32Array(BUCKETS);
  /** Everything counted since the stage started, never reset: a reader takes differences over its own window (alerts). */
  readonly totals: TrafficTotals = { count: 0, errors: 0, serverErrors: 0, histogram: new Uint32Array(BUCKETS) };

  constructor(
    readonly stageId: string,
    readonly stage: string,
    now = Date.now(),
  ) {
    this.minute = minuteOf(now);
  }

  begin(now = Date.now()): void {
    if (minuteOf(now) !== this.minute) this.pending.push(this.take(now));
    this.inFlight += 1;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
  }

  end(status: number, ms: number, now = Date.now()): void {
    if (minuteOf(now) !== this.minute) this.pending.push(this.take(now));
    this.inFlight -= 1;
    this.count += 1;
    if (status >= 400) this.errors += 1;
    if (status >= 500) this.serverErrors += 1;
    const bucket = bucketOf(ms);
    this.histogram[bucket] = (this.histogram[bucket] as number) + 1;
    const totals = this.totals;
    totals.count += 1;
    if (status >= 400) totals.errors += 1;
    if (status >= 500) totals.serverErrors += 1;
    totals.histogram[bucket] = (totals.histogram[bucket] as number) + 1;
  }

  /** Minutes that ended while requests came in, kept until `roll` collects them. */
  private pending: StageMinute[] = [];

  /** The finished minutes with traffic not yet collected; the clock moves on to now. */
  roll(now = Date.now()): StageMinute[] {
    if (minuteOf(now) !== this.minute) this.pending.push(this.take(now));
    const finished = this.pending.filter((m) => m.count > 0);
    this.pending = [];
    return finished;
  }

  /** The minute still counting. */
  current(): StageMinute {
    return this.summary();
  }

  private take(now: number): StageMinute {
    const finished = this.summary();
    this.minute = minuteOf(now);
    this.count = 0;
    this.errors = 0;
    this.serverErrors = 0;
    this.maxInFlight = this.inFlight;
    this.histogram.fill(0);
    return finished;
  }

  private summary(): StageMinute {
    return {
      stageId: this.stageId,
      stage: this.stage,
      minute: new Date(this.minute).toISOString(),
      count: this.count,
      errors: this.errors,
      serverErrors: this.serverErrors,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      maxInFlight: this.maxInFlight,
    };
  }

  private percentile(q: number): number | null {
    return histogramPercentile(this.histogram, this.count, q);
  }
}
