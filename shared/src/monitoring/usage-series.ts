import type { ResourceSample, ResourceUsage, UsageEventData, UsageProcessKind } from '../schemas/monitoring.js';

/** Samples kept per process in a view: an hour at the default 5 s, older ones dropped first. */
export const USAGE_POINTS_KEPT = 720;

/** What a chart draws per process: CPU (100 = one core), resident memory, and the GPU's where there is one. */
export type UsageMetric = 'cpuPercent' | 'memoryMb' | 'gpuPercent' | 'gpuMemoryMb';

/** One process's samples, oldest first: a training rank, a stage's worker, a batch worker, a TensorBoard. */
export interface ProcessSeries {
  key: string;
  /** the bridge's name for it: "rank 0", "worker 1", "tensorboard" */
  process: string;
  /** "rank 0", or "canary · worker 1" for a stage's worker */
  label: string;
  kind: UsageProcessKind;
  stage: string | null;
  pid: number | null;
  samples: ResourceSample[];
}

const KIND_ORDER: Record<UsageProcessKind, number> = { rank: 0, worker: 1, 'batch-worker': 2, tensorboard: 3 };

/** A process is known by its stage and name: a restarted worker (a new pid) continues its line. */
export function processKey(process: { stage: string | null; process: string }): string {
  return `${process.stage ?? ''}/${process.process}`;
}

export function processLabel(process: { stage: string | null; process: string }): string {
  return process.stage ? `${process.stage} · ${process.process}` : process.process;
}

/** Keeps `samples` in time order with at most one per time (a round seen twice replaces itself). */
function insertSample(samples: ResourceSample[], sample: ResourceSample): void {
  const last = samples[samples.length - 1];
  if (!last || last.time < sample.time) {
    samples.push(sample);
  } else {
    const at = samples.findIndex((s) => s.time >= sample.time);
    if (samples[at]?.time === sample.time) samples[at] = sample;
    else samples.splice(at, 0, sample);
  }
  if (samples.length > USAGE_POINTS_KEPT) samples.splice(0, samples.length - USAGE_POINTS_KEPT);
}

/**
 * A resource's processes' usage as a view holds it: the stored series once (`set`), then each
 * sampling round from the event stream (`addRound`). Pure data, so both editors' charts and the
 * unit tests read the same columns.
 */
export class UsageSeries {
  private readonly byKey = new Map<string, ProcessSeries>();
  /** whether an NVIDIA GPU was found: the GPU lines are drawn only then */
  gpu = false;
  intervalSeconds: number | null = null;

  /** Replaces everything with the stored series (`stage`: only that stage's workers). */
  set(usage: ResourceUsage, stage: string | null = null): void {
    this.byKey.clear();
    this.gpu = usage.gpu;
    this.intervalSeconds = usage.intervalSeconds;
    for (const process of usage.processes) {
      if (stage !== null && process.stage !== stage) continue;
      const series = this.series(process);
      series.pid = process.pid;
      for (const sample of process.samples) insertSample(series.samples, sample);
    }
  }

  /** One sampling round from a `usage` event; false when it brought nothing (another stage's). */
  addRound(data: UsageEventData, stage: string | null = null): boolean {
    let added = false;
    for (const process of data.processes) {
      if (stage !== null && process.stage !== stage) continue;
      const series = this.series(process);
      series.pid = process.pid;
      insertSample(series.samples, process.sample);
      if (process.sample.gpuPercent !== null) this.gpu = true;
      added = true;
    }
    return added;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Ranks first, then workers (by stage), batch workers, TensorBoard; by name within each. */
  list(): ProcessSeries[] {
    return [...this.byKey.values()].sort(
      (a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        (a.stage ?? '').localeCompare(b.stage ?? '') ||
        a.process.localeCompare(b.process, undefined, { numeric: true }),
    );
  }

  /**
   * The columns uPlot draws for one metric: the union of the processes' sample times (epoch
   * seconds), then each process's values at those times (null where it has no sample: a gap
   * spanned, as a worker restarted mid-hour).
   */
  columns(metric: UsageMetric): [number[], ...(number | null)[][]] {
    const processes = this.list();
    const times = [...new Set(processes.flatMap((p) => p.samples.map((s) => s.time)))].sort();
    const index = new Map(times.map((time, i) => [time, i]));
    const columns = processes.map((p) => {
      const values: (number | null)[] = new Array(times.length).fill(null);
      for (const sample of p.samples) values[index.get(sample.time) as number] = sample[metric];
      return values;
    });
    return [times.map((time) => Date.parse(time) / 1000), ...columns];
  }

  /** Each process's newest sample (null before its first). */
  latest(): { series: ProcessSeries; sample: ResourceSample | null }[] {
    return this.list().map((series) => ({ series, sample: series.samples[series.samples.length - 1] ?? null }));
  }

  /** The largest memory of any one process over the samples held (the figure a memory limit is about). */
  peakMemoryMb(): number | null {
    let peak: number | null = null;
    for (const series of this.byKey.values()) for (const sample of series.samples) peak = Math.max(peak ?? 0, sample.memoryMb);
    return peak;
  }

  private series(process: { process: string; kind: UsageProcessKind; stage: string | null }): ProcessSeries {
    const key = processKey(process);
    let series = this.byKey.get(key);
    if (!series) {
      series = {
        key,
        process: process.process,
        label: processLabel(process),
        kind: process.kind,
        stage: process.stage,
        pid: null,
        samples: [],
      };
      this.byKey.set(key, series);
    }
    return series;
  }
}
