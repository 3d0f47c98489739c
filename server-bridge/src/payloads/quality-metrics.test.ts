import { describe, expect, it } from 'vitest';
import { guessTask, qualityOf } from './quality-metrics.js';

describe('rolling quality of one window', () => {
  it('classification: accuracy and macro F1 as scikit-learn has them, "1" and 1 one class', () => {
    const pairs = [
      { label: 'a', prediction: 'a' },
      { label: 'a', prediction: 'b' },
      { label: 'b', prediction: 'b' },
      { label: 1, prediction: '1' },
    ];
    const { count, metrics } = qualityOf('classification', pairs);
    expect(count).toBe(4);
    expect(metrics.accuracy).toBe(0.75);
    // a: p=1 r=.5 f1=2/3; b: p=.5 r=1 f1=2/3; 1: f1=1 → mean 7/9
    expect(metrics.f1).toBeCloseTo(7 / 9, 10);
  });

  it('regression: MAE and RMSE; objects and one-value arrays read as their prediction; unusable pairs left out', () => {
    const pairs = [
      { label: 1.5, prediction: [2.5] },
      { label: 0, prediction: { prediction: -3 } },
      { label: 'x', prediction: 1 },
      { label: 2, prediction: null },
    ];
    expect(guessTask(pairs.slice(0, 2))).toBe('regression');
    expect(qualityOf('regression', pairs)).toEqual({ count: 2, metrics: { mae: 2, rmse: Math.sqrt(5) } });
    expect(qualityOf('classification', [])).toEqual({ count: 0, metrics: {} });
  });
});
