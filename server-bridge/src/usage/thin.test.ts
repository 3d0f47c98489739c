import type { ResourceSample } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { mergeSamples, thinSamples } from './thin.js';

const at = (i: number, memory: number, gpu: number | null = null): ResourceSample => ({
  time: new Date(Date.UTC(2026, 11, 7, 0, 0, i)).toISOString(),
  cpuPercent: i,
  memoryMb: memory,
  threads: i % 3,
  openFiles: 1,
  gpuPercent: gpu,
  gpuMemoryMb: gpu === null ? null : gpu * 10,
});

describe('thinning a series', () => {
  it('leaves a series that fits alone', () => {
    const series = [at(0, 1), at(1, 2)];
    expect(thinSamples(series, 10)).toEqual(series);
  });

  it('merges runs of neighbours: the first time, the mean CPU, the peaks, so no memory peak is lost', () => {
    const series = Array.from({ length: 10 }, (_, i) => at(i, i === 7 ? 900 : 100));
    const thin = thinSamples(series, 4);
    expect(thin).toHaveLength(4);
    expect(thin.map((s) => s.time)).toEqual([at(0, 0).time, at(3, 0).time, at(6, 0).time, at(9, 0).time]);
    expect(thin.map((s) => s.cpuPercent)).toEqual([1, 4, 7, 9]);
    expect(thin.map((s) => s.memoryMb)).toEqual([100, 100, 900, 100]);
    expect(thin.map((s) => s.threads)).toEqual([2, 2, 2, 0]);
  });

  it('averages GPU use over the samples that have one, and leaves it null where none has', () => {
    expect(mergeSamples([at(0, 1, 10), at(1, 1, null), at(2, 1, 30)])).toMatchObject({ gpuPercent: 20, gpuMemoryMb: 300 });
    expect(mergeSamples([at(0, 1), at(1, 1)])).toMatchObject({ gpuPercent: null, gpuMemoryMb: null });
  });
});
