import type { Schedule, ScheduleRun } from '@emkit/shared';
import type { ScheduleRecord } from '../store/schedules.js';
import { timingOf } from './timing.js';

export const NEXT_RUNS_SHOWN = 5;

/** A stored schedule as the API shows it: the next five due times (none while PAUSED) and its last run. */
export function scheduleView(record: ScheduleRecord, lastRun: ScheduleRun | null): Schedule {
  const { anchorAt, nextDueAt, ...rest } = record;
  let nextRuns: string[] = [];
  if (record.state === 'ACTIVE' && nextDueAt !== null) {
    const due = new Date(nextDueAt);
    const later = timingOf(record).upcoming(NEXT_RUNS_SHOWN - 1, due, new Date(anchorAt));
    nextRuns = [due, ...later].map((d) => d.toISOString());
  }
  return { ...rest, nextRuns, lastRun };
}
