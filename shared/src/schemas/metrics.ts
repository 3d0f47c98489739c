import { type Static, Type } from '@sinclair/typebox';
import { Name, Timestamp } from './common.js';
import { TrainingQuality } from './training-quality.js';
import { TrainingStateSchema } from './trainings.js';

/** NaN and ±Infinity are valid metric values but not JSON: NaN travels as null. */
export const MetricValue = Type.Union([Type.Number(), Type.Null()]);

export const MetricPoint = Type.Object({ step: Type.Integer(), value: MetricValue, wallTime: Type.Number() }, {});
export type MetricPoint = Static<typeof MetricPoint>;

export const MetricSeries = Type.Object(
  {
    tag: Type.String(),
    points: Type.Array(MetricPoint),
    total: Type.Integer({ minimum: 0, description: 'points stored; `points` is thinned to maxPoints when there are more' }),
  },
  {},
);
export type MetricSeries = Static<typeof MetricSeries>;

export const TrainingMetrics = Type.Object(
  {
    trainingId: Type.String(),
    series: Type.Array(MetricSeries),
    /** what the series say, over all of them (whatever `tag` asks for) */
    quality: TrainingQuality,
  },
  { title: 'TrainingMetrics' },
);
export type TrainingMetrics = Static<typeof TrainingMetrics>;

export const MetricsQuery = Type.Object(
  {
    tag: Type.Optional(Type.String({ maxLength: 512, description: 'only this tag' })),
    maxPoints: Type.Optional(Type.Integer({ minimum: 2, maximum: 100_000, default: 5000 })),
  },
  { additionalProperties: false },
);
export type MetricsQuery = Static<typeof MetricsQuery>;

/** What a `metrics` event on the event stream carries: the points new since the last one. */
export const MetricsEventData = Type.Object({
  trainingId: Type.String(),
  points: Type.Array(Type.Object({ tag: Type.String(), step: Type.Integer(), value: MetricValue, wallTime: Type.Number() })),
});
export type MetricsEventData = Static<typeof MetricsEventData>;

export const METRIC_GOALS = ['min', 'max'] as const;
export type MetricGoal = (typeof METRIC_GOALS)[number];

/** Loss- and error-like tags get better as they go down; everything else (accuracy, f1, …) as it goes up. */
export function metricGoal(tag: string): MetricGoal {
  return /loss|err|mse|mae|rmse|perplexity|ppl|cost|regret|distance|time|latency/i.test(tag) ? 'min' : 'max';
}

export const MetricSummary = Type.Object(
  {
    last: MetricValue,
    lastStep: Type.Integer(),
    min: MetricValue,
    max: MetricValue,
    best: MetricValue,
    goal: Type.Union(
      METRIC_GOALS.map((g) => Type.Literal(g)),
      { description: 'min for loss- and error-like tags, else max' },
    ),
  },
  {},
);
export type MetricSummary = Static<typeof MetricSummary>;

export const ExperimentComparison = Type.Object(
  {
    experimentId: Type.String(),
    experimentName: Name,
    hyperparameters: Type.Array(Type.String(), { description: 'every key used by any training' }),
    metrics: Type.Array(Type.String(), { description: 'every tag logged by any training' }),
    trainings: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Name,
        state: TrainingStateSchema,
        createdAt: Timestamp,
        startedAt: Type.Union([Timestamp, Type.Null()], { description: 'with endedAt, how long it ran (the editors show it)' }),
        endedAt: Type.Union([Timestamp, Type.Null()]),
        hyperparameters: Type.Record(Type.String(), Type.String()),
        metrics: Type.Record(Type.String(), MetricSummary),
        peakMemoryMb: Type.Union([Type.Number(), Type.Null()], {
          description: 'the most resident memory its ranks held together (null: never sampled, e.g. on a cluster)',
        }),
        meanCpuPercent: Type.Union([Type.Number(), Type.Null()], {
          description: "its ranks' CPU use together, averaged over the samples (100 = one core busy)",
        }),
      }),
    ),
  },
  { title: 'ExperimentComparison' },
);
export type ExperimentComparison = Static<typeof ExperimentComparison>;
