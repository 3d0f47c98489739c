import { describe, expect, it } from 'vitest';
import { intervalInWords, nextRunsInWords, scheduleInWords } from './schedule-words.js';

describe('a schedule in words', () => {
  it('says an interval in English and Korean', () => {
    expect(intervalInWords('30s')).toBe('Every 30 seconds');
    expect(intervalInWords('1h')).toBe('Every hour');
    expect(intervalInWords('2d', 'ko')).toBe('2일마다');
    expect(intervalInWords('5m', 'ko')).toBe('5분마다');
    expect(intervalInWords('5 minutes')).toBeUndefined();
    expect(scheduleInWords({ every: '5m' })).toBe('Every 5 minutes');
  });

  it('says a cron expression, with its zone, in English and Korean', () => {
    const weekdays = { cron: '0 9 * * 1-5', timezone: 'Asia/Seoul' };
    expect(scheduleInWords(weekdays)).toBe('At 09:00, Monday through Friday (Asia/Seoul)');
    const korean = scheduleInWords(weekdays, 'ko');
    expect(korean).toMatch(/09:00/);
    expect(korean).toMatch(/월요일/);
    expect(korean).toMatch(/금요일/);
    expect(korean).toMatch(/\(Asia\/Seoul\)$/);
    // seconds first when there are six fields; UTC when no zone is named
    expect(scheduleInWords({ cron: '*/10 * * * * *' })).toBe('Every 10 seconds (UTC)');
    expect(scheduleInWords({ cron: '*/10 * * * * *' }, 'ko')).toMatch(/10초/);
  });

  it('answers null for what it cannot read, rather than throwing', () => {
    expect(scheduleInWords({ cron: '61 * * * *' })).toBeNull();
    expect(scheduleInWords({ cron: 'every day' })).toBeNull();
    expect(scheduleInWords({ every: '5 minutes' })).toBeNull();
    expect(scheduleInWords({})).toBeNull();
  });

  it('shows the next runs as dates in the schedule’s zone', () => {
    const times = ['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z'];
    expect(nextRunsInWords(times, 'en', 'Asia/Seoul')).toEqual(['2 Mar 2026, 09:00:00', '3 Mar 2026, 09:00:00']);
    const [first] = nextRunsInWords(times, 'ko', 'Asia/Seoul');
    expect(first).toMatch(/2026/);
    expect(first).toMatch(/9:00:00|09:00:00/);
  });
});
