import { type Static, Type } from '@sinclair/typebox';
import { SCHEDULE_STATES } from '../states.js';
import { BatchInferenceCreate } from './batch-inferences.js';
import { Id, ListOf, ListQuery, Name, Timestamp } from './common.js';
import { Alias, ModelRef } from './models.js';
import { Datasets, Hyperparameters } from './trainings.js';

/**
 * Schedules (issue 17): run a chain of steps on a cron expression (a kept cron library reads
 * it, seconds allowed, in a time zone) or at an interval. Each run is a row of the schedule's
 * history; each step of a run is a normal training / evaluation / batch job, linked to the
 * schedule, with its own logs, metrics and notifications. Adobe's scheduled training and
 * scoring of a service is the chain retrain → evaluate → promote if a metric passes → re-score.
 */

export const ScheduleStateSchema = Type.Union(SCHEDULE_STATES.map((s) => Type.Literal(s)));

/** `30s`, `5m`, `2h`, `1d`: at least 1 s, at most 7 d. */
export const INTERVAL_PATTERN = '^[1-9][0-9]{0,5}(s|m|h|d)$';

/**
 * Train again: from an existing training (its source snapshot, or the notebook's latest saved version), or a
 * notebook, script or folder by its path, run as saved at each run (exactly one of `training` and `path`).
 */
export const TrainingStep = Type.Object(
  {
    kind: Type.Literal('training'),
    training: Type.Optional(Id),
    path: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description:
          'an absolute .ipynb / .py file or folder, submitted as saved at each run (in the experiment named as the schedule); instead of training',
      }),
    ),
    environment: Type.Optional(Id),
    source: Type.Optional(
      // no schema default: the answer would then say `snapshot` of a step by path, which has none
      Type.Union([Type.Literal('snapshot'), Type.Literal('latest')], {
        description:
          "a template training's code: snapshot (when left out) its own copy of the code; latest: the notebook or folder as saved now",
      }),
    ),
    hyperparameters: Type.Optional(Hyperparameters),
    datasets: Type.Optional(Datasets),
    model: Type.Optional(Name),
  },
  { additionalProperties: false, description: 'model: register the COMPLETE training as a new version of this model' },
);

export const RecipeStep = Type.Object(
  {
    kind: Type.Literal('recipe'),
    recipe: Id,
    datasets: Datasets,
    hyperparameters: Type.Optional(Hyperparameters),
    model: Type.Optional(Name),
  },
  { additionalProperties: false },
);

export const EvaluationStep = Type.Object(
  {
    kind: Type.Literal('evaluation'),
    model: Type.Optional(ModelRef),
    data: Type.String({ minLength: 1, maxLength: 4096, description: 'absolute path or dataset `name[:version]`' }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    features: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10_000 })),
  },
  { additionalProperties: false, description: "model: default the model the chain's training step registered" },
);

export const SCHEDULE_COMPARISONS = ['>=', '>', '<=', '<'] as const;

export const PromoteStep = Type.Object(
  {
    kind: Type.Literal('promote'),
    alias: Alias,
    metric: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        "a figure of the evaluation step's result: accuracy, macro.f1, weighted.recall, rocAuc, r2, rmse, mae, silhouette",
    }),
    comparison: Type.Optional(
      Type.Union(
        SCHEDULE_COMPARISONS.map((c) => Type.Literal(c)),
        { default: '>=' },
      ),
    ),
    threshold: Type.Number(),
  },
  { additionalProperties: false, description: 'move the alias to the evaluated version only when metric ⟨comparison⟩ threshold' },
);

export const BatchStep = Type.Object(
  {
    kind: Type.Literal('batch'),
    batch: Type.Object({ ...BatchInferenceCreate.properties, model: Type.Optional(ModelRef) }, { additionalProperties: false }),
  },
  {
    additionalProperties: false,
    description: "model: default the promote step's alias (name@alias), else the version the chain made",
  },
);

export const ScheduleStep = Type.Union([TrainingStep, RecipeStep, EvaluationStep, PromoteStep, BatchStep]);
export type ScheduleStep = Static<typeof ScheduleStep>;

export const ScheduleCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    cron: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: '5 fields, or 6 with seconds first; exactly one of cron / every',
      }),
    ),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone for cron, default UTC' })),
    every: Type.Optional(Type.String({ pattern: INTERVAL_PATTERN, description: 'an interval: 30s, 5m, 2h, 1d' })),
    steps: Type.Array(ScheduleStep, { minItems: 1, maxItems: 8 }),
    overlap: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('queue')], {
        default: 'skip',
        description: 'when a run is due while the last is still going: skip it, or queue one (never more)',
      }),
    ),
    catchUp: Type.Optional(
      Type.Boolean({ default: true, description: 'after the bridge was down past a due time: one run at start, never a burst' }),
    ),
    paused: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);
export type ScheduleCreate = Static<typeof ScheduleCreate>;

export const SCHEDULE_RUN_STATES = ['QUEUED', 'RUNNING', 'COMPLETE', 'FAILED', 'SKIPPED', 'STOPPED'] as const;
export const ScheduleRunState = Type.Union(SCHEDULE_RUN_STATES.map((s) => Type.Literal(s)));

export const ScheduleRunStep = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('training'),
      Type.Literal('recipe'),
      Type.Literal('evaluation'),
      Type.Literal('promote'),
      Type.Literal('batch'),
    ]),
    state: Type.Union([
      Type.Literal('PENDING'),
      Type.Literal('RUNNING'),
      Type.Literal('COMPLETE'),
      Type.Literal('FAILED'),
      Type.Literal('SKIPPED'),
    ]),
    resource: Type.Union([
      Type.Object({
        type: Type.Union([
          Type.Literal('trainings'),
          Type.Literal('models'),
          Type.Literal('evaluations'),
          Type.Literal('batch-inferences'),
        ]),
        id: Type.String(),
      }),
      Type.Null(),
    ]),
    outcome: Type.Union([Type.String(), Type.Null()], {
      description: 'in words: "accuracy 0.94 >= 0.9: fraud:3 promoted to production", "not promoted: …"',
    }),
    name: Type.Optional(
      Type.String({
        description:
          'the name of the training or batch job the step makes, recorded before it is made: a bridge that died before recording the resource adopts the one of that name instead of making another',
      }),
    ),
  },
  {},
);
export type ScheduleRunStep = Static<typeof ScheduleRunStep>;

export const ScheduleRun = Type.Object(
  {
    id: Type.String(),
    schedule: Type.String(),
    number: Type.Integer({ minimum: 1 }),
    trigger: Type.Union([Type.Literal('due'), Type.Literal('catch-up'), Type.Literal('manual')]),
    state: ScheduleRunState,
    reason: Type.Union([Type.String(), Type.Null()]),
    dueAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    finishedAt: Type.Union([Timestamp, Type.Null()]),
    steps: Type.Array(ScheduleRunStep),
  },
  {},
);
export type ScheduleRun = Static<typeof ScheduleRun>;

export const Schedule = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    state: ScheduleStateSchema,
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why the bridge paused it (its target was deleted…)' }),
    cron: Type.Union([Type.String(), Type.Null()]),
    timezone: Type.Union([Type.String(), Type.Null()]),
    every: Type.Union([Type.String(), Type.Null()]),
    steps: Type.Array(ScheduleStep),
    overlap: Type.Union([Type.Literal('skip'), Type.Literal('queue')]),
    catchUp: Type.Boolean(),
    nextRuns: Type.Array(Timestamp, { description: 'the next five due times (none while PAUSED)' }),
    lastRun: Type.Union([ScheduleRun, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Schedule = Static<typeof Schedule>;

export const ScheduleUpdate = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    every: Type.Optional(Type.String({ pattern: INTERVAL_PATTERN })),
    steps: Type.Optional(Type.Array(ScheduleStep, { minItems: 1, maxItems: 8 })),
    overlap: Type.Optional(Type.Union([Type.Literal('skip'), Type.Literal('queue')])),
    catchUp: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ScheduleUpdate = Static<typeof ScheduleUpdate>;

/** What the cron helper shows before saving: the next due times of an expression, or why it is invalid (400). */
export const SchedulePreviewBody = Type.Object(
  {
    cron: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    every: Type.Optional(Type.String({ pattern: INTERVAL_PATTERN })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5 })),
  },
  { additionalProperties: false },
);
export const SchedulePreview = Type.Object({ nextRuns: Type.Array(Timestamp) }, {});
export type SchedulePreview = Static<typeof SchedulePreview>;

export const ScheduleList = ListOf(Schedule, 'Schedule');
export type ScheduleList = Static<typeof ScheduleList>;
export const ScheduleListQuery = ListQuery;
export const ScheduleRunList = ListOf(ScheduleRun, 'ScheduleRun');
export type ScheduleRunList = Static<typeof ScheduleRunList>;
