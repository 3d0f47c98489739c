import { describe, expect, it } from 'vitest';
import { capped, checkDepth, MAX_DEPTH, redact, redactInPlace, TooDeep } from './capture.js';

describe('what payload logging stores', () => {
  it('redacts a named field at any depth, in arrays too', () => {
    expect(redact([{ a: 1, ssn: 2, b: [{ ssn: { deep: 1 } }] }], new Set(['ssn']))).toEqual([
      { a: 1, ssn: '[redacted]', b: [{ ssn: '[redacted]' }] },
    ]);
  });

  it('redacts in place the parse of a logged body, as the copy would, and refuses one nested too deeply', () => {
    const parsed = JSON.parse('[{"a":1,"ssn":2,"b":[{"ssn":{"deep":1}}]}]') as unknown;
    redactInPlace(parsed, new Set(['ssn']));
    expect(parsed).toEqual([{ a: 1, ssn: '[redacted]', b: [{ ssn: '[redacted]' }] }]);
    const nest = (depth: number) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown;
    expect(() => redactInPlace(nest(MAX_DEPTH), new Set())).not.toThrow();
    expect(() => redactInPlace(nest(MAX_DEPTH + 1), new Set())).toThrow(TooDeep);
  });

  it('cuts over maxBytes (UTF-8) to a string, never splitting a character', () => {
    expect(capped([1, 2], 256)).toEqual({ json: '[1,2]', truncated: false });
    const cut = capped(['é'.repeat(300)], 257);
    expect(cut.truncated).toBe(true);
    const text = JSON.parse(cut.json as string) as string;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(257);
    expect(text).not.toContain('\uFFFD');
  });

  it('refuses JSON nested deeper than it can walk, without walking all of it', () => {
    const nest = (depth: number) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown;
    expect(() => checkDepth(nest(MAX_DEPTH))).not.toThrow();
    expect(() => checkDepth(nest(MAX_DEPTH + 1))).toThrow(TooDeep);
    expect(() => checkDepth(nest(100_000))).toThrow(TooDeep);
  });
});
