import { describe, expect, it } from 'vitest';
import { VIEW_STRINGS } from '../views/strings.js';
import { analyseQuality, untoldNonFinite } from './analyse.js';
import { earlyStopDecision, earlyStoppedReason } from './early-stopping.js';
import { detectOverfitting, detectPlateau } from './fit.js';
import { QUALITY_STRINGS, qualityNotes } from './notes.js';
import { pairMetricTags, tagRole } from './pairs.js';

const series = (values: (number | null)[], every = 1) => values.map((value, i) => ({ step: i * every, value }));

describe('pairing training and validation series', () => {
  it.each([
    [['loss', 'val_loss'], { metric: 'loss', train: 'loss', validation: 'val_loss' }],
    [['train/loss', 'val/loss'], { metric: 'loss', train: 'train/loss', validation: 'val/loss' }],
    [['loss/train', 'loss/validation'], { metric: 'loss', train: 'loss/train', validation: 'loss/validation' }],
    [['train_loss', 'valid_loss'], { metric: 'loss', train: 'train_loss', validation: 'valid_loss' }],
    [['loss_train', 'loss_val'], { metric: 'loss', train: 'loss_train', validation: 'loss_val' }],
    [
      ['train/epoch_loss', 'validation/epoch_loss'],
      { metric: 'epoch_loss', train: 'train/epoch_loss', validation: 'validation/epoch_loss' },
    ],
    [
      ['metrics/train/acc', 'metrics/eval/acc'],
      { metric: 'metrics/acc', train: 'metrics/train/acc', validation: 'metrics/eval/acc' },
    ],
    [['Loss/Train', 'Loss/Val'], { metric: 'Loss', train: 'Loss/Train', validation: 'Loss/Val' }],
  ])('%j', (tags, pair) => {
    expect(pairMetricTags(tags)).toEqual([pair]);
  });

  it('prefers an explicit training tag over a plain one, pairs several metrics, and leaves the rest alone', () => {
    expect(pairMetricTags(['loss', 'train_loss', 'val_loss', 'accuracy', 'val_accuracy', 'lr', 'val_only'])).toEqual([
      { metric: 'accuracy', train: 'accuracy', validation: 'val_accuracy' },
      { metric: 'loss', train: 'train_loss', validation: 'val_loss' },
    ]);
    expect(pairMetricTags(['loss', 'lr', 'validation'])).toEqual([]);
    expect(pairMetricTags([])).toEqual([]);
  });

  it('says what a tag measures and in which role', () => {
    expect(tagRole('loss')).toEqual({ base: 'loss', role: 'plain' });
    expect(tagRole('interval')).toEqual({ base: 'interval', role: 'plain' });
    expect(tagRole('dev-f1')).toEqual({ base: 'f1', role: 'validation' });
    expect(tagRole('train')).toEqual({ base: 'train', role: 'plain' });
  });
});

const pair = { metric: 'loss', train: 'loss', validation: 'val_loss' };

describe('overfitting', () => {
  it('is flagged from the best validation step once validation has risen while training kept falling', () => {
    const train = series([1, 0.8, 0.6, 0.45, 0.35, 0.27, 0.2, 0.15, 0.11]);
    const val = series([1.1, 0.9, 0.75, 0.7, 0.74, 0.8, 0.88, 0.95, 1.0]);
    expect(detectOverfitting(pair, train, val, 'min')).toEqual({ ...pair, fromStep: 3, best: 0.7, lastStep: 8 });
  });

  it('needs RISING_POINTS points above the best, each by more than noise', () => {
    const train = series([1, 0.8, 0.6, 0.45, 0.35, 0.27]);
    expect(detectOverfitting(pair, train, series([1.1, 0.9, 0.75, 0.7, 0.74, 0.8]), 'min')).toBeNull();
    expect(detectOverfitting(pair, train, series([1.1, 0.9, 0.7, 0.701, 0.702, 0.703]), 'min')).toBeNull();
  });

  it('is not flagged when training got worse too, or for a falling validation series', () => {
    const val = series([1.1, 0.9, 0.7, 0.8, 0.9, 1.0]);
    expect(detectOverfitting(pair, series([1, 0.8, 0.6, 0.7, 0.8, 0.9]), val, 'min')).toBeNull();
    expect(detectOverfitting(pair, series([1, 0.8, 0.6, 0.5]), series([1, 0.9, 0.8, 0.7, 0.6]), 'min')).toBeNull();
  });

  it('reads an accuracy the other way up, skips NaN, and aligns a sparser validation series by step', () => {
    const accuracy = { metric: 'acc', train: 'acc', validation: 'val_acc' };
    const train = series([0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99]);
    const val = series([0.5, 0.7, null, 0.6, 0.55, 0.5], 2);
    expect(detectOverfitting(accuracy, train, val, 'max')).toEqual({ ...accuracy, fromStep: 2, best: 0.7, lastStep: 10 });
  });
});

describe('a plateau', () => {
  it('is flagged when both series stay flat far from where they started falling', () => {
    const train = series([2.3, 2.25, 2.2, 2.2, 2.19, 2.2, 2.2, 2.19, 2.2, 2.2, 2.2, 2.2]);
    const val = series([2.31, 2.3, 2.29, 2.29, 2.3, 2.29, 2.29, 2.3, 2.29, 2.3, 2.29, 2.29]);
    expect(detectPlateau(pair, train, val, 'min')).toMatchObject({
      ...pair,
      fromStep: 9,
      trainValue: 2.2,
      validationValue: 2.29,
    });
  });

  it('is not flagged for a loss that fell well, nor for an accuracy', () => {
    const flat = series([1, 0.5, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1]);
    expect(detectPlateau(pair, flat, flat, 'min')).toBeNull();
    const high = series([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(detectPlateau(pair, high, high, 'max')).toBeNull();
    expect(detectPlateau(pair, high, high, 'min')).not.toBeNull();
  });
});

describe('the early-stop decision', () => {
  const rule = { metric: 'val_loss', mode: 'min', patience: 3 } as const;

  it('stops once patience points in a row did not improve, naming the best', () => {
    const points = series([1, 0.8, 0.6, 0.65, 0.61, 0.7, 0.5]);
    expect(earlyStopDecision(points.slice(0, 5), rule)).toBeNull();
    const stopped = earlyStopDecision(points, rule);
    expect(stopped).toEqual({ metric: 'val_loss', mode: 'min', step: 5, best: 0.6, bestStep: 2 });
    expect(earlyStoppedReason(stopped as NonNullable<typeof stopped>)).toBe(
      'early stopped at step 5; best val_loss=0.6 at step 2',
    );
  });

  it('counts an improvement smaller than minDelta as none, and a NaN as none', () => {
    expect(earlyStopDecision(series([1, 0.99, 0.98, 0.97]), { ...rule, minDelta: 0.05 })).toMatchObject({ step: 3, bestStep: 0 });
    expect(earlyStopDecision(series([1, null, null, null]), rule)).toMatchObject({ step: 3, best: 1 });
    expect(earlyStopDecision(series([null, null, null, null]), rule)).toBeNull();
  });

  it('reads max the other way, in step order whatever order the points came in', () => {
    const points = [
      { step: 4, value: 0.8 },
      { step: 1, value: 0.7 },
      { step: 2, value: 0.9 },
      { step: 3, value: 0.85 },
    ];
    expect(earlyStopDecision(points, { metric: 'acc', mode: 'max', patience: 2 })).toEqual({
      metric: 'acc',
      mode: 'max',
      step: 4,
      best: 0.9,
      bestStep: 2,
    });
  });
});

describe('the analysis', () => {
  it('pairs, flags, and says what is new', () => {
    const points: Record<string, { step: number; value: number | null }[]> = {
      loss: series([1, 0.8, 0.6, 0.45, 0.35, 0.27, 0.2, 0.15, 0.11]),
      val_loss: series([1.1, 0.9, 0.75, 0.7, 0.74, 0.8, 0.88, 0.95, 1.0]),
    };
    const nonFinite = [{ tag: 'grad_norm', step: 4, value: 'NaN' as const }];
    const quality = analyseQuality({
      tags: ['grad_norm', 'loss', 'val_loss'],
      points: (tag) => points[tag] ?? [],
      nonFinite,
      earlyStopped: null,
    });
    expect(quality.pairs).toEqual([pair]);
    expect(quality.overfitting?.fromStep).toBe(3);
    expect(quality.plateau).toBeNull();
    const told = new Set<string>();
    expect(untoldNonFinite(told, quality)).toEqual(nonFinite);
    // the same again (an event replayed), or an older one: nothing new
    expect(untoldNonFinite(told, quality)).toEqual([]);
    expect(untoldNonFinite(told, { ...quality, nonFinite: [] })).toEqual([]);
    expect(untoldNonFinite(told, null)).toEqual([]);
  });
});

describe('the flags in words', () => {
  it('are sentences the views translate', () => {
    for (const text of Object.values(QUALITY_STRINGS)) expect(VIEW_STRINGS).toContain(text);
  });

  it('says each flag, warnings first and the early stop last', () => {
    const notes = qualityNotes({
      pairs: [],
      overfitting: { metric: 'loss', train: 'loss', validation: 'val_loss', fromStep: 3, best: 0.7, lastStep: 8 },
      plateau: null,
      nonFinite: [{ tag: 'loss', step: 2, value: 'NaN' }],
      earlyStopped: { metric: 'val_loss', mode: 'min', step: 6, best: 0.123456789, bestStep: 3 },
    });
    expect(notes.map((n) => [n.level, n.text])).toEqual([
      ['warning', 'loss is NaN at step 2.'],
      ['warning', 'Overfitting likely from step 3: val_loss has risen since while loss kept falling.'],
      ['info', 'Early stopped at step 6; best val_loss=0.123457 at step 3.'],
    ]);
    expect(qualityNotes(null)).toEqual([]);
  });
});

describe('overfitting on noisy curves (a validation loss logged every step)', () => {
  // deterministic noise, ±5% of the value
  const noise = (i: number) => 0.05 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

  it('is not read into a healthy run whose validation loss wobbles as it falls or settles', () => {
    const train = series(Array.from({ length: 300 }, (_, i) => 1 / (1 + i / 20)));
    const falling = series(Array.from({ length: 300 }, (_, i) => (1.1 / (1 + i / 25)) * (1 + noise(i))));
    expect(detectOverfitting(pair, train, falling, 'min')).toBeNull();
    const settled = series(Array.from({ length: 300 }, (_, i) => (0.3 + 0.7 * Math.exp(-i / 20)) * (1 + noise(i))));
    expect(detectOverfitting(pair, train, settled, 'min')).toBeNull();
  });

  it('is found through the noise when the validation loss turns up', () => {
    const train = series(Array.from({ length: 300 }, (_, i) => 1 / (1 + i / 20)));
    const rising = series(Array.from({ length: 300 }, (_, i) => (0.3 + ((i - 120) / 200) ** 2) * (1 + noise(i))));
    const found = detectOverfitting(pair, train, rising, 'min');
    expect(found?.fromStep).toBeGreaterThan(100);
    expect(found?.fromStep).toBeLessThan(160);
  });
});

describe('a plateau on noisy curves', () => {
  const noise = (i: number) => 0.03 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);
  it('is found through the noise, and not on a noisy loss that fell', () => {
    const stuck = series(Array.from({ length: 200 }, (_, i) => 2.3 * (1 + noise(i))));
    expect(detectPlateau(pair, stuck, stuck, 'min')).not.toBeNull();
    const fell = series(Array.from({ length: 200 }, (_, i) => (0.1 + 2.2 * Math.exp(-i / 10)) * (1 + noise(i))));
    expect(detectPlateau(pair, fell, fell, 'min')).toBeNull();
  });
});
