import { type Static, Type } from '@sinclair/typebox';
import { TUNING_STATES, TUNING_TRIAL_STATES } from '../states.js';
import { Id, ListOf, ListQuery, Name, Timestamp } from './common.js';
import { EARLY_STOPPING_MODES, EarlyStopping, METRIC_TAG_PATTERN } from './training-quality.js';
import {
  Datasets,
  HYPERPARAMETER_KEY_PATTERN,
  Hyperparameters,
  MAX_DURATION_SECONDS,
  MAX_HYPERPARAMETERS,
  Tags,
  TrainingSource,
  TrainingSourceInput,
} from './trainings.js';

/**
 * Hyperparameter tuning (issue 19): a search over a space of hyperparameters, each trial a normal
 * training in the tuning's experiment. The bridge runs one long-lived Python process per tuning
 * (`python -m emkit.tuning`, Optuna's ask/tell), with the study kept on disk so a restarted bridge
 * continues the same search; it reports each trial's objective points to the pruner as they arrive.
 */

export const TuningStateSchema = Type.Union(TUNING_STATES.map((s) => Type.Literal(s)));
export const TuningTrialStateSchema = Type.Union(TUNING_TRIAL_STATES.map((s) => Type.Literal(s)));

/** Optuna's samplers: TPESampler, RandomSampler, GridSampler, CmaEsSampler. */
export const TUNING_ALGORITHMS = ['tpe', 'random', 'grid', 'cmaes'] as const;
export type TuningAlgorithm = (typeof TUNING_ALGORITHMS)[number];
/** Optuna's pruners: none (NopPruner), MedianPruner, HyperbandPruner (successive halving in brackets). */
export const TUNING_PRUNERS = ['none', 'median', 'hyperband'] as const;
export type TuningPruner = (typeof TUNING_PRUNERS)[number];
/** Which value of the objective's series is the trial's result. */
export const OBJECTIVE_AGGREGATES = ['last', 'best', 'step'] as const;
export type ObjectiveAggregate = (typeof OBJECTIVE_AGGREGATES)[number];

export const MAX_TRIALS = 10_000;
export const MAX_PARALLEL_TRIALS = 16;
export const DEFAULT_MAX_TRIALS = 20;
export const MAX_CHOICES = 1000;

const Bound = Type.Number({ minimum: -1e300, maximum: 1e300 });

/** One parameter of the space; `low < high` (and `low > 0` for a log scale) is checked by the bridge: 400 naming `space.<key>`. */
export const ParameterSpec = Type.Union(
  [
    Type.Object({ type: Type.Literal('uniform'), low: Bound, high: Bound }, { additionalProperties: false }),
    Type.Object(
      { type: Type.Literal('loguniform'), low: Bound, high: Bound },
      { additionalProperties: false, description: 'uniform in log scale; low > 0' },
    ),
    Type.Object(
      {
        type: Type.Literal('int'),
        low: Type.Integer({ minimum: -1e15, maximum: 1e15 }),
        high: Type.Integer({ minimum: -1e15, maximum: 1e15 }),
        step: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e15, default: 1 })),
        log: Type.Optional(Type.Boolean({ default: false, description: 'log scale (low ≥ 1, step 1)' })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('discrete'),
        low: Bound,
        high: Bound,
        step: Type.Number({ exclusiveMinimum: 0, maximum: 1e300 }),
      },
      { additionalProperties: false, description: 'low, low + step, … up to high' },
    ),
    Type.Object(
      {
        type: Type.Literal('choice'),
        values: Type.Array(Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean()]), {
          minItems: 1,
          maxItems: MAX_CHOICES,
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { title: 'ParameterSpec' },
);
export type ParameterSpec = Static<typeof ParameterSpec>;

/** A parameter's value in one trial, as the trial's `--key value` gets it written out. */
export const ParameterValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
export type ParameterValue = Static<typeof ParameterValue>;

export const SearchSpace = Type.Record(Type.String({ pattern: HYPERPARAMETER_KEY_PATTERN }), ParameterSpec, {
  minProperties: 1,
  maxProperties: MAX_HYPERPARAMETERS,
  additionalProperties: false,
  description: 'hyperparameter key → its range or choices; keys as for hyperparameters',
});
export type SearchSpace = Static<typeof SearchSpace>;

export const TuningObjective = Type.Object(
  {
    metric: Type.String({
      pattern: METRIC_TAG_PATTERN,
      description: 'the tag the trials log, as GET /trainings/{id}/metrics names it (TensorBoard or emkit.tracking)',
    }),
    mode: Type.Union(
      EARLY_STOPPING_MODES.map((m) => Type.Literal(m)),
      { description: 'min: lower is better; max: higher is better' },
    ),
    aggregate: Type.Optional(
      Type.Union(
        OBJECTIVE_AGGREGATES.map((a) => Type.Literal(a)),
        { default: 'last', description: "the trial's value: its last point, its best point, or the point at `step`" },
      ),
    ),
    step: Type.Optional(Type.Integer({ minimum: 0, description: "with aggregate 'step': the step whose value counts" })),
  },
  { additionalProperties: false, title: 'TuningObjective' },
);
export type TuningObjective = Static<typeof TuningObjective>;

export const TuningCreate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    experiment: Type.Optional(Id),
    source: TrainingSourceInput,
    space: SearchSpace,
    fixed: Type.Optional(Hyperparameters),
    objective: TuningObjective,
    algorithm: Type.Optional(
      Type.Union(
        TUNING_ALGORITHMS.map((a) => Type.Literal(a)),
        { default: 'tpe' },
      ),
    ),
    pruner: Type.Optional(
      Type.Union(
        TUNING_PRUNERS.map((p) => Type.Literal(p)),
        { default: 'none' },
      ),
    ),
    maxTrials: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_TRIALS,
        description: `trials in all (default: the grid's size for grid search, else ${DEFAULT_MAX_TRIALS})`,
      }),
    ),
    maxDurationSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_DURATION_SECONDS,
        description: 'wall-time budget of the whole tuning: no trial starts after it, running ones are stopped',
      }),
    ),
    parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PARALLEL_TRIALS, default: 1 })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1, description: "the sampler's seed" })),
    datasets: Type.Optional(Datasets),
    environment: Type.Optional(Id),
    tags: Type.Optional(Tags),
    trialMaxDurationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DURATION_SECONDS })),
    earlyStopping: Type.Optional(EarlyStopping),
    cluster: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
        description: 'the Ray cluster (name or id) its trials run on; null or left out: this machine',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TuningCreate = Static<typeof TuningCreate>;

/** Copy: the same space, objective, settings and source snapshot, searched again as a new study. */
export const TuningCopy = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    maxTrials: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TRIALS })),
    maxDurationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DURATION_SECONDS })),
    parallel: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PARALLEL_TRIALS })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 })),
  },
  { additionalProperties: false },
);
export type TuningCopy = Static<typeof TuningCopy>;

export const TuningUpdate = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 1000 })), tags: Type.Optional(Tags) },
  { additionalProperties: false, minProperties: 1 },
);
export type TuningUpdate = Static<typeof TuningUpdate>;

export const TuningTrial = Type.Object(
  {
    number: Type.Integer({ minimum: 0, description: "the study's trial number, from 0" }),
    trainingId: Type.Union([Type.String(), Type.Null()], { description: 'null only while its training is being made' }),
    trainingName: Type.Union([Type.String(), Type.Null()]),
    state: TuningTrialStateSchema,
    stateReason: Type.Union([Type.String(), Type.Null()], {
      description: 'e.g. "pruned at step 12", "it never logged val_loss", the training\'s own reason',
    }),
    params: Type.Record(Type.String(), ParameterValue, { description: "the searched parameters' values" }),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'the objective (null until COMPLETE)' }),
    lastStep: Type.Union([Type.Integer(), Type.Null()], { description: 'the last step of the objective reported' }),
    lastValue: Type.Union([Type.Number(), Type.Null()], { description: 'its value then (an intermediate value)' }),
    prunedAtStep: Type.Union([Type.Integer(), Type.Null()]),
    startedAt: Type.Union([Timestamp, Type.Null()]),
    endedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { title: 'TuningTrial' },
);
export type TuningTrial = Static<typeof TuningTrial>;

export const TuningTrialCounts = Type.Object({
  total: Type.Integer({ minimum: 0 }),
  running: Type.Integer({ minimum: 0 }),
  complete: Type.Integer({ minimum: 0 }),
  pruned: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  stopped: Type.Integer({ minimum: 0 }),
});
export type TuningTrialCounts = Static<typeof TuningTrialCounts>;

export const TuningBest = Type.Object({
  number: Type.Integer({ minimum: 0 }),
  trainingId: Type.String(),
  trainingName: Type.String(),
  value: Type.Number(),
  params: Type.Record(Type.String(), ParameterValue),
});
export type TuningBest = Static<typeof TuningBest>;

export const Tuning = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    experimentId: Type.String(),
    experimentName: Type.String(),
    source: TrainingSource,
    space: SearchSpace,
    fixed: Type.Record(Type.String(), Type.String()),
    objective: Type.Object({
      metric: Type.String(),
      mode: Type.Union(EARLY_STOPPING_MODES.map((m) => Type.Literal(m))),
      aggregate: Type.Union(OBJECTIVE_AGGREGATES.map((a) => Type.Literal(a))),
      step: Type.Union([Type.Integer(), Type.Null()]),
    }),
    algorithm: Type.Union(TUNING_ALGORITHMS.map((a) => Type.Literal(a))),
    pruner: Type.Union(TUNING_PRUNERS.map((p) => Type.Literal(p))),
    maxTrials: Type.Integer({ minimum: 1 }),
    maxDurationSeconds: Type.Union([Type.Integer(), Type.Null()]),
    parallel: Type.Integer({ minimum: 1 }),
    seed: Type.Union([Type.Integer(), Type.Null()]),
    datasets: Type.Record(Type.String(), Type.String()),
    environment: Type.Union([Type.String(), Type.Null()], { description: "the environment's name; null: the bridge's Python" }),
    tags: Type.Record(Type.String(), Type.String()),
    trialMaxDurationSeconds: Type.Union([Type.Integer(), Type.Null()]),
    earlyStopping: Type.Union([EarlyStopping, Type.Null()]),
    cluster: Type.Union([Type.String(), Type.Null()], { description: "the Ray cluster's name its trials run on" }),
    state: TuningStateSchema,
    stateReason: Type.Union([Type.String(), Type.Null()]),
    trials: TuningTrialCounts,
    best: Type.Union([TuningBest, Type.Null()], { description: 'the best COMPLETE trial so far' }),
    importance: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()], {
      description: "each parameter's importance (Optuna's, summing to 1), once two or more trials are COMPLETE",
    }),
    copiedFrom: Type.Union([Type.String(), Type.Null()]),
    dir: Type.String({ description: "the tuning's folder: the study, the source snapshot, the sampler's log" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    endedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { title: 'Tuning' },
);
export type Tuning = Static<typeof Tuning>;

export const TuningList = ListOf(Tuning, 'Tuning');
export type TuningList = Static<typeof TuningList>;

export const TuningListQuery = Type.Object(
  {
    ...ListQuery.properties,
    experiment: Type.Optional(Id),
    state: Type.Optional(TuningStateSchema),
  },
  { additionalProperties: false },
);
export type TuningListQuery = Static<typeof TuningListQuery>;

export const TuningTrialList = ListOf(TuningTrial, 'TuningTrial');
export type TuningTrialList = Static<typeof TuningTrialList>;

export const TuningTrialListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TRIALS, default: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TRIALS, default: 0 })),
    state: Type.Optional(TuningTrialStateSchema),
  },
  { additionalProperties: false },
);
export type TuningTrialListQuery = Static<typeof TuningTrialListQuery>;

export const TuningDeleteQuery = Type.Object(
  {
    trainings: Type.Optional(
      Type.Boolean({ default: false, description: "also delete its trials' trainings (those no model was made from)" }),
    ),
  },
  { additionalProperties: false },
);
export type TuningDeleteQuery = Static<typeof TuningDeleteQuery>;
