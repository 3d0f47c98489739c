import { BUILTIN_RECIPES, builtinRecipe, type Dataset, type Recipe } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { changedValues, columnsOf, datasetsThatFit, firstProblem, initialValues, parameterProblem } from './recipe-form.js';

const recipe = (name: string): Recipe => {
  const builtin = BUILTIN_RECIPES.find((b) => b.name === name);
  if (!builtin) throw new Error(name);
  return builtinRecipe(builtin);
};
const knn = recipe('number-classification');
const parameter = (r: Recipe, name: string) => r.parameters.find((p) => p.name === name) as Recipe['parameters'][number];

const dataset = (name: string, kind: 'table' | 'class-folders', columns: string[] = []): Dataset =>
  ({
    id: `ds-${name}`,
    name,
    latest: {
      version: 2,
      schema: { kind, columns: columns.map((c) => ({ name: c, type: 'number', nulls: 0, distinct: null })), classes: [] },
    },
  }) as unknown as Dataset;

describe("the Train Recipe form's rules", () => {
  it.each([
    ['k', '5', undefined],
    ['k', ' 7 ', undefined],
    ['k', 'five', { problem: 'integer' }],
    ['k', '0', { problem: 'minimum', detail: '1' }],
    ['k', '101', { problem: 'maximum', detail: '100' }],
    ['holdout', '.3', undefined],
    ['holdout', '1e-1', undefined],
    ['holdout', '0x1', { problem: 'number' }],
    ['scale', 'FALSE', undefined],
    ['scale', 'yes', { problem: 'boolean' }],
    ['weights', 'distance', undefined],
    ['weights', 'closest', { problem: 'choice', detail: 'uniform, distance' }],
    ['label', '', { problem: 'required' }],
    ['features', '', undefined],
  ])('%s = %j: %j', (name, value, problem) => {
    expect(parameterProblem(parameter(knn, name), value)).toEqual(problem);
  });

  it("checks columns against the train dataset's only when they are known", () => {
    const label = parameter(knn, 'label');
    const features = parameter(knn, 'features');
    expect(parameterProblem(label, 'species')).toBeUndefined();
    expect(parameterProblem(label, 'species', ['a', 'species'])).toBeUndefined();
    expect(parameterProblem(label, 'kind', ['a', 'species'])).toEqual({ problem: 'column', detail: 'kind' });
    expect(parameterProblem(features, 'a, b', ['a', 'species'])).toEqual({ problem: 'column', detail: 'b' });
  });

  it('starts from the defaults and names the first value to fix', () => {
    const values = initialValues(knn);
    expect(values).toMatchObject({ label: '', k: '5', weights: 'uniform', features: '' });
    expect(firstProblem(knn, values)?.parameter.name).toBe('label');
    expect(firstProblem(knn, { ...values, label: 'species' })).toBeUndefined();
    expect(firstProblem(knn, { ...values, label: 'species', k: '-1' })?.problem).toEqual({ problem: 'minimum', detail: '1' });
  });

  it('sends only what differs from the defaults', () => {
    expect(changedValues(knn, { ...initialValues(knn), label: ' species ', k: '5', scale: 'false' })).toEqual({
      label: 'species',
      scale: 'false',
    });
  });

  it('offers the datasets of the kinds a slot takes, pinned to their newest version', () => {
    const all = [dataset('iris', 'table', ['a', 'species']), dataset('digits', 'class-folders')];
    expect(datasetsThatFit(knn.datasets[0] as never, all).map((d) => d.ref)).toEqual(['iris:2']);
    expect(datasetsThatFit(recipe('image-classification').datasets[0] as never, all).map((d) => d.ref)).toEqual(['digits:2']);
    expect(datasetsThatFit({ name: 'train', kinds: [], description: '' }, all)).toHaveLength(2);
    expect(columnsOf('iris:2', all)).toEqual(['a', 'species']);
    expect(columnsOf('digits', all)).toEqual([]);
    expect(columnsOf('/data/x.csv', all)).toEqual([]);
  });
});
