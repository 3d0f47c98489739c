import { type Static, Type } from '@sinclair/typebox';
import { EVALUATION_STATES } from '../states.js';
import { Id, ListOf, ListQuery, Name, Timestamp } from './common.js';
import { ModelRef } from './models.js';

/**
 * Evaluations judge a model version on a held-out dataset (issue 14): the runner
 * (`python -m emkit.evaluation spec.json`, in the model's environment) reads the data batch
 * by batch, calls the model through the serving loaders, computes every figure with
 * scikit-learn's metrics and writes `result.json` (an EvaluationResult) plus the
 * per-class threshold curves the `?threshold=` answer is read from.
 */

export const EvaluationStateSchema = Type.Union(EVALUATION_STATES.map((s) => Type.Literal(s)));

export const EVALUATION_TASKS = ['classification', 'regression', 'clustering'] as const;
export type EvaluationTask = (typeof EVALUATION_TASKS)[number];
export const EvaluationTaskSchema = Type.Union(EVALUATION_TASKS.map((t) => Type.Literal(t)));

export const DATASET_FORMATS = ['csv', 'parquet', 'jsonl', 'folder'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
export const DatasetFormatSchema = Type.Union(DATASET_FORMATS.map((f) => Type.Literal(f)));

/** A class label as the data and the model have it: `"cat"`, `3`, `true`. */
export const Label = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
export type Label = Static<typeof Label>;

/** A metric scikit-learn could not compute (one class only, no scores) is null, never NaN. */
const Figure = Type.Union([Type.Number(), Type.Null()]);

export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_MAX_ERRORS = 50;
export const DEFAULT_BATCH_ROWS = 4096;

export const EvaluationCreate = Type.Object(
  {
    model: ModelRef,
    data: Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        'absolute path — a .csv / .parquet file with a label column, a .jsonl file of {"instance", "label"}, or a folder with one subfolder per class — or a dataset `name[:version]`',
    }),
    format: Type.Optional(DatasetFormatSchema),
    label: Type.Optional(
      Type.String({ minLength: 1, maxLength: 256, description: 'the label column of a CSV or Parquet file (default "label")' }),
    ),
    features: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'the feature columns in the order the model takes them (default: every other column, in order)',
      }),
    ),
    task: Type.Optional(EvaluationTaskSchema),
    threshold: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, default: DEFAULT_THRESHOLD, description: 'the probability threshold' }),
    ),
    maxErrors: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1000, default: DEFAULT_MAX_ERRORS, description: 'misclassified samples kept' }),
    ),
    batchRows: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        default: DEFAULT_BATCH_ROWS,
        description: 'rows read and predicted at a time',
      }),
    ),
    environment: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type EvaluationCreate = Static<typeof EvaluationCreate>;

export const ClassFigures = Type.Object(
  {
    class: Label,
    precision: Figure,
    recall: Figure,
    f1: Figure,
    support: Type.Integer({ minimum: 0 }),
    /** from the scores; null without them */
    averagePrecision: Figure,
    rocAuc: Figure,
  },
  {},
);
export type ClassFigures = Static<typeof ClassFigures>;

export const Averages = Type.Object({ precision: Figure, recall: Figure, f1: Figure }, {});

export const CurvePoint = Type.Object({ threshold: Type.Number(), precision: Type.Number(), recall: Type.Number() }, {});
export const ClassCurve = Type.Object(
  { class: Label, points: Type.Array(CurvePoint, { description: 'thinned to at most 200 points, by threshold' }) },
  {},
);

export const ClassificationResult = Type.Object(
  {
    accuracy: Type.Number(),
    classes: Type.Array(Label, { description: "the confusion matrix's order: the model's classes, then labels it never saw" }),
    perClass: Type.Array(ClassFigures),
    macro: Averages,
    weighted: Averages,
    /** rows: true class, columns: predicted class, both in `classes` order */
    confusionMatrix: Type.Array(Type.Array(Type.Integer({ minimum: 0 }))),
    hasScores: Type.Boolean(),
    noScoresReason: Type.Union([Type.String(), Type.Null()]),
    /** binary: the positive class's; multiclass: macro one-vs-rest */
    rocAuc: Figure,
    prCurves: Type.Array(ClassCurve),
    /** labels in the data the model never saw: reported, and counted as errors */
    unseenLabels: Type.Array(Type.Object({ label: Label, count: Type.Integer({ minimum: 1 }) })),
    /** binary with scores only: the threshold at which the positive class's F1 is highest */
    bestF1: Type.Union([
      Type.Object({ threshold: Type.Number(), precision: Type.Number(), recall: Type.Number(), f1: Type.Number() }),
      Type.Null(),
    ]),
  },
  {},
);
export type ClassificationResult = Static<typeof ClassificationResult>;

export const RegressionResult = Type.Object(
  {
    rmse: Type.Number(),
    mae: Type.Number(),
    r2: Figure,
    residuals: Type.Object({
      edges: Type.Array(Type.Number(), { description: 'bin edges, one more than counts' }),
      counts: Type.Array(Type.Integer({ minimum: 0 })),
    }),
  },
  {},
);
export type RegressionResult = Static<typeof RegressionResult>;

export const ClusteringResult = Type.Object(
  {
    clusters: Type.Array(Type.Object({ cluster: Label, size: Type.Integer({ minimum: 0 }) })),
    /** on a sample of at most 10,000 rows; null with one cluster */
    silhouette: Figure,
  },
  {},
);
export type ClusteringResult = Static<typeof ClusteringResult>;

/** A misclassified (or worst-residual) sample. */
export const EvaluationError = Type.Object(
  {
    row: Type.Integer({ minimum: 0, description: 'row index in the dataset (file order; a folder: sorted class, then file)' }),
    instance: Type.String({ description: 'the instance as JSON (a folder: the file path), cut to 500 characters' }),
    label: Label,
    predicted: Label,
    /** the predicted class's score; null without scores */
    confidence: Figure,
    /** regression: predicted − label */
    residual: Figure,
  },
  {},
);
export type EvaluationError = Static<typeof EvaluationError>;

/** What `result.json` holds, as the runner writes it. */
export const EvaluationResult = Type.Object(
  {
    task: EvaluationTaskSchema,
    rows: Type.Integer({ minimum: 0 }),
    seconds: Type.Number({ description: 'reading, predicting and computing' }),
    classification: Type.Union([ClassificationResult, Type.Null()]),
    regression: Type.Union([RegressionResult, Type.Null()]),
    clustering: Type.Union([ClusteringResult, Type.Null()]),
    /** most confident mistakes (largest residuals) first */
    errors: Type.Array(EvaluationError),
  },
  {},
);
export type EvaluationResult = Static<typeof EvaluationResult>;

/** Precision and recall per class at one threshold: Custom Vision's slider, answered from the stored curves. */
export const ThresholdFigures = Type.Object(
  {
    threshold: Type.Number(),
    perClass: Type.Array(
      Type.Object({
        class: Label,
        precision: Figure,
        recall: Figure,
        f1: Figure,
        /** rows whose score for this class is at or above the threshold */
        predicted: Type.Integer({ minimum: 0 }),
        support: Type.Integer({ minimum: 0 }),
      }),
    ),
    macro: Averages,
  },
  {},
);
export type ThresholdFigures = Static<typeof ThresholdFigures>;

export const EvaluationDataset = Type.Object(
  {
    path: Type.String(),
    format: DatasetFormatSchema,
    label: Type.Union([Type.String(), Type.Null()]),
    features: Type.Union([Type.Array(Type.String()), Type.Null()]),
    /** sha256 of the file (a folder: of its sorted relative paths and their contents): what iterations line up on */
    sha256: Type.Union([Type.String(), Type.Null()], { description: 'null until the runner has read it' }),
    dataset: Type.Union([Type.String(), Type.Null()], {
      description: 'the dataset asked for, pinned to its version (`name:version`); null when a path was given',
    }),
  },
  {},
);

export const Evaluation = Type.Object(
  {
    id: Type.String(),
    model: Type.Object({ id: Type.String(), name: Name, version: Type.Integer({ minimum: 1 }) }),
    data: EvaluationDataset,
    task: Type.Union([EvaluationTaskSchema, Type.Null()], { description: 'as asked, else as the runner found it' }),
    threshold: Type.Number(),
    maxErrors: Type.Integer({ minimum: 0 }),
    batchRows: Type.Integer({ minimum: 1 }),
    environment: Type.Union([Type.String(), Type.Null()]),
    state: EvaluationStateSchema,
    stateReason: Type.Union([Type.String(), Type.Null()]),
    /** rows done so far, while it runs */
    rowsDone: Type.Integer({ minimum: 0 }),
    result: Type.Union([EvaluationResult, Type.Null()], { description: 'once COMPLETE' }),
    /** at the asked threshold (else the evaluation's), with scores only */
    atThreshold: Type.Union([ThresholdFigures, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    startedAt: Type.Union([Timestamp, Type.Null()]),
    endedAt: Type.Union([Timestamp, Type.Null()]),
  },
  { title: 'Evaluation' },
);
export type Evaluation = Static<typeof Evaluation>;

export const EvaluationQuery = Type.Object(
  {
    threshold: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'precision/recall per class at this threshold' }),
    ),
  },
  { additionalProperties: false },
);
export type EvaluationQuery = Static<typeof EvaluationQuery>;

/** A list carries no result (it may be large): get one evaluation for it. */
export const EvaluationSummary = Type.Object(
  {
    ...Type.Omit(Evaluation, ['result', 'atThreshold']).properties,
    /** the headline figures once COMPLETE: accuracy, macroF1, weightedF1, rocAuc / rmse, mae, r2 / silhouette */
    metrics: Type.Record(Type.String(), Figure),
  },
  { title: 'EvaluationSummary' },
);
export type EvaluationSummary = Static<typeof EvaluationSummary>;

export const EvaluationList = ListOf(EvaluationSummary, 'Evaluation');
export type EvaluationList = Static<typeof EvaluationList>;

export const EvaluationListQuery = Type.Object(
  {
    ...ListQuery.properties,
    model: Type.Optional(ModelRef),
    state: Type.Optional(EvaluationStateSchema),
  },
  { additionalProperties: false },
);
export type EvaluationListQuery = Static<typeof EvaluationListQuery>;

/** The versions of one model name are its iterations: each one's latest COMPLETE evaluation on one dataset. */
export const ModelIterations = Type.Object(
  {
    name: Name,
    dataset: Type.Union([Type.Object({ sha256: Type.String(), path: Type.String() }), Type.Null()], {
      description: 'the dataset lined up: as asked, else the one evaluated last',
    }),
    datasets: Type.Array(Type.Object({ sha256: Type.String(), path: Type.String(), evaluations: Type.Integer({ minimum: 1 }) }), {
      description: 'every dataset a version of this model was evaluated on',
    }),
    iterations: Type.Array(
      Type.Object({
        modelId: Type.String(),
        version: Type.Integer({ minimum: 1 }),
        aliases: Type.Array(Type.String()),
        evaluation: Type.Union([EvaluationSummary, Type.Null()]),
      }),
      { description: 'every version, oldest first' },
    ),
  },
  { title: 'ModelIterations' },
);
export type ModelIterations = Static<typeof ModelIterations>;

export const ModelIterationsQuery = Type.Object(
  { dataset: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'a dataset sha256' })) },
  { additionalProperties: false },
);
export type ModelIterationsQuery = Static<typeof ModelIterationsQuery>;

/** Quick test (Custom Vision): call a model version with no endpoint. */
export const ModelPredict = Type.Object(
  {
    instances: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000 }),
    return_scores: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ModelPredict = Static<typeof ModelPredict>;

/**
 * A file for a model that takes files (image, audio, text): its raw bytes, sent with its
 * media type. The worker gets one instance `{"b64": …, "filename": …, "contentType": …}`
 * (TF Serving's b64 convention), which a custom predict.py decodes.
 */
export const QUICK_TEST_MEDIA_TYPES = ['image/*', 'audio/*', 'text/*', 'application/octet-stream'] as const;
export const ModelPredictFile = Type.Unsafe<Blob | Uint8Array>({
  type: 'string',
  format: 'binary',
  description: `the file's bytes; Content-Type one of ${QUICK_TEST_MEDIA_TYPES.join(', ')}`,
});
export type ModelPredictFile = Static<typeof ModelPredictFile>;

export const ModelPredictFileQuery = Type.Object(
  {
    filename: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[^/\\\\\\u0000]+$',
        description: "the file's name, passed to the model (no folders)",
      }),
    ),
    return_scores: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type ModelPredictFileQuery = Static<typeof ModelPredictFileQuery>;

export const ModelPrediction = Type.Object(
  {
    predictions: Type.Array(Type.Unknown()),
    /** a score the model gave as NaN comes as null, as the worker sends it */
    scores: Type.Optional(Type.Array(Type.Array(Type.Union([Type.Number(), Type.Null()])))),
    classes: Type.Optional(Type.Union([Type.Array(Label), Type.Null()])),
    /** false when this call had to start the version's worker */
    warm: Type.Boolean(),
    milliseconds: Type.Number(),
  },
  { title: 'ModelPrediction' },
);
export type ModelPrediction = Static<typeof ModelPrediction>;
