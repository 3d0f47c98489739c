import { type Static, Type } from '@sinclair/typebox';
import { BATCH_INFERENCE_STATES } from '../states.js';
import { Id, ListOf, ListQuery, Name, Timestamp } from './common.js';
import { ModelRef } from './models.js';

/**
 * Batch scoring (issue 17): a model version scores a whole table or folder of files into an
 * output file, with no endpoint. N workers (`python -m emkit.batch`, the serving worker's
 * loaders, in the model's environment) take batches in order; what each finished batch
 * wrote is recorded, so a job resumed after a bridge restart scores every item exactly once.
 * A bad item goes to the errors file with its reason; the job fails only past
 * `maxErrorRatio`.
 */

export const BatchInferenceStateSchema = Type.Union(BATCH_INFERENCE_STATES.map((s) => Type.Literal(s)));

export const BATCH_OUTPUT_FORMATS = ['jsonl', 'csv', 'parquet'] as const;
export type BatchOutputFormat = (typeof BATCH_OUTPUT_FORMATS)[number];

export const DEFAULT_BATCH_SIZE = 256;
export const DEFAULT_MAX_ERROR_RATIO = 0.1;

export const BatchInferenceCreate = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    model: ModelRef,
    input: Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        'absolute path — a .csv / .parquet / .jsonl table, or a folder of files (images, audio, text; class subfolders are read through) — or a dataset `name[:version]`',
    }),
    output: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4096,
        description: "an absolute folder to write predictions.<format> and errors.jsonl into; default: the job's own folder",
      }),
    ),
    outputDataset: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_-]{0,49}$',
        description: 'register the predictions as this dataset (a new dataset, or a new version of it) when the job is COMPLETE',
      }),
    ),
    format: Type.Optional(
      Type.Union(
        BATCH_OUTPUT_FORMATS.map((f) => Type.Literal(f)),
        {
          description: "the output's format; default: the input table's, jsonl for a folder",
        },
      ),
    ),
    overwrite: Type.Optional(Type.Boolean({ default: false, description: 'replace predictions already in `output`' })),
    features: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'the columns the model takes, in order (default: every column, in order)',
      }),
    ),
    instances: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 1, description: 'workers' })),
    batchSize: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 100_000, default: DEFAULT_BATCH_SIZE, description: 'items per call of the model' }),
    ),
    maxErrorRatio: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        default: DEFAULT_MAX_ERROR_RATIO,
        description: 'the job FAILS once more than this share of the items read are bad',
      }),
    ),
    returnScores: Type.Optional(Type.Boolean({ default: true, description: 'write scores where the model gives them' })),
    environment: Type.Optional(Id),
    cluster: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'run the workers on this Ray cluster (name or id)' }),
    ),
  },
  { additionalProperties: false },
);
export type BatchInferenceCreate = Static<typeof BatchInferenceCreate>;

export const BatchProgress = Type.Object(
  {
    done: Type.Integer({ minimum: 0, description: 'items scored or recorded as errors' }),
    total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'null until the input is counted' }),
    errors: Type.Integer({ minimum: 0 }),
    rate: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'items per second, recent' }),
    etaSeconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  {},
);
export type BatchProgress = Static<typeof BatchProgress>;

export const BatchInference = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    state: BatchInferenceStateSchema,
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why it FAILED or was STOPPED' }),
    model: Type.Object({ id: Type.String(), name: Name, version: Type.Integer({ minimum: 1 }) }),
    input: Type.String({ description: 'the path read' }),
    inputDataset: Type.Union([Type.String(), Type.Null()], { description: 'the pinned `name:version` when a dataset was named' }),
    inputKind: Type.Union([Type.Literal('table'), Type.Literal('files')]),
    output: Type.String({ description: 'the folder written' }),
    outputFile: Type.String({ description: 'the predictions file, absolute' }),
    errorsFile: Type.String({ description: 'errors.jsonl, absolute: one {"key", "reason"} per bad item' }),
    outputDataset: Type.Union([Type.String(), Type.Null()], { description: 'the `name:version` registered when COMPLETE' }),
    format: Type.Union(BATCH_OUTPUT_FORMATS.map((f) => Type.Literal(f))),
    features: Type.Union([Type.Array(Type.String()), Type.Null()]),
    instances: Type.Integer({ minimum: 1 }),
    batchSize: Type.Integer({ minimum: 1 }),
    maxErrorRatio: Type.Number(),
    returnScores: Type.Boolean(),
    environment: Type.Union([Type.String(), Type.Null()], { description: "the environment's id; null: the bridge's Python" }),
    cluster: Type.Union([Type.String(), Type.Null()], { description: "the cluster's id; null: this machine" }),
    progress: BatchProgress,
    schedule: Type.Union([Type.String(), Type.Null()], { description: 'the schedule whose run started it' }),
    createdAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    finishedAt: Type.Union([Timestamp, Type.Null()]),
  },
  {},
);
export type BatchInference = Static<typeof BatchInference>;

export const BatchInferenceList = ListOf(BatchInference, 'BatchInference');
export type BatchInferenceList = Static<typeof BatchInferenceList>;
export const BatchInferenceListQuery = Type.Object(
  {
    ...ListQuery.properties,
    model: Type.Optional(ModelRef),
    schedule: Type.Optional(Id),
    state: Type.Optional(BatchInferenceStateSchema),
  },
  { additionalProperties: false },
);
export type BatchInferenceListQuery = Static<typeof BatchInferenceListQuery>;

/** A bad item of a job, as its errors.jsonl records it: the row number or file path, and why. */
export const BatchItemErrorSchema = Type.Object({ key: Type.String(), reason: Type.String() }, {});

export const BatchErrorList = Type.Object(
  {
    items: Type.Array(BatchItemErrorSchema, { description: 'the first `limit` bad items, in the order they were met' }),
    total: Type.Integer({ minimum: 0, description: 'bad items recorded so far' }),
  },
  { title: 'BatchErrorList' },
);
export type BatchErrorList = Static<typeof BatchErrorList>;
export const BatchErrorsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
  { additionalProperties: false },
);
export type BatchErrorsQuery = Static<typeof BatchErrorsQuery>;
