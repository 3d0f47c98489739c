import { describe, expect, it } from 'vitest';
import { SpaceSpecError, spaceFromParameters } from '../tuning/space-spec.js';
import { emptyRow, rowSpec, rowsFromSpace, type SpaceRow, spaceFromRows } from './tune-draft.js';

const row = (over: Partial<SpaceRow>): SpaceRow => ({ ...emptyRow('lr'), ...over });

function problem(run: () => unknown): { message: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof SpaceSpecError) return { message: error.message, field: error.field };
    throw error;
  }
  throw new Error('no problem found');
}

describe("the Tune form's rows", () => {
  it('turns each kind of row into its parameter spec, by the --space rules', () => {
    expect(rowSpec(row({ type: 'loguniform', low: '1e-4', high: '0.1' }))).toEqual({ type: 'loguniform', low: 1e-4, high: 0.1 });
    expect(rowSpec(row({ type: 'int', low: '2', high: '8' }))).toEqual({ type: 'int', low: 2, high: 8 });
    expect(rowSpec(row({ type: 'int', low: '1', high: '64', step: 'log' }))).toEqual({
      type: 'int',
      low: 1,
      high: 64,
      log: true,
    });
    expect(rowSpec(row({ type: 'discrete', low: '0', high: '1', step: '0.25' }))).toEqual({
      type: 'discrete',
      low: 0,
      high: 1,
      step: 0.25,
    });
    expect(rowSpec(row({ type: 'choice', values: 'adam, sgd, 3, false' }))).toEqual({
      type: 'choice',
      values: ['adam', 'sgd', 3, false],
    });
  });

  it('names the parameter at fault as space.<key>, as the bridge does', () => {
    expect(problem(() => rowSpec(row({ type: 'uniform', low: '1', high: '1' })))).toEqual({
      message: 'space.lr: low (1) must be below high (1).',
      field: 'space.lr',
    });
    expect(problem(() => rowSpec(row({ type: 'loguniform', low: '0', high: '1' }))).message).toBe(
      'space.lr: a log scale needs low above 0, not 0.',
    );
    expect(problem(() => rowSpec(row({ type: 'int', low: '1.5', high: '3' }))).field).toBe('space.lr');
    expect(problem(() => rowSpec(row({ type: 'discrete', low: '0', high: '1' }))).message).toBe(
      'space.lr: the step must be above 0, not 0.',
    );
    expect(problem(() => rowSpec(row({ type: 'choice', values: '' }))).field).toBe('space.lr');
  });

  it('splits the rows into the space and the fixed values, refusing an empty search and grid over a range', () => {
    const rows = [
      row({ key: 'lr', type: 'loguniform', low: '0.001', high: '0.1' }),
      row({ key: 'epochs', search: false, fixed: '5' }),
      row({ key: ' ' }),
    ];
    expect(spaceFromRows(rows, 'tpe')).toEqual({
      space: { lr: { type: 'loguniform', low: 0.001, high: 0.1 } },
      fixed: { epochs: '5' },
    });
    expect(problem(() => spaceFromRows([row({ key: 'a', search: false })], 'tpe'))).toEqual({
      message: 'Search at least one parameter.',
      field: 'space',
    });
    expect(problem(() => spaceFromRows(rows, 'grid'))).toEqual({
      message: 'space.lr: grid search needs int, discrete or choice parameters.',
      field: 'space.lr',
    });
    expect(problem(() => spaceFromRows([rows[0] as SpaceRow, rows[0] as SpaceRow], 'tpe')).message).toBe(
      'space.lr is given twice.',
    );
    expect(problem(() => spaceFromRows([row({ key: '9x' })], 'tpe')).field).toBe('space.9x');
  });

  it("pre-fills rows from the parameters cell's space, the ones not searched held fixed, and reads them back", () => {
    const literals = [
      { name: 'lr', value: '0.01', quoted: false },
      { name: 'depth', value: '4', quoted: false },
      { name: 'optimizer', value: 'adam, or not', quoted: true },
      { name: 'layers', value: '[64, 32]', quoted: false },
    ];
    const space = spaceFromParameters(literals);
    const parameters = Object.fromEntries(literals.map((l) => [l.name, l.value]));
    const rows = rowsFromSpace(space, parameters);
    expect(rows.map((r) => [r.key, r.search, r.type, r.low, r.high, r.values, r.fixed])).toEqual([
      ['lr', true, 'loguniform', '0.001', '0.1', '', '0.01'],
      ['depth', true, 'int', '2', '8', '', '4'],
      ['optimizer', true, 'choice', '', '', '["adam, or not"]', 'adam, or not'],
      // a list is no range: it stays fixed as written
      ['layers', false, 'uniform', '', '', '', '[64, 32]'],
    ]);
    expect(spaceFromRows(rows, 'tpe')).toEqual({ space, fixed: { layers: '[64, 32]' } });
    // a bound around a long float is shown to four digits
    const [long] = rowsFromSpace(spaceFromParameters({ x: 2.9783847031 }), {});
    expect([long?.low, long?.high]).toEqual(['0.2978', '29.78']);
  });
});
