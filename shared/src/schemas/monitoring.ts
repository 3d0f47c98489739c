import { type Static, Type } from '@sinclair/typebox';
import { MAX_OFFSET, Name, Timestamp } from './common.js';

// What a model in service (and a training at work) is watched by: the processes' resource use,
// the payloads its stages log, its inputs' drift against a reference, and its accuracy against
// the labels callers send back (seed 003 §2).

// ---- resource usage -------------------------------------------------------------------------

/** One sample of one process (with its children), or a bucket's mean (peak memory) once downsampled. */
export const ResourceSample = Type.Object(
  {
    time: Timestamp,
    cpuPercent: Type.Number({ minimum: 0, description: '100 = one core busy' }),
    memoryMb: Type.Number({ minimum: 0, description: 'resident memory (RSS)' }),
    threads: Type.Integer({ minimum: 0 }),
    openFiles: Type.Integer({ minimum: 0 }),
    gpuPercent: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], { description: 'null: no NVIDIA GPU' }),
    gpuMemoryMb: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  {},
);
export type ResourceSample = Static<typeof ResourceSample>;

/** The kinds of process the bridge starts and samples. */
export const USAGE_PROCESS_KINDS = ['rank', 'worker', 'batch-worker', 'tensorboard'] as const;
export type UsageProcessKind = (typeof USAGE_PROCESS_KINDS)[number];

/** One process's series: a training rank, a stage's worker, a batch job's worker, a TensorBoard. */
export const ProcessUsage = Type.Object(
  {
    process: Type.String({ description: 'what it is, e.g. "rank 0", "worker 1" (of its stage), "tensorboard"' }),
    kind: Type.Union(USAGE_PROCESS_KINDS.map((k) => Type.Literal(k))),
    stage: Type.Union([Type.String(), Type.Null()], { description: "a worker's stage name" }),
    pid: Type.Union([Type.Integer(), Type.Null()], { description: 'the latest pid (a restarted worker has a new one)' }),
    samples: Type.Array(ResourceSample, { description: 'oldest first, downsampled to at most `points`' }),
  },
  {},
);
export type ProcessUsage = Static<typeof ProcessUsage>;

export const ResourceUsage = Type.Object(
  {
    resource: Type.Union([Type.Literal('trainings'), Type.Literal('endpoints'), Type.Literal('batch-inferences')]),
    id: Type.String(),
    intervalSeconds: Type.Number({ description: 'how often the processes are sampled' }),
    gpu: Type.Boolean({ description: 'whether an NVIDIA GPU was found (else the GPU fields are null)' }),
    processes: Type.Array(ProcessUsage),
    summary: Type.Object({
      peakMemoryMb: Type.Union([Type.Number(), Type.Null()], {
        description:
          "the largest sum over its ranks, workers (the stage's, with ?stage) or runner in a round, over every round kept whole; a training's TensorBoard is left out",
      }),
      meanCpuPercent: Type.Union([Type.Number(), Type.Null()], { description: 'the mean of those sums of CPU %' }),
    }),
  },
  { title: 'ResourceUsage' },
);
export type ResourceUsage = Static<typeof ResourceUsage>;

export const ResourceUsageQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10080, description: 'how far back (default: all kept)' })),
    points: Type.Optional(
      Type.Integer({ minimum: 10, maximum: 5000, default: 300, description: 'at most this many samples per process' }),
    ),
  },
  { additionalProperties: false },
);
export type ResourceUsageQuery = Static<typeof ResourceUsageQuery>;

/** On the event stream, action `usage`: one sampling round of a resource's processes. */
export const UsageEventData = Type.Object(
  {
    processes: Type.Array(
      Type.Object({
        process: Type.String(),
        kind: Type.Union(USAGE_PROCESS_KINDS.map((k) => Type.Literal(k))),
        stage: Type.Union([Type.String(), Type.Null()]),
        pid: Type.Integer(),
        sample: ResourceSample,
      }),
    ),
  },
  {},
);
export type UsageEventData = Static<typeof UsageEventData>;

// ---- payload logging ------------------------------------------------------------------------

/** Off unless asked: a stage's requests' instances and their predictions, sampled and capped. */
export const PayloadLogging = Type.Object(
  {
    enabled: Type.Boolean(),
    sampleRate: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, default: 1, description: 'the share of requests logged, 1 = all' }),
    ),
    maxBytes: Type.Optional(
      Type.Integer({
        minimum: 256,
        maximum: 1048576,
        default: 65536,
        description: 'a larger request or answer is kept cut to this and marked truncated',
      }),
    ),
    redact: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 100,
        description: 'field names whose values are replaced by "[redacted]" wherever they occur',
      }),
    ),
    keepCount: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000000, default: 100000, description: 'the newest this many are kept' }),
    ),
    keepDays: Type.Optional(Type.Number({ minimum: 0.001, maximum: 3650, default: 7, description: 'and none older' })),
  },
  { additionalProperties: false },
);
export type PayloadLogging = Static<typeof PayloadLogging>;

/** One logged request: what was sent and what was answered, beside its Inference.Request/Response logs. */
export const InferencePayload = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    inferenceId: Type.String(),
    endpointId: Type.String(),
    endpointStageId: Type.String(),
    stage: Type.String(),
    time: Timestamp,
    status: Type.Integer(),
    instances: Type.Unknown({ description: "the request's instances, redacted (a string when truncated)" }),
    predictions: Type.Unknown({ description: "the answer's predictions (null for an error answer)" }),
    truncated: Type.Boolean(),
  },
  {},
);
export type InferencePayload = Static<typeof InferencePayload>;

export const PayloadQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    inferenceId: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, description: 'only a larger seq' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
  },
  { additionalProperties: false },
);
export type PayloadQuery = Static<typeof PayloadQuery>;

export const InferencePayloadList = Type.Object(
  {
    items: Type.Array(InferencePayload, { description: 'newest last' }),
    dropped: Type.Integer({
      minimum: 0,
      description:
        "calls of the endpoint (or the stage asked for) sampled since the bridge started but not logged: the payload log's queue was full",
    }),
  },
  { title: 'InferencePayloadList' },
);
export type InferencePayloadList = Static<typeof InferencePayloadList>;

// ---- data drift -----------------------------------------------------------------------------

/** `30s`, `5m`, `2h`, `1d`: as a schedule's `every`. */
export const WINDOW_PATTERN = '^[1-9][0-9]{0,4}(s|m|h|d)$';

/** A stage's drift watch: its inputs (from the payload log) against a reference table, per window. */
export const DriftSettings = Type.Object(
  {
    reference: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 4096 }), Type.Null()], {
        description:
          'a dataset ("name" or "name:version") or an absolute path of a CSV/Parquet/JSONL table; null/left out: the table its model\'s training used',
      }),
    ),
    window: Type.Optional(Type.String({ pattern: WINDOW_PATTERN, default: '1h', description: 'the width of one drift window' })),
    psiThreshold: Type.Optional(
      Type.Number({ minimum: 0, default: 0.2, description: 'a feature drifts where PSI is above this…' }),
    ),
    pValue: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.01, description: "…or its test's p-value below this" }),
    ),
    minCount: Type.Optional(
      Type.Integer({ minimum: 1, default: 100, description: 'a window with fewer logged inputs is not judged' }),
    ),
  },
  { additionalProperties: false },
);
export type DriftSettings = Static<typeof DriftSettings>;

export const FeatureDrift = Type.Object(
  {
    feature: Type.String({ description: 'the column name, or "prediction" for the predictions' }),
    kind: Type.Union([Type.Literal('numeric'), Type.Literal('categorical')]),
    psi: Type.Number({ description: 'population stability index against the reference' }),
    test: Type.Union([Type.Literal('ks'), Type.Literal('chi2')]),
    statistic: Type.Number(),
    pValue: Type.Number(),
    drifted: Type.Boolean(),
  },
  {},
);
export type FeatureDrift = Static<typeof FeatureDrift>;

export const DriftWindow = Type.Object(
  {
    stage: Type.String(),
    start: Timestamp,
    end: Timestamp,
    count: Type.Integer({ minimum: 0, description: 'logged inputs in the window' }),
    judged: Type.Boolean({ description: 'false: fewer than minCount inputs, features empty' }),
    features: Type.Array(FeatureDrift, { description: 'the worst first (drifted, then by PSI)' }),
    prediction: Type.Union([FeatureDrift, Type.Null()], {
      description: "the predictions' drift against the model's predictions on the reference",
    }),
  },
  {},
);
export type DriftWindow = Static<typeof DriftWindow>;

export const EndpointDrift = Type.Object(
  {
    endpointId: Type.String(),
    reference: Type.Union(
      [
        Type.Object({
          source: Type.String({ description: 'the dataset reference or the path read' }),
          rows: Type.Integer(),
          columns: Type.Array(Type.String()),
        }),
        Type.Null(),
      ],
      { description: 'null: the stage has no reference (its training used no table, and none was given)' },
    ),
    windows: Type.Array(DriftWindow, { description: 'oldest first; the current window last, still filling' }),
  },
  { title: 'EndpointDrift' },
);
export type EndpointDrift = Static<typeof EndpointDrift>;

export const DriftQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    windows: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 24, description: 'how many, newest' })),
  },
  { additionalProperties: false },
);
export type DriftQuery = Static<typeof DriftQuery>;

// ---- model drift: ground truth sent back ----------------------------------------------------

export const FeedbackItem = Type.Object(
  {
    inferenceId: Type.String({ minLength: 1, maxLength: 64 }),
    index: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'which instance of that request (0: the first)' })),
    label: Type.Unknown({ description: 'the true answer for that instance' }),
  },
  { additionalProperties: false },
);
export type FeedbackItem = Static<typeof FeedbackItem>;

/** One label, or many at once; all are kept or none (an unknown inferenceId is a 404 naming it). */
export const FeedbackBody = Type.Union([
  FeedbackItem,
  Type.Object({ items: Type.Array(FeedbackItem, { minItems: 1, maxItems: 10000 }) }, { additionalProperties: false }),
]);
export type FeedbackBody = Static<typeof FeedbackBody>;

export const FeedbackResult = Type.Object({ accepted: Type.Integer({ minimum: 0 }) }, { title: 'FeedbackResult' });
export type FeedbackResult = Static<typeof FeedbackResult>;

export const ModelQualityWindow = Type.Object(
  {
    stage: Type.String(),
    start: Timestamp,
    end: Timestamp,
    count: Type.Integer({ minimum: 0, description: 'labelled predictions in the window' }),
    metrics: Type.Record(Type.String(), Type.Number(), {
      description: 'accuracy and f1 (classification) or mae and rmse (regression)',
    }),
  },
  {},
);
export type ModelQualityWindow = Static<typeof ModelQualityWindow>;

export const EndpointModelQuality = Type.Object(
  {
    endpointId: Type.String(),
    task: Type.Union([Type.Literal('classification'), Type.Literal('regression'), Type.Null()]),
    baseline: Type.Union(
      [Type.Object({ evaluationId: Type.String(), metrics: Type.Record(Type.String(), Type.Number()) }), Type.Null()],
      { description: "the model version's latest COMPLETE evaluation on its test data" },
    ),
    unmatchedFeedback: Type.Integer({ minimum: 0, description: 'labels refused for an unknown inferenceId' }),
    windows: Type.Array(ModelQualityWindow, { description: 'oldest first' }),
  },
  { title: 'EndpointModelQuality' },
);
export type EndpointModelQuality = Static<typeof EndpointModelQuality>;

export const ModelQualityQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    window: Type.Optional(Type.String({ pattern: WINDOW_PATTERN, default: '1h' })),
    windows: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 24 })),
  },
  { additionalProperties: false },
);
export type ModelQualityQuery = Static<typeof ModelQualityQuery>;
