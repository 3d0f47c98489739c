import { type Static, Type } from '@sinclair/typebox';
import { TRAINING_STATES } from '../states.js';
import { Id, ListOf, ListQuery, LogQuery, Name, Offset, Timestamp } from './common.js';
import { EarlyStopping, TrainingQuality } from './training-quality.js';

/**
 * Limits and key rules from the console guide: at most 100 hyperparameters, 10 datasets,
 * 10 tags. Hyperparameter keys become `--key` arguments and `EM_HP_<KEY>` variables,
 * dataset names `EM_DATASET_<NAME>`, so both are kept to what a variable name can hold.
 */
export const MAX_HYPERPARAMETERS = 100;
export const MAX_DATASETS = 10;
export const MAX_TAGS = 10;
export const MAX_INSTANCES = 16;
/** 30 days */
export const MAX_DURATION_SECONDS = 30 * 24 * 3600;
export const HYPERPARAMETER_KEY_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]{0,63}$';
export const DATASET_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,49}$';
export const TAG_KEY_PATTERN = '^[A-Za-z0-9_.:/-]{1,64}$';
/** Values reach a process's arguments and environment, which can't hold a NUL byte. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

export const TRAINING_KINDS = ['notebook', 'script'] as const;
export type TrainingKind = (typeof TRAINING_KINDS)[number];

export const TrainingStateSchema = Type.Union(TRAINING_STATES.map((s) => Type.Literal(s)));

export const Hyperparameters = Type.Record(
  Type.String({ pattern: HYPERPARAMETER_KEY_PATTERN }),
  Type.String({ maxLength: 4096, pattern: NO_NUL_PATTERN, description: 'any text but a NUL byte' }),
  {
    maxProperties: MAX_HYPERPARAMETERS,
    additionalProperties: false,
    description: 'key → value; passed as `--key value`, `EM_HP_<KEY>` and `EM_HPS`; keys are letters, digits, "_" and "-"',
  },
);
export const Datasets = Type.Record(
  Type.String({ pattern: DATASET_NAME_PATTERN }),
  Type.String({
    minLength: 1,
    maxLength: 4096,
    pattern: NO_NUL_PATTERN,
    description:
      'an absolute path without a NUL byte, or a dataset as `name` (its newest version, pinned at submit) or `name:version`',
  }),
  {
    maxProperties: MAX_DATASETS,
    additionalProperties: false,
    description:
      'name → absolute path of an existing file or folder, or a dataset `name[:version]`; the path is passed as `EM_DATASET_<NAME>` and `EM_DATASETS`; names are letters, digits and "_", starting with a letter or "_"',
  },
);
export const Tags = Type.Record(Type.String({ pattern: TAG_KEY_PATTERN }), Type.String({ maxLength: 256 }), {
  maxProperties: MAX_TAGS,
  additionalProperties: false,
  description: 'key → value; keys are letters, digits and "_.:/-"',
});

export const TrainingSourceInput = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 4096,
      description: 'absolute path of a notebook (.ipynb) or script (.py), or of a folder holding the entry point',
    }),
    entryPoint: Type.Optional(
      Type.String({ minLength: 1, maxLength: 1024, description: 'with a folder: the .py or .ipynb to run, relative to it' }),
    ),
  },
  { additionalProperties: false },
);

export const TrainingSource = Type.Object(
  {
    path: Type.String({ description: 'the folder the snapshot was taken from' }),
    entryPoint: Type.String({ description: 'relative to the folder, "/" separated' }),
    kind: Type.Union(TRAINING_KINDS.map((k) => Type.Literal(k))),
    files: Type.Integer({ minimum: 0, description: 'files in the snapshot' }),
    bytes: Type.Integer({ minimum: 0, description: 'size of the snapshot' }),
  },
  {},
);
export type TrainingSource = Static<typeof TrainingSource>;

/** How many times a cluster training may start again after losing a node. */
export const MAX_RETRIES = 10;

/** How a cluster training's ranks are spread over the nodes (Ray's placement group strategies). */
export const PlacementStrategy = Type.Union([Type.Literal('SPREAD'), Type.Literal('STRICT_SPREAD'), Type.Literal('PACK')], {
  description:
    'SPREAD (the default): across nodes where it can; STRICT_SPREAD: each rank on its own node; PACK: as few nodes as it can',
});
export type PlacementStrategy = Static<typeof PlacementStrategy>;

export const RankPlacement = Type.Object(
  {
    rank: Type.Integer({ minimum: 0 }),
    node: Type.String({ description: "the node's address" }),
    nodeId: Type.String({ description: "Ray's id of the node" }),
  },
  {},
);
export type RankPlacement = Static<typeof RankPlacement>;

export const TrainingCreate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    experiment: Type.Optional(Id),
    source: TrainingSourceInput,
    hyperparameters: Type.Optional(Hyperparameters),
    datasets: Type.Optional(Datasets),
    environment: Type.Optional(Id),
    instanceCount: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INSTANCES, default: 1 })),
    maxDurationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DURATION_SECONDS })),
    tags: Type.Optional(Tags),
    earlyStopping: Type.Optional(EarlyStopping),
    cluster: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
        description:
          'the Ray cluster (name or id) to run on; null: this machine, even when a default cluster is set; left out: the default cluster, if one is set, else this machine',
      }),
    ),
    placementStrategy: Type.Optional(PlacementStrategy),
    maxRetries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_RETRIES,
        description: 'on a cluster: how many times the training starts again when a node of it is lost (0: it fails)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type TrainingCreate = Static<typeof TrainingCreate>;

/** Copy: the same settings and the same source snapshot, as a new run; any field given here replaces the copied one. */
export const TrainingCopy = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    experiment: Type.Optional(Id),
    hyperparameters: Type.Optional(Hyperparameters),
    datasets: Type.Optional(Datasets),
    environment: Type.Optional(Id),
    instanceCount: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_INSTANCES })),
    maxDurationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_DURATION_SECONDS })),
    tags: Type.Optional(Tags),
    earlyStopping: Type.Optional(Type.Union([EarlyStopping, Type.Null()], { description: 'null: the copy stops by itself' })),
    cluster: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], {
        description: 'another Ray cluster to run the copy on; null: this machine; left out: where the original ran',
      }),
    ),
    placementStrategy: Type.Optional(PlacementStrategy),
    maxRetries: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_RETRIES, description: "left out: the original's when the copy runs on a cluster" }),
    ),
  },
  { additionalProperties: false },
);
export type TrainingCopy = Static<typeof TrainingCopy>;

export const TrainingUpdate = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 1000 })), tags: Type.Optional(Tags) },
  { additionalProperties: false, minProperties: 1 },
);
export type TrainingUpdate = Static<typeof TrainingUpdate>;

export const Training = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    experimentId: Type.String(),
    experimentName: Type.String(),
    source: TrainingSource,
    hyperparameters: Type.Record(Type.String(), Type.String()),
    datasets: Type.Record(Type.String(), Type.String(), {
      description: 'as given, a dataset pinned to its version (`name:version`); the runner gets its path',
    }),
    environment: Type.Union([Type.String(), Type.Null()], { description: "the environment's name; null: the bridge's Python" }),
    python: Type.String({ description: 'the interpreter the training runs with' }),
    instanceCount: Type.Integer({ minimum: 1 }),
    maxDurationSeconds: Type.Union([Type.Integer(), Type.Null()]),
    tags: Type.Record(Type.String(), Type.String()),
    earlyStopping: Type.Union([EarlyStopping, Type.Null()], {
      description: 'the platform stops it when this metric stops improving',
    }),
    quality: Type.Union([TrainingQuality, Type.Null()], {
      description:
        'what its metrics say (overfitting, a plateau, NaN or infinite values, an early stop); null until they are read',
    }),
    state: TrainingStateSchema,
    stateReason: Type.Union([Type.String(), Type.Null()]),
    exitCode: Type.Union([Type.Integer(), Type.Null()]),
    copiedFrom: Type.Union([Type.String(), Type.Null()], { description: 'the id of the training this is a copy of' }),
    cluster: Type.Union([Type.String(), Type.Null()], { description: "the Ray cluster's name it runs on; null: this machine" }),
    placementStrategy: Type.Union([PlacementStrategy, Type.Null()]),
    placement: Type.Array(RankPlacement, { description: 'where each rank runs (cluster trainings, once placed)' }),
    recipe: Type.Union([Type.String(), Type.Null()], { description: "the recipe's name it was trained from" }),
    model: Type.Union(
      [Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer({ minimum: 1 }) }), Type.Null()],
      {
        description: 'the model version a built-in recipe registered when it ended COMPLETE',
      },
    ),
    evaluation: Type.Union([Type.String(), Type.Null()], {
      description: "that model's evaluation on the holdout the recipe kept aside (its id)",
    }),
    maxRetries: Type.Integer({
      minimum: 0,
      description: 'how many times it starts again when a node is lost (cluster trainings)',
    }),
    attempt: Type.Integer({ minimum: 1, description: 'which start this is: 1, then 2… after each lost node' }),
    dir: Type.String({ description: "the training's folder: source/, logs/, artifacts/, model/, checkpoints/, tensorboard/" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    endedAt: Type.Union([Timestamp, Type.Null()]),
  },
  {},
);
export type Training = Static<typeof Training>;

export const TrainingList = ListOf(Training, 'Training');
export type TrainingList = Static<typeof TrainingList>;

export const TrainingListQuery = Type.Object(
  {
    ...ListQuery.properties,
    experiment: Type.Optional(Id),
    state: Type.Optional(TrainingStateSchema),
  },
  { additionalProperties: false },
);
export type TrainingListQuery = Static<typeof TrainingListQuery>;

export const TrainingLogQuery = Type.Object(
  {
    rank: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INSTANCES - 1, default: 0 })),
    ...LogQuery.properties,
  },
  { additionalProperties: false },
);
export type TrainingLogQuery = Static<typeof TrainingLogQuery>;

export const TrainingLogStreamQuery = Type.Object(
  {
    rank: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INSTANCES - 1, default: 0 })),
    offset: Type.Optional(Offset),
    token: Type.Optional(Type.String({ description: 'the bridge token, where a header cannot be set' })),
  },
  { additionalProperties: false },
);
export type TrainingLogStreamQuery = Static<typeof TrainingLogStreamQuery>;

/** What /api/v1/trainings/{id}/log/stream sends: the log from `offset` on, live, then `end` once the training has settled. */
export type LogStreamMessage =
  | { type: 'chunk'; rank: number; offset: number; nextOffset: number; text: string }
  | { type: 'end'; state: string; nextOffset: number };

export const TrainingFile = Type.Object(
  {
    path: Type.String({ description: 'relative to the training folder, e.g. artifacts/train.ipynb' }),
    bytes: Type.Integer({ minimum: 0 }),
    modifiedAt: Timestamp,
  },
  {},
);
export const TrainingFileList = Type.Object({ items: Type.Array(TrainingFile) }, { title: 'TrainingFileList' });
export type TrainingFileList = Static<typeof TrainingFileList>;
export const TrainingFileQuery = Type.Object(
  { path: Type.String({ minLength: 1, maxLength: 1024, description: 'relative to the training folder' }) },
  { additionalProperties: false },
);
