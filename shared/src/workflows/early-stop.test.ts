import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EarlyStopError, formatEarlyStop, parseEarlyStop } from './early-stop.js';

const { cases } = JSON.parse(readFileSync(new URL('./early-stop.cases.json', import.meta.url), 'utf8')) as {
  cases: { text: string; rule?: unknown; error?: string }[];
};

describe('the --early-stop text', () => {
  it.each(cases)('$text', ({ text, rule, error }) => {
    if (error !== undefined) {
      expect(() => parseEarlyStop(text)).toThrow(new EarlyStopError(error));
    } else {
      expect(parseEarlyStop(text)).toEqual(rule);
    }
  });

  it('reads back what it formats', () => {
    for (const text of ['val_loss:min:5', 'val/acc:max:3:0.001']) expect(formatEarlyStop(parseEarlyStop(text))).toBe(text);
  });
});
