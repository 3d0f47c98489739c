import { histogramPercentile, type TrafficTotals } from '../endpoints/traffic.js';

/** An endpoint series is read over at most this long a window (a longer duration holds the rest, see evaluator). */
export const MAX_WINDOW_MS = 5 * 60_000;

interface Sample {
  at: number;
  count: number;
  errors: number;
  serverErrors: number;
  histogram: Uint32Array;
}

export interface TrafficReading {
  count: number;
  serverErrors: number;
  p99: number | null;
  /** how long the counts cover, ms */
  spanMs: number;
}

/** The traffic counters of an endpoint's stages (one, or all), as they are now. */
export type TrafficOf = (endpointId: string, stage?: string) => TrafficTotals[];

/**
 * Rolling windows over the stages' ever-growing counters: each tick takes a copy of them, and a window's
 * figures are the differences between now and the copy taken a window ago. So a rule reads "the last 60 s",
 * not a minute bucket that empties at every minute's turn.
 */
export class TrafficWindows {
  private readonly samples = new Map<TrafficTotals, Sample[]>();
  /** since when each (endpoint, stage) has been sampled: a window not yet covered reads as no data */
  private readonly watchedSince = new Map<string, number>();

  constructor(private readonly trafficOf: TrafficOf) {}

  /** Copy the counters of what the rules watch; forget what they no longer do. */
  tick(watched: readonly { endpointId: string; stage: string | null }[], at: number): void {
    const keys = new Set<string>();
    const live = new Set<TrafficTotals>();
    for (const { endpointId, stage } of watched) {
      const key = keyOf(endpointId, stage);
      keys.add(key);
      if (!this.watchedSince.has(key)) this.watchedSince.set(key, at);
      for (const totals of this.trafficOf(endpointId, stage ?? undefined)) {
        live.add(totals);
        if (this.samples.get(totals)?.at(-1)?.at === at) continue;
        const list = this.samples.get(totals) ?? [];
        list.push({ at, ...copy(totals) });
        // keep one copy at least a whole window old, none older than that
        while (list.length > 1 && (list[1] as Sample).at <= at - MAX_WINDOW_MS) list.shift();
        this.samples.set(totals, list);
      }
    }
    for (const key of this.watchedSince.keys()) if (!keys.has(key)) this.watchedSince.delete(key);
    // a stage redeployed or gone: its old counters go
    for (const totals of this.samples.keys()) if (!live.has(totals)) this.samples.delete(totals);
  }

  /** The figures of the last `windowMs`, or null while the window is not yet covered by samples. */
  read(endpointId: string, stage: string | null, windowMs: number, at: number): TrafficReading | null {
    const since = this.watchedSince.get(keyOf(endpointId, stage));
    if (since === undefined || since > at - windowMs) return null;
    const reading: TrafficReading = { count: 0, serverErrors: 0, p99: null, spanMs: windowMs };
    let histogram: Uint32Array | null = null;
    for (const totals of this.trafficOf(endpointId, stage ?? undefined)) {
      const list = this.samples.get(totals);
      if (!list || list.length === 0) continue;
      // the newest copy at least a window old; a stage newer than the window: its first copy
      const base = list.findLast((s) => s.at <= at - windowMs) ?? (list[0] as Sample);
      reading.count += totals.count - base.count;
      reading.serverErrors += totals.serverErrors - base.serverErrors;
      reading.spanMs = Math.max(reading.spanMs, at - base.at);
      histogram ??= new Uint32Array(totals.histogram.length);
      for (let i = 0; i < histogram.length; i += 1) {
        histogram[i] = (histogram[i] as number) + (totals.histogram[i] as number) - (base.histogram[i] as number);
      }
    }
    if (histogram) reading.p99 = histogramPercentile(histogram, reading.count, 0.99);
    return reading;
  }
}

const keyOf = (endpointId: string, stage: string | null) => `${endpointId}/${stage ?? ''}`;

const copy = (totals: TrafficTotals) => ({
  count: totals.count,
  errors: totals.errors,
  serverErrors: totals.serverErrors,
  histogram: Uint32Array.from(totals.histogram),
});
