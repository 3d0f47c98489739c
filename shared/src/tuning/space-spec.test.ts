import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { notebookParameterEntries } from '../notebook.js';
import type { SearchSpace } from '../schemas/tunings.js';
import {
  checkParameterSpec,
  formatParameterSpec,
  formatSpace,
  parseParameterSpec,
  parseSpace,
  parseSpaceEntry,
  SpaceSpecError,
  spaceFromParameters,
} from './space-spec.js';

const { cases } = JSON.parse(readFileSync(new URL('./space-spec.cases.json', import.meta.url), 'utf8')) as {
  cases: { text: string; key?: string; spec?: unknown; error?: string; field?: string }[];
};

function caught(run: () => unknown): SpaceSpecError {
  try {
    run();
  } catch (error) {
    if (error instanceof SpaceSpecError) return error;
    throw error;
  }
  throw new Error('no SpaceSpecError');
}

describe('the --space text', () => {
  it.each(cases)('$text', ({ text, key, spec, error, field }) => {
    if (error !== undefined) {
      const thrown = caught(() => parseSpaceEntry(text));
      expect(thrown.message).toBe(error);
      expect(thrown.field).toBe(field);
    } else {
      expect(parseSpaceEntry(text)).toEqual([key, spec]);
    }
  });

  it('reads back what it formats', () => {
    for (const { spec, key } of cases) {
      if (!spec || !key) continue;
      const parsed = parseParameterSpec(key, formatParameterSpec(spec as never));
      expect(parsed).toEqual(spec);
    }
    expect(formatParameterSpec({ type: 'choice', values: ['adam', 2, true] })).toBe('choice:adam,2,true');
    expect(formatParameterSpec({ type: 'choice', values: ['2', 'a,b', ' x'] })).toBe('choice:["2","a,b"," x"]');
    expect(formatParameterSpec({ type: 'int', low: 1, high: 8, step: 1 })).toBe('int:1:8');
    expect(formatParameterSpec({ type: 'loguniform', low: 1e-7, high: 0.1 })).toBe('loguniform:1e-7:0.1');
  });

  it('makes a space of several entries and refuses a key given twice or none', () => {
    const space = parseSpace(['lr=loguniform:1e-4:1e-1', 'depth=int:2:8', 'opt=choice:adam,sgd']);
    expect(formatSpace(space)).toEqual(['lr=loguniform:0.0001:0.1', 'depth=int:2:8', 'opt=choice:adam,sgd']);
    const twice = caught(() => parseSpace(['lr=uniform:0:1', 'lr=uniform:0:2']));
    expect([twice.message, twice.field]).toEqual(['space.lr is given twice.', 'space.lr']);
    expect(caught(() => parseSpace([])).field).toBe('space');
  });

  it('speaks the front end language', () => {
    const t = (text: string, ...args: (string | number)[]) => `[ko] ${text} ${args.join('|')}`;
    expect(caught(() => parseSpaceEntry('lr=uniform:2:1', t)).message).toBe(
      '[ko] space.{0}: low ({1}) must be below high ({2}). lr|2|1',
    );
  });

  it('checks a spec built from form fields as the bridge does', () => {
    expect(() => checkParameterSpec('lr', { type: 'loguniform', low: 0, high: 1 })).toThrow(SpaceSpecError);
    expect(() => checkParameterSpec('lr', { type: 'uniform', low: 0, high: 1 })).not.toThrow();
    expect(() => checkParameterSpec('opt', { type: 'choice', values: [] })).toThrow('space.opt: a choice needs');
  });
});

describe('a space around the starting values', () => {
  it('makes ranges of numbers and choices of the rest', () => {
    expect(spaceFromParameters({ lr: 0.01, epochs: 10, opt: 'adam', shuffle: true, offset: -0.5, bias: -4, zero: 0 })).toEqual({
      lr: { type: 'loguniform', low: 0.001, high: 0.1 },
      epochs: { type: 'int', low: 5, high: 20 },
      opt: { type: 'choice', values: ['adam'] },
      shuffle: { type: 'choice', values: [true, false] },
      offset: { type: 'uniform', low: -5, high: -0.05 },
      bias: { type: 'int', low: -8, high: -2 },
      zero: { type: 'int', low: 0, high: 10 },
    } satisfies SearchSpace);
    expect(spaceFromParameters({ one: 1, minusOne: -1 })).toEqual({
      one: { type: 'int', low: 1, high: 2 },
      minusOne: { type: 'int', low: -2, high: -1 },
    });
  });

  it("reads a notebook's parameters cell: 1.0 stays a float, quoted stays text, lists stay fixed", () => {
    const notebook = {
      cells: [
        {
          cell_type: 'code',
          metadata: { tags: ['parameters'] },
          source: ['lr = 1.0\n', 'depth = 4\n', 'name = "5"\n', 'layers = [64, 64]\n', 'augment = True\n', 'gamma = 0.0\n'],
        },
      ],
    };
    expect(spaceFromParameters(notebookParameterEntries(notebook))).toEqual({
      lr: { type: 'loguniform', low: 0.1, high: 10 },
      depth: { type: 'int', low: 2, high: 8 },
      name: { type: 'choice', values: ['5'] },
      augment: { type: 'choice', values: [true, false] },
      gamma: { type: 'uniform', low: 0, high: 1 },
    });
  });

  it('gives a space every spec of which parses back', () => {
    const space = spaceFromParameters({ lr: 3e-4, n: 37, kind: 'a b', flag: false });
    expect(parseSpace(formatSpace(space))).toEqual(space);
  });
});
