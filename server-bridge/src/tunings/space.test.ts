import { describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { checkSpace, formatValue, gridSize } from './space.js';

const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected a refusal');
};

describe('checkSpace', () => {
  it('takes well-formed parameters of every type', () => {
    expect(() =>
      checkSpace(
        {
          a: { type: 'uniform', low: -1, high: 1 },
          b: { type: 'loguniform', low: 1e-5, high: 1e-1 },
          c: { type: 'int', low: 1, high: 512, log: true },
          d: { type: 'discrete', low: 0.5, high: 0.9, step: 0.1 },
          e: { type: 'choice', values: ['adam', 'sgd', 1, true] },
        },
        'tpe',
      ),
    ).not.toThrow();
  });

  it('names the parameter that is malformed', () => {
    const cases: [Parameters<typeof checkSpace>[0], string, RegExp][] = [
      [{ lr: { type: 'uniform', low: 1, high: 1 } }, 'space.lr', /low \(1\) must be below high \(1\)/],
      [{ lr: { type: 'loguniform', low: -1, high: 1 } }, 'space.lr', /log scale needs low > 0/],
      [{ n: { type: 'int', low: 0, high: 8, log: true } }, 'space.n', /log scale needs low > 0/],
      [{ n: { type: 'int', low: 1, high: 8, step: 2, log: true } }, 'space.n', /log scale takes step 1/],
      [{ n: { type: 'int', low: 1, high: 3, step: 5 } }, 'space.n', /step \(5\) is larger than the range/],
      [{ o: { type: 'choice', values: [1, 1] } }, 'space.o', /choices must differ/],
    ];
    for (const [space, field, message] of cases) {
      const error = refusal(() => checkSpace(space, 'random'));
      expect(error.status).toBe(400);
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
  });

  it('refuses a grid over a continuous parameter', () => {
    const error = refusal(() => checkSpace({ x: { type: 'loguniform', low: 0.1, high: 1 } }, 'grid'));
    expect(error.field).toBe('space.x');
    expect(error.message).toMatch(/grid search takes int, discrete and choice parameters, and this one is loguniform/);
  });
});

describe('gridSize', () => {
  it('multiplies the points of each parameter', () => {
    expect(
      gridSize({
        n: { type: 'int', low: 2, high: 8, step: 2 },
        m: { type: 'discrete', low: 0.1, high: 0.3, step: 0.1 },
        o: { type: 'choice', values: ['a', 'b'] },
      }),
    ).toBe(4 * 3 * 2);
  });

  it('refuses a grid of more than 10,000 points', () => {
    const big = { type: 'int' as const, low: 1, high: 101 };
    expect(refusal(() => gridSize({ a: big, b: big })).field).toBe('space');
  });
});

describe('formatValue', () => {
  it('writes a value as the training gets it: a float stays a float', () => {
    expect(formatValue({ type: 'uniform', low: 0, high: 5 }, 2)).toBe('2.0');
    expect(formatValue({ type: 'loguniform', low: 0.001, high: 1 }, 0.0031)).toBe('0.0031');
    expect(formatValue({ type: 'int', low: 0, high: 5 }, 2)).toBe('2');
    expect(formatValue({ type: 'choice', values: [true, false] }, false)).toBe('false');
  });

  it("writes a discrete range's value without the float error of its step", () => {
    const spec = { type: 'discrete', low: 0.1, high: 0.9, step: 0.1 } as const;
    expect(formatValue(spec, 0.1 + 2 * 0.1)).toBe('0.3');
    expect(formatValue(spec, 0.1 + 9 * 0.1 - 0.1)).toBe('0.9');
    expect(formatValue({ type: 'discrete', low: 0, high: 4, step: 2 }, 4)).toBe('4.0');
    expect(formatValue({ type: 'choice', values: ['adam'] }, 'adam')).toBe('adam');
  });
});
