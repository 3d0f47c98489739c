import type { EvaluationResult } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { comparisonHolds, describeFigure, figureOf } from './metric.js';

const result = {
  task: 'classification',
  rows: 30,
  seconds: 0.1,
  classification: { accuracy: 0.9, macro: { precision: 0.8, recall: 0.7, f1: 0.75 }, rocAuc: null },
  regression: null,
  clustering: null,
  errors: [],
} as unknown as EvaluationResult;

describe('a promote step’s figure', () => {
  it('reads a dotted path under the task, then from the top, then the headline figures', () => {
    expect(figureOf(result, {}, 'accuracy')).toBe(0.9);
    expect(figureOf(result, {}, 'macro.f1')).toBe(0.75);
    expect(figureOf(result, {}, 'rows')).toBe(30);
    expect(figureOf(result, {}, 'classification.accuracy')).toBe(0.9);
    expect(figureOf(result, { macroF1: 0.75 }, 'macroF1')).toBe(0.75);
    expect(figureOf(result, {}, 'rocAuc')).toBeUndefined();
    expect(figureOf(result, {}, 'macro.nope')).toBeUndefined();
    expect(figureOf(null, {}, 'accuracy')).toBeUndefined();
  });

  it('compares both ways', () => {
    expect(comparisonHolds(0.9, '>=', 0.9)).toBe(true);
    expect(comparisonHolds(0.9, '>', 0.9)).toBe(false);
    expect(comparisonHolds(0.2, '<', 0.3)).toBe(true);
    expect(comparisonHolds(0.3, '<=', 0.3)).toBe(true);
    expect(describeFigure(0.912345)).toBe('0.9123');
  });
});
