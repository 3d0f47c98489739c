import cronstrue from 'cronstrue';
// registers the Korean strings with cronstrue (English is built in)
import 'cronstrue/locales/ko.js';

/**
 * A schedule in words, for the editors' cron helper: a cron expression through cronstrue (kept, with English and
 * Korean), an interval through the small table below, and the next due times as dates in the schedule's zone.
 */

export type ScheduleLocale = 'en' | 'ko';

export interface ScheduleTiming {
  cron?: string | null;
  timezone?: string | null;
  every?: string | null;
}

const UNITS = {
  en: { s: ['second', 'seconds'], m: ['minute', 'minutes'], h: ['hour', 'hours'], d: ['day', 'days'] },
  ko: { s: ['초', '초'], m: ['분', '분'], h: ['시간', '시간'], d: ['일', '일'] },
} as const;

/** `30s` → "Every 30 seconds" / "30초마다"; undefined when it is no interval. */
export function intervalInWords(every: string, locale: ScheduleLocale = 'en'): string | undefined {
  const match = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(every);
  if (!match) return undefined;
  const count = Number(match[1]);
  const [one, many] = UNITS[locale][match[2] as 's' | 'm' | 'h' | 'd'];
  if (locale === 'ko') return `${count}${one}마다`;
  return count === 1 ? `Every ${one}` : `Every ${count} ${many}`;
}

/**
 * "At 09:00, Monday through Friday (Asia/Seoul)" in English or Korean; null when it can't be read (the helper then
 * shows the reason the bridge's preview gives, which is the one that counts).
 */
export function scheduleInWords(timing: ScheduleTiming, locale: ScheduleLocale = 'en'): string | null {
  if (timing.every) return intervalInWords(timing.every, locale) ?? null;
  if (!timing.cron) return null;
  try {
    const words = cronstrue.toString(timing.cron, { locale, use24HourTimeFormat: true, throwExceptionOnParseError: true });
    return `${words} (${timing.timezone ?? 'UTC'})`;
  } catch {
    return null;
  }
}

/** Due times (ISO) as the reader's dates and times in `timeZone` (the schedule's zone; default the reader's own). */
export function nextRunsInWords(times: readonly string[], locale: ScheduleLocale = 'en', timeZone?: string): string[] {
  const format = new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  });
  return times.map((time) => format.format(new Date(time)));
}
