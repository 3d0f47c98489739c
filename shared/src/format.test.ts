import { describe, expect, it } from 'vitest';
import { formatDuration, formatTable, parseDuration } from './format.js';

describe('durations', () => {
  it('formats seconds the way a person reads them', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m 5s');
    expect(formatDuration(3725)).toBe('1h 2m 5s');
  });

  it('parses what --max-time takes', () => {
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('30m')).toBe(1800);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('')).toBeUndefined();
    expect(parseDuration('soon')).toBeUndefined();
  });
});

describe('tables', () => {
  it('pads columns to the widest cell and shows empty cells as blanks', () => {
    expect(
      formatTable(
        ['NAME', 'STATE'],
        [
          ['a-long-name', 'ACTIVE'],
          ['b', null],
        ],
      ),
    ).toBe(['NAME         STATE', 'a-long-name  ACTIVE', 'b'].join('\n'));
  });
});
