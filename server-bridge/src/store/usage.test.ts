import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceSample } from '@emkit/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { insertScriptTraining } from '../testing/training-rows.js';
import { Store } from './index.js';
import { MAX_ROWS_PER_OWNER, type NewUsageSample } from './usage.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-usage-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse('2026-12-07T12:00:00.000Z');
const sample = (msAgo: number, cpu: number, memory: number): ResourceSample => ({
  time: new Date(NOW - msAgo).toISOString(),
  cpuPercent: cpu,
  memoryMb: memory,
  threads: 2,
  openFiles: 3,
  gpuPercent: null,
  gpuMemoryMb: null,
});

describe('the resource usage series as they age', () => {
  const store = new Store(join(dir, 'emkit.db'));
  const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
  const { id } = insertScriptTraining(store, { name: 'sampled', experimentId, dir });
  const row = (s: ResourceSample, process = 'rank 0'): NewUsageSample => ({
    resource: 'trainings',
    ownerId: id,
    process,
    kind: 'rank',
    stage: null,
    pid: 42,
    sample: s,
  });

  it('keeps the last hour as sampled, and merges older samples into one-minute buckets: mean CPU, peak memory', () => {
    store.tx(() =>
      store.usage.insert([
        // two samples in one minute two hours ago, one in the next minute, one recent
        row(sample(2 * 3600_000 + 50_000, 10, 100)),
        row(sample(2 * 3600_000 + 40_000, 30, 300)),
        row(sample(2 * 3600_000 - 20_000, 50, 200)),
        row(sample(60_000, 70, 400)),
      ]),
    );
    store.tx(() => store.usage.compact(NOW));
    const kept = store.usage.series('trainings', id).map((r) => [r.sample.time, r.sample.cpuPercent, r.sample.memoryMb]);
    expect(kept).toEqual([
      ['2026-12-07T09:59:00.000Z', 20, 300],
      ['2026-12-07T10:00:00.000Z', 50, 200],
      ['2026-12-07T11:59:00.000Z', 70, 400],
    ]);
    // compacting again changes nothing: a bucket is made once
    store.tx(() => store.usage.compact(NOW));
    expect(store.usage.series('trainings', id)).toHaveLength(3);
  });

  it('merges buckets older than a day into quarter hours, and keeps `since` and the stage filter', () => {
    store.tx(() =>
      store.usage.insert([
        row(sample(26 * 3600_000 + 120_000, 40, 5)),
        row(sample(26 * 3600_000, 10, 10)),
        row(sample(26 * 3600_000 - 60_000, 20, 20)),
      ]),
    );
    store.tx(() => store.usage.compact(NOW)); // to minutes
    store.tx(() => store.usage.compact(NOW)); // then to a quarter hour
    const old = store.usage.series('trainings', id).filter((r) => r.sample.time < '2026-12-07T00:00:00.000Z');
    expect(old.map((r) => [r.sample.time, r.sample.cpuPercent, r.sample.memoryMb])).toEqual([
      ['2026-12-06T09:45:00.000Z', 40, 5],
      ['2026-12-06T10:00:00.000Z', 15, 20],
    ]);
    expect(store.usage.series('trainings', id, { since: '2026-12-07T11:00:00.000Z' })).toHaveLength(1);
    expect(store.usage.series('trainings', id, { stage: 'canary' })).toEqual([]);
  });

  it('keeps at most MAX_ROWS_PER_OWNER rows of a resource, the newest', () => {
    const many = Array.from({ length: MAX_ROWS_PER_OWNER + 5 }, (_, i) => row(sample(50 * 60_000 - i, 1, i)));
    store.tx(() => store.usage.insert(many));
    store.tx(() => store.usage.compact(NOW));
    const kept = store.usage.series('trainings', id);
    expect(kept).toHaveLength(MAX_ROWS_PER_OWNER);
    expect(Math.max(...kept.map((r) => r.sample.memoryMb))).toBe(MAX_ROWS_PER_OWNER + 4);
  });

  it('sums rounds into a summary that thinning leaves whole, and forgets a deleted resource', () => {
    store.tx(() => {
      store.usage.addRound('trainings', id, '', 100, 512, 't1');
      store.usage.addRound('trainings', id, '', 50, 1024, 't2');
      store.usage.addRound('trainings', id, '', 0.5, 256, 't3');
    });
    expect(store.usage.summary('trainings', id)).toEqual({ rounds: 3, peakMemoryMb: 1024, meanCpuPercent: 50.2 });
    expect(store.usage.summaries('trainings', [id, 'other']).get(id)?.peakMemoryMb).toBe(1024);
    expect(store.usage.summary('trainings', id, 'canary')).toBeNull();
    store.tx(() => store.trainings.delete(id));
    store.tx(() => store.usage.compact(NOW));
    expect(store.usage.series('trainings', id)).toEqual([]);
    expect(store.usage.summary('trainings', id)).toBeNull();
  });
});
