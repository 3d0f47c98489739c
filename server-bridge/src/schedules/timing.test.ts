import { describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { intervalMs, timingOf } from './timing.js';

function refusal(work: () => unknown): HttpError {
  try {
    work();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('schedule timing', () => {
  it('reads intervals', () => {
    expect(intervalMs('30s')).toBe(30_000);
    expect(intervalMs('5m')).toBe(300_000);
    expect(intervalMs('2h')).toBe(7_200_000);
    expect(intervalMs('1d')).toBe(86_400_000);
    expect(refusal(() => intervalMs('8d'))).toMatchObject({ status: 400, field: 'every' });
  });

  it('keeps an interval in phase with its anchor, passing over missed times', () => {
    const timing = timingOf({ every: '5s' });
    const anchor = new Date('2026-01-01T00:00:00.000Z');
    expect(timing.next(anchor, anchor).toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(timing.next(new Date('2026-01-01T00:00:12.300Z'), anchor)?.toISOString()).toBe('2026-01-01T00:00:15.000Z');
    expect(timing.upcoming(3, anchor, anchor).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:00:05.000Z',
      '2026-01-01T00:00:10.000Z',
      '2026-01-01T00:00:15.000Z',
    ]);
  });

  it('reads cron in a time zone, seconds first when there are six fields', () => {
    const after = new Date('2026-03-02T00:00:00.000Z');
    // 09:00 in Seoul (UTC+9) is midnight UTC
    expect(timingOf({ cron: '0 9 * * *', timezone: 'Asia/Seoul' }).next(after)?.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(
      timingOf({ cron: '*/3 * * * * *' })
        .upcoming(2, after)
        .map((d) => d.toISOString()),
    ).toEqual(['2026-03-02T00:00:03.000Z', '2026-03-02T00:00:06.000Z']);
  });

  it('refuses what is not exactly one valid timing, naming the field and why', () => {
    expect(refusal(() => timingOf({}))).toMatchObject({ status: 400, field: 'cron' });
    expect(refusal(() => timingOf({ cron: '* * * * *', every: '5s' }))).toMatchObject({ status: 400, field: 'every' });
    const bad = refusal(() => timingOf({ cron: '61 * * * *' }));
    expect(bad).toMatchObject({ status: 400, field: 'cron' });
    expect(bad.message).toMatch(/minute: 61/);
    expect(refusal(() => timingOf({ cron: '* * * *' })).message).toMatch(/4 fields/);
    expect(refusal(() => timingOf({ cron: '0 0 30 2 *' })).message).toMatch(/never comes due/);
    expect(refusal(() => timingOf({ cron: '* * * * *', timezone: 'Mars/Olympus' }))).toMatchObject({ field: 'timezone' });
    expect(refusal(() => timingOf({ every: '5s', timezone: 'UTC' }))).toMatchObject({ field: 'timezone' });
  });
});
