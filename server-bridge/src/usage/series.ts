import { type ProcessUsage, USAGE_PROCESS_KINDS } from '@emkit/shared';
import type { StoredUsageSample } from '../store/usage.js';
import { thinSamples } from './thin.js';

const KIND_ORDER = new Map<string, number>(USAGE_PROCESS_KINDS.map((kind, i) => [kind, i]));

/**
 * Stored samples (oldest first) as one series per process — a process is its stage and its
 * name, so a restarted worker's new pid carries on its series — each thinned to `points`, the
 * latest pid shown; ranks first, then TensorBoards, workers by stage, in natural order.
 */
export function processSeries(rows: readonly StoredUsageSample[], points: number): ProcessUsage[] {
  const series = new Map<string, StoredUsageSample[]>();
  for (const row of rows) {
    const key = `${row.stage ?? ''}\u0000${row.process}`;
    const list = series.get(key);
    if (list) list.push(row);
    else series.set(key, [row]);
  }
  const processes = [...series.values()].map((list): ProcessUsage => {
    const newest = list[list.length - 1] as StoredUsageSample;
    return {
      process: newest.process,
      kind: newest.kind,
      stage: newest.stage,
      pid: newest.pid,
      samples: thinSamples(
        list.map((row) => row.sample),
        points,
      ),
    };
  });
  return processes.sort(
    (a, b) =>
      (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0) ||
      (a.stage ?? '').localeCompare(b.stage ?? '') ||
      a.process.localeCompare(b.process, undefined, { numeric: true }),
  );
}
