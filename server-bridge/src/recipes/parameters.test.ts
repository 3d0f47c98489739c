import { BUILTIN_RECIPES, builtinRecipe } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { checkColumns, inferParameters, inferType, resolveValues } from './parameters.js';

const knn = builtinRecipe(BUILTIN_RECIPES.find((b) => b.name === 'number-classification') as (typeof BUILTIN_RECIPES)[number]);

function refusal(work: () => unknown): { status: number; field: string | undefined } {
  try {
    work();
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, field: error.field };
    throw error;
  }
  throw new Error('not refused');
}

describe('recipe parameters', () => {
  it('types a value as the runner reads it back', () => {
    expect(['3', '-2', '0.5', '1e-3', '.5', 'True', 'false', 'adam', '[1, 2]', ''].map(inferType)).toEqual([
      'integer',
      'integer',
      'number',
      'number',
      'number',
      'boolean',
      'boolean',
      'string',
      'string',
      'string',
    ]);
  });

  it("takes the parameters cell's defaults first, then the training's other values", () => {
    const cell = [
      { name: 'C', value: '1.0', quoted: false },
      { name: 'epochs', value: '3', quoted: false },
      { name: 'tag', value: '5', quoted: true },
    ];
    const parameters = inferParameters({ C: '0.5', extra: 'x', n: '4' }, cell);
    expect(parameters.map(({ name, type, default: d }) => [name, type, d])).toEqual([
      ['C', 'number', '1.0'],
      ['epochs', 'integer', '3'],
      // `tag = "5"` in the notebook is text, not a number
      ['tag', 'string', '5'],
      ['extra', 'string', 'x'],
      ['n', 'integer', '4'],
    ]);
  });

  it('overlays the defaults with the values given, and refuses bad ones naming them', () => {
    expect(resolveValues(knn, { label: 'species', k: '7' })).toMatchObject({ label: 'species', k: '7', weights: 'uniform' });
    expect(refusal(() => resolveValues(knn, { label: 'y', nope: '1' }))).toEqual({ status: 400, field: 'hyperparameters.nope' });
    expect(refusal(() => resolveValues(knn, { label: 'y', k: '101' }))).toEqual({ status: 400, field: 'hyperparameters.k' });
    expect(refusal(() => resolveValues(knn, { label: 'y', holdout: 'half' }))).toEqual({
      status: 400,
      field: 'hyperparameters.holdout',
    });
    expect(refusal(() => resolveValues(knn, {}))).toEqual({ status: 422, field: 'hyperparameters.label' });
    expect(refusal(() => resolveValues(knn, { label: '' }))).toEqual({ status: 422, field: 'hyperparameters.label' });
  });

  it("checks column values against the table's columns", () => {
    const values = resolveValues(knn, { label: 'species', features: 'a, b' });
    expect(() => checkColumns(knn, values, ['a', 'b', 'species'], 'train')).not.toThrow();
    expect(refusal(() => checkColumns(knn, values, ['a', 'species'], 'train'))).toEqual({
      status: 422,
      field: 'hyperparameters.features',
    });
  });
});
