import { describe, expect, it } from 'vitest';
import { capped, MAX_DEPTH, REDACTED, Redaction, redactedField, TooDeep } from './capture.js';

const field = (body: string, names: string[] = [], name = 'instances') =>
  redactedField(Buffer.from(body), name, new Redaction(names));

/** What the scan must agree with: JSON.parse, the field taken, redacted in a copy, JSON.stringify. */
function byParse(body: string, names: ReadonlySet<string>): string | undefined | 'too deep' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.hasOwn(parsed, 'instances'))
    return undefined;
  const walk = (value: unknown, depth: number): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_DEPTH) throw new TooDeep();
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, names.has(key) ? REDACTED : walk(item, depth + 1)]),
    );
  };
  try {
    return JSON.stringify(walk((parsed as Record<string, unknown>).instances, 0));
  } catch (error) {
    if (error instanceof TooDeep) return 'too deep';
    throw error;
  }
}

/** mulberry32: the same documents every run */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random JSON text: every kind of value, spaced at random, keys that are and aren't redacted, some escaped. */
function document(next: () => number): string {
  const one = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const space = () => one(['', '', '', ' ', '\n  ', '\t', '\r\n']);
  const key = () => one(['a', 'b', 'ssn', 'token', 'instances', '\\u0073sn', 'ss\\u006e', 'é', '__proto__', 'a b', '\\"q']);
  const scalar = () =>
    one([
      () => String(Math.round((next() - 0.5) * 1e6) / 100),
      () => one(['0', '-0', '1e5', '2.5E-3', '-12.75e+2', '123456789012345678901234567890']),
      () => one(['true', 'false', 'null']),
      () => JSON.stringify(one(['', 'x', 'é€😀', 'line\nbreak', 'tab\t"quoted"', '\\back'])),
      () => one(['"\\u00e9"', '"\\ud83d\\ude00"', '"\\/"', '"\\b\\f"']),
    ])();
  const value = (depth: number): string => {
    const kind = depth > 4 ? 0 : Math.floor(next() * 3);
    if (kind === 0) return scalar();
    const count = Math.floor(next() * 4);
    const items = Array.from({ length: count }, () =>
      kind === 1
        ? `${space()}${value(depth + 1)}${space()}`
        : `${space()}"${key()}"${space()}:${space()}${value(depth + 1)}${space()}`,
    );
    return kind === 1 ? `[${items.join(',')}${count ? '' : space()}]` : `{${items.join(',')}${count ? '' : space()}}`;
  };
  // mostly a request's shape, sometimes anything
  return next() < 0.8 ? `${space()}{${space()}"instances"${space()}:${space()}${value(0)}${space()}}${space()}` : value(0);
}

/** `text` with one character dropped, doubled or replaced: mostly no longer JSON, sometimes still. */
function mutated(text: string, next: () => number): string {
  const at = Math.floor(next() * text.length);
  const kind = Math.floor(next() * 3);
  const other = '{}[]",:0-.eE\\ tfnu\u0001'[Math.floor(next() * 20)] as string;
  if (kind === 0) return text.slice(0, at) + text.slice(at + 1);
  if (kind === 1) return text.slice(0, at) + text[at] + text.slice(at);
  return text.slice(0, at) + other + text.slice(at + 1);
}

describe('what payload logging stores of a body', () => {
  it('takes the field, redacting a named member at any depth, in arrays too, and keeping the rest as sent', () => {
    expect(field('{"instances": [{"a": 1, "ssn": 2, "b": [{"ssn": {"deep": [1]}}]}], "other": 3}', ['ssn'])).toBe(
      '[{"a": 1, "ssn": "[redacted]", "b": [{"ssn": "[redacted]"}]}]',
    );
    expect(field('{"predictions":[0.25,"x"]}', ['ssn'], 'predictions')).toBe('[0.25,"x"]');
    // a key written with escapes is the name it decodes to
    expect(field('{"instances":[{"\\u0073sn":"123"}]}', ['ssn'])).toBe('[{"\\u0073sn":"[redacted]"}]');
  });

  it('logs nothing of a body that is empty, not JSON, not an object or without the field', () => {
    for (const body of [
      '',
      '{"instances":[1,]}',
      '{"instances":[1]} x',
      '[1,2]',
      '"instances"',
      '{"rows":[1]}',
      '{"instances":01}',
    ])
      expect(field(body), body).toBeUndefined();
    expect(redactedField(null, 'instances', new Redaction([]))).toBeUndefined();
  });

  it('refuses a field nested deeper than MAX_DEPTH, counted from the field as a walk of its parse would', () => {
    const nest = (depth: number) => `{"instances":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
    expect(field(nest(MAX_DEPTH))).toBe(`${'['.repeat(MAX_DEPTH)}1${']'.repeat(MAX_DEPTH)}`);
    expect(() => field(nest(MAX_DEPTH + 1))).toThrow(TooDeep);
    // a redacted member isn't walked, however deep
    expect(field(`{"instances":{"ssn":${'['.repeat(200)}${']'.repeat(200)}}}`, ['ssn'])).toBe('{"ssn":"[redacted]"}');
    // nor deep JSON outside the field, up to the scan's own limit
    expect(() => field(`{"instances":[],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)).toThrow(TooDeep);
  });

  it('agrees with JSON.parse, redaction on the parse and JSON.stringify on 3,000 random bodies, half of them broken', () => {
    const next = random(7);
    const names = new Set(['ssn', 'token']);
    let logged = 0;
    for (let i = 0; i < 3000; i++) {
      const valid = document(next);
      // as bytes and back: a mutation may leave half a surrogate pair, which UTF-8 can't hold
      const body = Buffer.from(i % 2 === 0 ? valid : mutated(valid, next)).toString('utf8');
      const expected = byParse(body, names);
      if (expected === 'too deep') {
        expect(() => field(body, [...names]), body).toThrow(TooDeep);
        continue;
      }
      const got = field(body, [...names]);
      expect(got === undefined ? undefined : JSON.stringify(JSON.parse(got)), body).toBe(expected);
      if (got !== undefined) logged += 1;
    }
    // the bodies exercised both sides
    expect(logged).toBeGreaterThan(500);
    expect(logged).toBeLessThan(2500);
  });

  it('cuts over maxBytes (UTF-8) to a string, never splitting a character', () => {
    expect(capped('[1,2]', 256)).toEqual({ json: '[1,2]', truncated: false });
    expect(capped(undefined, 256)).toEqual({ json: null, truncated: false });
    const cut = capped(JSON.stringify(['é'.repeat(300)]), 257);
    expect(cut.truncated).toBe(true);
    const text = JSON.parse(cut.json as string) as string;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(257);
    expect(text).not.toContain('\uFFFD');
  });
});
