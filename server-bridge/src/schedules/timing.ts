import { Cron } from 'croner';
import { HttpError } from '../server/errors.js';

/** When a schedule fires: a cron expression in a zone, or an interval. */
export interface TimingSpec {
  cron?: string | null;
  timezone?: string | null;
  every?: string | null;
}

/** A checked spec: the next due time after a moment, and the next few. */
export interface Timing {
  /** the first due time strictly after `after` (for an interval: `anchor` + k·interval) */
  next(after: Date, anchor?: Date): Date | null;
  upcoming(count: number, after: Date, anchor?: Date): Date[];
}

export const DEFAULT_TIMEZONE = 'UTC';
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** the schema allows up to 6 digits; a schedule more than a week apart is a cron's job */
const MAX_INTERVAL_MS = 7 * UNIT_MS.d;

const invalid = (message: string, field: string) => new HttpError(400, 'validation', message, field);

/** `30s` → 30000; the caller has matched INTERVAL_PATTERN. */
export function intervalMs(every: string, field = 'every'): number {
  const match = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(every);
  if (!match) throw invalid(`every: "${every}" is not an interval (30s, 5m, 2h, 1d)`, field);
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms > MAX_INTERVAL_MS) throw invalid(`every: ${every} is longer than 7 days; use a cron expression`, field);
  return ms;
}

/** An IANA zone name Intl knows, else 400 naming the field. */
export function checkTimezone(zone: string, field = 'timezone'): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw invalid(`timezone: "${zone}" is not a known IANA time zone (e.g. UTC, Europe/Berlin, Asia/Seoul)`, field);
  }
}

/**
 * Exactly one of cron / every, each valid, or a 400 that names the field and says why. Croner reads the
 * expression (5 fields, or 6 with seconds first) in the zone, so daylight-saving changes are its business.
 */
export function timingOf(spec: TimingSpec): Timing {
  const hasCron = spec.cron !== undefined && spec.cron !== null;
  const hasEvery = spec.every !== undefined && spec.every !== null;
  if (hasCron && hasEvery) throw invalid('give cron or every, not both', 'every');
  if (!hasCron && !hasEvery) throw invalid('give cron (with an optional timezone) or every, one of them', 'cron');
  if (hasEvery) {
    if (spec.timezone) throw invalid('timezone applies to a cron expression; an interval has none', 'timezone');
    return intervalTiming(intervalMs(spec.every as string));
  }
  const zone = spec.timezone ?? DEFAULT_TIMEZONE;
  checkTimezone(zone);
  return cronTiming(spec.cron as string, zone);
}

function cronTiming(expression: string, zone: string): Timing {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) {
    throw invalid(
      `cron: "${expression}" has ${fields} fields; give 5 (minute hour day month weekday) or 6 (seconds first)`,
      'cron',
    );
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, timezone: zone });
  } catch (error) {
    throw invalid(`cron: "${expression}" is invalid: ${(error as Error).message.replace(/^CronPattern: /, '')}`, 'cron');
  }
  // an expression that can never match (30 February) is refused now, not found out at its first due time
  if (cron.nextRun(new Date()) === null) throw invalid(`cron: "${expression}" never comes due`, 'cron');
  const next = (after: Date): Date | null => cron.nextRun(after);
  return {
    next,
    upcoming: (count, after) => cron.nextRuns(count, after),
  };
}

function intervalTiming(ms: number): Timing {
  const next = (after: Date, anchor: Date = after): Date => {
    // the phase of the anchor kept: due times are anchor + k·interval, k ≥ 1
    const steps = Math.max(1, Math.floor((after.getTime() - anchor.getTime()) / ms) + 1);
    return new Date(anchor.getTime() + steps * ms);
  };
  return {
    next,
    upcoming: (count, after, anchor = after) => {
      const times: Date[] = [];
      let at = next(after, anchor);
      for (let i = 0; i < count; i++) {
        times.push(at);
        at = new Date(at.getTime() + ms);
      }
      return times;
    },
  };
}
