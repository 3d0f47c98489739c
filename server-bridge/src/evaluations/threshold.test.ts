import { describe, expect, it } from 'vitest';
import { figuresAt, lowerBound, parseCurves } from './threshold.js';

// 10 rows, class "yes" has 4 of them; the scores of "yes", ascending, with their precision/recall at ">= t"
const curves = parseCurves(
  JSON.stringify({
    rows: 10,
    classes: ['no', 'yes'],
    support: [6, 4],
    curves: [
      { class: 'no', thresholds: [0.2, 0.5, 0.9], precision: [0.6, 0.75, 1], recall: [1, 0.5, 1 / 6] },
      { class: 'yes', thresholds: [0.1, 0.4, 0.8], precision: [0.4, 0.5, 0], recall: [1, 0.75, 0] },
    ],
  }),
);

describe('figures at a threshold, from the stored curves', () => {
  it('finds the first threshold at or above the one asked', () => {
    const sorted = Float64Array.from([0.1, 0.4, 0.8]);
    expect([0, 0.1, 0.2, 0.4, 0.79, 0.8, 0.81].map((t) => lowerBound(sorted, t))).toEqual([0, 0, 1, 1, 2, 2, 3]);
  });

  it('reads precision and recall there, counts the rows predicted, and averages the classes that have figures', () => {
    const at = figuresAt(curves, 0.45);
    expect(at.threshold).toBe(0.45);
    expect(at.perClass[0]).toEqual({ class: 'no', precision: 0.75, recall: 0.5, f1: 0.6, predicted: 4, support: 6 });
    // precision 0 at 0.8: no true positives, so no count can be told from the curve
    expect(at.perClass[1]).toEqual({ class: 'yes', precision: 0, recall: 0, f1: 0, predicted: 0, support: 4 });
    expect(at.macro.precision).toBeCloseTo(0.375);
    expect(at.macro.recall).toBeCloseTo(0.25);
  });

  it('past the highest score nothing is predicted: precision null, recall 0, left out of the macro precision', () => {
    const at = figuresAt(curves, 0.95);
    expect(at.perClass.map((c) => [c.precision, c.recall, c.f1, c.predicted])).toEqual([
      [null, 0, null, 0],
      [null, 0, null, 0],
    ]);
    expect(at.macro).toEqual({ precision: null, recall: 0, f1: null });
  });
});
