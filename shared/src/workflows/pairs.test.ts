import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addPair,
  describePairProblem,
  formatPairs,
  PAIR_STRINGS,
  type PairKind,
  PairsError,
  pairsProblem,
  parsePairs,
} from './pairs.js';

/** The cases the Python package's `%emkit` (emkit/magics/pairs.py) is tested with too: one rule, two languages. */
const SHARED_CASES = JSON.parse(readFileSync(new URL('./pairs.cases.json', import.meta.url), 'utf8')) as {
  cases: { kind: PairKind; entries: string[]; pairs?: Record<string, string>; error?: string }[];
};

const problem = (text: string, kind: 'hyperparameter' | 'dataset' | 'tag' = 'hyperparameter') => pairsProblem(text, kind);

describe('key=value pairs', () => {
  it('split each entry at its first "=", so a value may hold more', () => {
    expect(parsePairs('query=a=b lr=0.1', 'hyperparameter')).toEqual({ query: 'a=b', lr: '0.1' });
    expect(addPair({}, 'url=http://x/?a=1', 'tag')).toEqual({ url: 'http://x/?a=1' });
  });

  it('take entries separated by spaces, line breaks or both, and nothing from blank text', () => {
    expect(parsePairs('lr=0.01 epochs=5\n\n  batch=32\r\n', 'hyperparameter')).toEqual({ lr: '0.01', epochs: '5', batch: '32' });
    expect(parsePairs('  \n ', 'hyperparameter')).toEqual({});
  });

  it('keep a quoted value whole, with spaces, commas and escaped quotes', () => {
    expect(parsePairs(`msg="hello world" layers='[64, 32]' say="a \\"b\\" c\\\\"`, 'hyperparameter')).toEqual({
      msg: 'hello world',
      layers: '[64, 32]',
      say: 'a "b" c\\',
    });
    // a backslash outside quotes is a character (a Windows path), not an escape
    expect(parsePairs('train=C:\\data\\train.csv', 'dataset')).toEqual({ train: 'C:\\data\\train.csv' });
  });

  it('allow an empty value, except for a dataset, which is a path', () => {
    expect(parsePairs('debug= quiet=""', 'hyperparameter')).toEqual({ debug: '', quiet: '' });
    expect(problem('train=', 'dataset')).toEqual({ problem: 'no-value', key: 'train' });
  });

  it('refuse an entry with no "=" or no key', () => {
    expect(problem('lr 0.1')).toEqual({ problem: 'not-a-pair', entry: 'lr' });
    expect(problem('lr = 0.1')).toEqual({ problem: 'not-a-pair', entry: 'lr' });
    expect(problem('=0.1')).toEqual({ problem: 'not-a-pair', entry: '=0.1' });
  });

  it("refuse a key the kind's schema pattern refuses, before anything is sent", () => {
    expect(problem('learning.rate=1')).toEqual({ problem: 'bad-key', kind: 'hyperparameter', key: 'learning.rate' });
    expect(problem('my-data=/x', 'dataset')).toEqual({ problem: 'bad-key', kind: 'dataset', key: 'my-data' });
    expect(problem('team/owner=me', 'tag')).toBeNull();
    expect(problem('lr-max=1')).toBeNull();
  });

  it('refuse a key given twice rather than drop one', () => {
    expect(problem('lr=1 lr=2')).toEqual({ problem: 'twice', key: 'lr' });
    expect(() => addPair({ lr: '1' }, 'lr=2', 'hyperparameter')).toThrow(PairsError);
  });

  it('refuse a quote left open', () => {
    expect(problem('msg="hello')).toEqual({ problem: 'open-quote', text: 'msg="hello' });
  });

  it('say each problem in English, or through the translator given', () => {
    expect(new PairsError({ problem: 'not-a-pair', entry: 'lr' }).message).toBe('"lr" is not key=value.');
    expect(new PairsError({ problem: 'bad-key', kind: 'dataset', key: 'a-b' }).message).toBe(
      '"a-b" is not a dataset name: letters, digits and "_", starting with a letter or "_", at most 50.',
    );
    const t = (text: string, ...args: (string | number)[]) => `[${text}|${args.join(',')}]`;
    expect(describePairProblem({ problem: 'twice', key: 'lr' }, t)).toBe(`[${PAIR_STRINGS.twice}|lr]`);
  });

  it('format pairs so that they parse back the same', () => {
    const pairs = { lr: '0.1', msg: 'hello world', quoted: 'say "hi"', path: 'C:\\x y\\z', empty: '', eq: 'a=b' };
    const text = formatPairs(pairs);
    expect(text.split('\n')).toHaveLength(6);
    expect(parsePairs(text, 'hyperparameter')).toEqual(pairs);
    expect(parsePairs(formatPairs(pairs, ' '), 'hyperparameter')).toEqual(pairs);
  });

  it.each(SHARED_CASES.cases)('follow the shared case $kind $entries (the Python magics are held to the same)', (c) => {
    const fold = () => c.entries.reduce<Record<string, string>>((pairs, entry) => addPair(pairs, entry, c.kind), {});
    if (c.pairs) return expect(fold()).toEqual(c.pairs);
    const refused = (() => {
      try {
        return fold();
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(PairsError);
    expect((refused as PairsError).message).toBe(c.error);
  });
});
