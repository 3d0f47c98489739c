import { describe, expect, it } from 'vitest';
import { evaluationBody } from './evaluations.js';

describe('the Evaluate… form', () => {
  it('leaves empty fields to the bridge and sends numbers as numbers', () => {
    expect(evaluationBody({ model: 'm1', data: ' /data/test.csv ', label: '', task: '', threshold: '', maxErrors: '' })).toEqual({
      model: 'm1',
      data: '/data/test.csv',
    });
    expect(
      evaluationBody({
        model: 'm1',
        data: '/d.parquet',
        label: 'species',
        features: 'sepal_length, sepal_width petal_length',
        task: 'classification',
        threshold: '0.7',
        maxErrors: '20',
      }),
    ).toEqual({
      model: 'm1',
      data: '/d.parquet',
      label: 'species',
      features: ['sepal_length', 'sepal_width', 'petal_length'],
      task: 'classification',
      threshold: 0.7,
      maxErrors: 20,
    });
  });

  it('passes what is not a number as typed, for the bridge to refuse naming the field', () => {
    expect(evaluationBody({ model: 'm1', data: '/d.csv', threshold: 'high' }).threshold).toBe('high');
  });
});
