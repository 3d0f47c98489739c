import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NAME_PATTERN } from '../schemas/common.js';
import type { DatasetPreview, DatasetSchema } from '../schemas/datasets.js';
import { MODEL_TYPES } from '../schemas/recipes.js';
import { VIEW_STRINGS } from '../views/strings.js';
import {
  defaultChoices,
  formParameters,
  NO_CODE_TEXTS,
  noCodeCards,
  noCodeTraining,
  quickTestSample,
  schemaFits,
  tableColumns,
} from './no-code.js';

// The scanner's real answers for iris as a CSV and a class-folder tree (views/fixtures/make_datasets.py).
const fixtures = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'views', 'fixtures', 'datasets.json'), 'utf8'),
) as Record<'table' | 'classes', DatasetPreview>;
const iris = fixtures.table.schema;
const mixed = fixtures.classes.schema;
const only = (kind: string): DatasetSchema => ({ ...mixed, classes: mixed.classes.filter((c) => c.sampleKind === kind) });
const images = only('image');
const reviews: DatasetSchema = {
  ...iris,
  rows: 40,
  columns: [
    { name: 'id', type: 'integer', nulls: 0, distinct: 40 },
    { name: 'review', type: 'string', nulls: 0, distinct: 40 },
    { name: 'sentiment', type: 'string', nulls: 0, distinct: 2 },
  ],
};
const NOW = new Date('2026-12-06T23:15:07Z');
const at = (name: string, schema: DatasetSchema, version = 2) => ({ name, version, schema });

describe('the no-code cards', () => {
  it('are the six built-in types in order, each with its input and the dataset kinds of its recipe', () => {
    const cards = noCodeCards();
    expect(cards.map((c) => c.modelType)).toEqual([...MODEL_TYPES]);
    expect(cards.map((c) => c.input)).toEqual(['image', 'text', 'audio', 'row', 'row', 'row']);
    expect(cards[1]?.datasetKinds).toEqual(['class-folders', 'table']);
    expect(cards[3]?.datasetKinds).toEqual(['table']);
  });

  it('have their words in VIEW_STRINGS, for both catalogs', () => {
    for (const text of NO_CODE_TEXTS) expect(VIEW_STRINGS).toContain(text);
    for (const card of noCodeCards()) expect(NO_CODE_TEXTS).toEqual(expect.arrayContaining([card.title, card.explanation]));
  });
});

describe('which datasets fit a type', () => {
  it('takes class folders of the files the type reads, and tables with the columns it needs', () => {
    expect(schemaFits('image-classification', images)).toBe(true);
    expect(schemaFits('audio-classification', images)).toBe(false);
    expect(schemaFits('text-classification', only('text'))).toBe(true);
    // a tree of images, sounds and texts mixed is none of them
    expect(MODEL_TYPES.filter((t) => schemaFits(t, mixed))).toEqual([]);
    expect(MODEL_TYPES.filter((t) => schemaFits(t, iris))).toEqual(['number-classification', 'number-prediction', 'clustering']);
    expect(schemaFits('text-classification', reviews)).toBe(true);
  });

  it('offers every column as the label and the numeric ones as features', () => {
    expect(tableColumns(reviews)).toEqual({ label: ['id', 'review', 'sentiment'], features: ['id'] });
  });
});

describe('the defaults', () => {
  it('take the last low-cardinality string column as the label, else the last column, and the numeric rest as features', () => {
    expect(defaultChoices('number-classification', at('iris', iris))).toMatchObject({
      label: 'target',
      features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      k: '5',
    });
    expect(defaultChoices('text-classification', at('reviews', reviews))).toMatchObject({ label: 'sentiment', text: 'review' });
    expect(defaultChoices('number-prediction', at('iris', iris))).toMatchObject({ target: 'target' });
    expect(defaultChoices('clustering', at('iris', iris))).toMatchObject({
      k: '3',
      features: expect.arrayContaining(['target']),
    });
  });

  it("start the type's other parameters at the recipe's defaults", () => {
    expect(defaultChoices('image-classification').parameters).toEqual({
      epochs: '15',
      learning_rate: '0.001',
      batch_size: '32',
      image_size: '32',
      holdout: '0.2',
    });
    expect(formParameters('number-prediction').map((p) => p.name)).toEqual(['scale', 'holdout']);
  });
});

describe('the training the choices make', () => {
  it('pins the version previewed, names the model after the data and the type, and passes the choices', () => {
    const choices = defaultChoices('image-classification', at('digits', images, 3));
    choices.parameters.epochs = '4';
    const result = noCodeTraining('image-classification', choices, NOW);
    expect(result).toEqual({
      ok: true,
      name: 'digits-image-classification-20261206-231507',
      body: {
        name: 'digits-image-classification-20261206-231507',
        datasets: { train: 'digits:3' },
        hyperparameters: { epochs: '4', learning_rate: '0.001', batch_size: '32', image_size: '32', holdout: '0.2' },
        model: 'digits-image-classification',
      },
    });
    if (result.ok) {
      expect(result.body.name).toMatch(new RegExp(NAME_PATTERN));
      expect(result.body.model).toMatch(new RegExp(NAME_PATTERN));
    }
  });

  it('sends the columns and K of a table', () => {
    const result = noCodeTraining(
      'number-classification',
      { ...defaultChoices('number-classification', at('iris', iris)), k: ' 7 ' },
      NOW,
    );
    expect(result.ok && result.body.hyperparameters).toMatchObject({
      label: 'target',
      features: 'sepal_length,sepal_width,petal_length,petal_width',
      k: '7',
      weights: 'uniform',
      scale: 'true',
    });
    const text = noCodeTraining('text-classification', defaultChoices('text-classification', at('reviews', reviews)), NOW);
    expect(text.ok && text.body.hyperparameters).toMatchObject({ text: 'review', label: 'sentiment' });
  });

  it('names what to fix, in words and with its field, before anything is sent', () => {
    const error = (type: Parameters<typeof noCodeTraining>[0], choices: Parameters<typeof noCodeTraining>[1]) => {
      const result = noCodeTraining(type, choices, NOW);
      return result.ok ? null : result.error;
    };
    const irisChoices = () => defaultChoices('number-classification', at('iris', iris));
    expect(error('image-classification', defaultChoices('image-classification'))).toEqual({
      text: 'Choose a dataset first.',
      args: [],
      field: 'dataset',
    });
    expect(error('image-classification', defaultChoices('image-classification', at('iris', iris)))).toMatchObject({
      text: 'Dataset {0} does not fit this model type.',
      args: ['iris'],
    });
    const one = { ...images, classes: images.classes.slice(0, 1) };
    expect(error('image-classification', defaultChoices('image-classification', at('shapes', one)))).toMatchObject({
      args: ['shapes', 1],
      field: 'dataset',
    });
    const empty = { ...images, classes: [...images.classes, { name: 'blank', count: 0, sampleKind: 'image' as const }] };
    expect(error('image-classification', defaultChoices('image-classification', at('shapes', empty)))).toMatchObject({
      text: 'Class {0} has no usable files.',
      args: ['blank'],
    });
    expect(error('number-classification', { ...irisChoices(), label: 'species' })).toMatchObject({
      text: 'Column {0} is not in the dataset.',
      args: ['species'],
      field: 'label',
    });
    expect(error('number-classification', { ...irisChoices(), features: [] })).toMatchObject({ field: 'features' });
    expect(error('number-classification', { ...irisChoices(), features: ['target'] })).toMatchObject({
      text: 'Column {0} cannot be both predicted and a feature.',
    });
    const withText = { ...reviews, columns: [...reviews.columns, { name: 'x', type: 'number' as const, nulls: 0, distinct: 9 }] };
    expect(
      error('number-prediction', { ...defaultChoices('number-prediction', at('r', withText)), features: ['review'] }),
    ).toMatchObject({ text: 'Feature column {0} is not numeric.', args: ['review'] });
    expect(error('number-classification', { ...irisChoices(), k: '0' })).toEqual({
      text: '{0} must be a whole number from {1} to {2}.',
      args: ['K', 1, 100],
      field: 'k',
    });
    const image = defaultChoices('image-classification', at('digits', images));
    expect(error('image-classification', { ...image, parameters: { ...image.parameters, learning_rate: 'fast' } })).toMatchObject(
      {
        text: '{0} must be a number from {1} to {2}.',
        args: ['Learning rate', 0.000001, 1],
        field: 'learning_rate',
      },
    );
    expect(error('image-classification', { ...image, parameters: { ...image.parameters, epochs: '2.5' } })).toMatchObject({
      field: 'epochs',
    });
  });
});

describe("the quick test's starting JSON", () => {
  it('is a row of the features for a table model, a list of texts for a text model, nothing for files', () => {
    expect(quickTestSample('number-prediction', { features: 'a,b' })).toBe('[{"a":0,"b":0}]');
    expect(quickTestSample('text-classification', {})).toBe('["…"]');
    expect(quickTestSample('image-classification', {})).toBeNull();
  });
});
