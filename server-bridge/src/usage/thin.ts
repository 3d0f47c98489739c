import type { ResourceSample } from '@emkit/shared';

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Many samples as one: the first's time, the mean CPU and GPU use, the peaks of the rest. */
export function mergeSamples(samples: readonly ResourceSample[]): ResourceSample {
  const first = samples[0] as ResourceSample;
  const gpu = samples.map((s) => s.gpuPercent).filter((v): v is number => v !== null);
  const gpuMemory = samples.map((s) => s.gpuMemoryMb).filter((v): v is number => v !== null);
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    time: first.time,
    cpuPercent: round(mean(samples.map((s) => s.cpuPercent))),
    memoryMb: Math.max(...samples.map((s) => s.memoryMb)),
    threads: Math.max(...samples.map((s) => s.threads)),
    openFiles: Math.max(...samples.map((s) => s.openFiles)),
    gpuPercent: gpu.length > 0 ? round(mean(gpu)) : null,
    gpuMemoryMb: gpuMemory.length > 0 ? Math.max(...gpuMemory) : null,
  };
}

/**
 * At most `points` samples, oldest first: runs of neighbours merged (mergeSamples), so a
 * memory peak is never thinned away.
 */
export function thinSamples(samples: readonly ResourceSample[], points: number): ResourceSample[] {
  if (samples.length <= points) return [...samples];
  const size = Math.ceil(samples.length / points);
  const thinned: ResourceSample[] = [];
  for (let start = 0; start < samples.length; start += size) thinned.push(mergeSamples(samples.slice(start, start + size)));
  return thinned;
}
