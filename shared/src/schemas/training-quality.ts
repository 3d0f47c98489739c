import { type Static, Type } from '@sinclair/typebox';

/** Metric tags as the bridge stores them (`run/tag`): printable, no control characters. */
export const METRIC_TAG_PATTERN = '^[^\\u0000-\\u001f\\u007f]{1,256}$';
export const EARLY_STOPPING_MODES = ['min', 'max'] as const;
export type EarlyStoppingMode = (typeof EARLY_STOPPING_MODES)[number];
export const MAX_PATIENCE = 100_000;

/**
 * Early stopping by the platform: the bridge watches `metric` as it reads the training's event files and
 * ends the training (COMPLETE) once `patience` points in a row have not improved on the best by more than `minDelta`.
 */
export const EarlyStopping = Type.Object(
  {
    metric: Type.String({
      pattern: METRIC_TAG_PATTERN,
      description: 'the tag to watch, as GET /trainings/{id}/metrics names it, e.g. val_loss or validation/epoch_loss',
    }),
    mode: Type.Union(
      EARLY_STOPPING_MODES.map((m) => Type.Literal(m)),
      { description: 'min: lower is better (a loss); max: higher is better (an accuracy)' },
    ),
    patience: Type.Integer({
      minimum: 1,
      maximum: MAX_PATIENCE,
      description: 'points of the metric in a row without improvement before the training is stopped',
    }),
    minDelta: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1e300, default: 0, description: 'an improvement must beat the best by more than this' }),
    ),
  },
  { additionalProperties: false, title: 'EarlyStopping' },
);
export type EarlyStopping = Static<typeof EarlyStopping>;

/** A training series and a validation series of the same metric (`loss` and `val_loss`, `train/loss` and `val/loss`). */
export const MetricPair = Type.Object({
  metric: Type.String({ description: 'what both measure, e.g. loss' }),
  train: Type.String({ description: 'the training series’ tag' }),
  validation: Type.String({ description: 'the validation series’ tag' }),
});
export type MetricPair = Static<typeof MetricPair>;

export const NON_FINITE_VALUES = ['NaN', 'Infinity', '-Infinity'] as const;

export const TrainingQuality = Type.Object(
  {
    pairs: Type.Array(MetricPair, { description: 'series drawn together in one chart' }),
    overfitting: Type.Union([
      Type.Object({
        ...MetricPair.properties,
        fromStep: Type.Integer({ description: 'the step where the validation series was at its best' }),
        best: Type.Number({
          description: 'the validation value then (a mean of the last tenth of its points, when it has 20 or more)',
        }),
        lastStep: Type.Integer(),
      }),
      Type.Null(),
    ]),
    plateau: Type.Union([
      Type.Object({
        ...MetricPair.properties,
        fromStep: Type.Integer({ description: 'both series flat from here on, far from the start value' }),
        trainValue: Type.Number(),
        validationValue: Type.Number(),
      }),
      Type.Null(),
    ]),
    nonFinite: Type.Array(
      Type.Object({
        tag: Type.String(),
        step: Type.Integer({ description: 'the first step where it was not a finite number' }),
        value: Type.Union(NON_FINITE_VALUES.map((v) => Type.Literal(v))),
      }),
      { description: 'series with a NaN or an infinite value, first step of each' },
    ),
    earlyStopped: Type.Union([
      Type.Object({
        metric: Type.String(),
        mode: Type.Union(EARLY_STOPPING_MODES.map((m) => Type.Literal(m))),
        step: Type.Integer({ description: 'the step at which patience ran out' }),
        best: Type.Number(),
        bestStep: Type.Integer(),
      }),
      Type.Null(),
    ]),
  },
  { title: 'TrainingQuality' },
);
export type TrainingQuality = Static<typeof TrainingQuality>;
export type Overfitting = NonNullable<TrainingQuality['overfitting']>;
export type Plateau = NonNullable<TrainingQuality['plateau']>;
export type NonFinite = TrainingQuality['nonFinite'][number];
export type EarlyStopped = NonNullable<TrainingQuality['earlyStopped']>;
