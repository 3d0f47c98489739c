import { type Static, Type } from '@sinclair/typebox';
import { Id, ListOf, MAX_OFFSET, NAME_PATTERN, Name, Timestamp } from './common.js';
import { ModelFrameworkSchema, ModelRef } from './models.js';
import { DriftSettings, PayloadLogging } from './monitoring.js';
import { Tags } from './trainings.js';

/** The console guide's endpoint states. */
export const ENDPOINT_STATES = [
  'CREATE REQUESTED',
  'CREATE IN PROGRESS',
  'UPDATE IN PROGRESS',
  'DELETE IN PROGRESS',
  'ACTIVE',
  'CREATE FAILED',
  'UPDATE FAILED',
] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** The console guide's stage states. */
export const STAGE_STATES = [
  'CREATE REQUESTED',
  'CREATE IN PROGRESS',
  'DEPLOY IN PROGRESS',
  'DELETE IN PROGRESS',
  'ACTIVE',
  'CREATE FAILED',
  'DEPLOY FAILED',
  'INACTIVE',
] as const;
export type StageState = (typeof STAGE_STATES)[number];

/** One model worker of a stage, as the pool sees it now. */
export const INSTANCE_STATES = ['STARTING', 'READY', 'RESTARTING', 'FAILED', 'STOPPED'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

export const StageInstance = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    state: Type.Union(INSTANCE_STATES.map((s) => Type.Literal(s))),
    pid: Type.Union([Type.Integer(), Type.Null()]),
    restarts: Type.Integer({ minimum: 0, description: 'times it was started again after it ended or stopped answering' }),
    lastExit: Type.Union([Type.String(), Type.Null()], { description: 'how it last ended, e.g. "signal SIGKILL"' }),
    inFlight: Type.Integer({ minimum: 0 }),
  },
  {},
);
export type StageInstance = Static<typeof StageInstance>;

/** `/` or one or more lower-case path segments: the stage also answers at its URL plus this. */
export const RESOURCE_PATH_PATTERN = '^/([a-z0-9_-]{1,50}(/[a-z0-9_-]{1,50}){0,4})?$';
export const ResourcePath = Type.String({
  pattern: RESOURCE_PATH_PATTERN,
  description: '"/" or up to five path segments like "/predict"; the stage also answers at its URL plus this path',
});

/** Ray Serve's autoscaling bounds of a stage on a cluster (its replicas between the two). */
export const StageAutoscaling = Type.Object(
  {
    minReplicas: Type.Integer({ minimum: 0, maximum: 16 }),
    maxReplicas: Type.Integer({ minimum: 1, maximum: 16 }),
  },
  { additionalProperties: false },
);
export type StageAutoscaling = Static<typeof StageAutoscaling>;

export const EndpointStage = Type.Object(
  {
    id: Type.String(),
    endpointId: Type.String(),
    name: Name,
    description: Type.String(),
    default: Type.Boolean({ description: 'whether POST /inference/{endpoint} goes here' }),
    state: Type.Union(STAGE_STATES.map((s) => Type.Literal(s))),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    url: Type.String({ description: 'the stage URL on the bridge: POST here to call this stage' }),
    resourcePath: Type.String(),
    model: Type.Object({ id: Type.String(), name: Type.String(), version: Type.Integer(), framework: ModelFrameworkSchema }),
    instanceCount: Type.Integer({ minimum: 1 }),
    instances: Type.Array(StageInstance),
    python: Type.String({ description: 'the interpreter its workers run in: the environment of the model' }),
    cluster: Type.Union([Type.String(), Type.Null()], {
      description: 'the Ray cluster it runs on as a Ray Serve application; null: on this machine',
    }),
    autoscaling: Type.Union([StageAutoscaling, Type.Null()]),
    memoryLimitMb: Type.Union([Type.Integer(), Type.Null()], {
      description: 'a worker over this resident memory is restarted (null: no limit)',
    }),
    // the schema's defaults filled in: {enabled: false, …} unless asked
    payloadLogging: PayloadLogging,
    drift: Type.Union([DriftSettings, Type.Null()], {
      description: "its inputs' drift watch, the schema's defaults filled in (reference null: its training's table); null: off",
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type EndpointStage = Static<typeof EndpointStage>;

export const Endpoint = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    state: Type.Union(ENDPOINT_STATES.map((s) => Type.Literal(s))),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    url: Type.String({ description: 'the default stage URL: POST /inference/{endpoint}' }),
    defaultStage: Type.Union([Type.String(), Type.Null()], { description: "the default stage's name" }),
    hasApiKey: Type.Boolean({ description: 'whether an API key was issued: callers may use it instead of the bridge token' }),
    apiKey: Type.Optional(
      Type.String({ description: 'only in the answer that issued it: keep it, the bridge stores a hash of it alone' }),
    ),
    tags: Tags,
    stages: Type.Array(EndpointStage),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Endpoint = Static<typeof Endpoint>;

/** What watches a stage: changeable without a redeploy (PATCH the stage). */
function StageMonitoring() {
  return {
    memoryLimitMb: Type.Optional(
      Type.Union([Type.Integer({ minimum: 64, maximum: 1048576 }), Type.Null()], {
        description: 'restart a worker whose resident memory goes over this (null: no limit)',
      }),
    ),
    payloadLogging: Type.Optional(PayloadLogging),
    drift: Type.Optional(
      Type.Union([DriftSettings, Type.Null()], {
        description: "watch its inputs' drift against a reference (needs payload logging); null: off",
      }),
    ),
  };
}

const StageSettings = {
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  model: ModelRef,
  instanceCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 1 })),
  resourcePath: Type.Optional(ResourcePath),
  environment: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: "an ACTIVE environment to run the workers in (default: the model's training's, else the bridge's)",
    }),
  ),
  cluster: Type.Optional(
    Type.Union([Type.String({ pattern: NAME_PATTERN }), Type.Null()], {
      description:
        'a Ray cluster to run it on as a Ray Serve application, instanceCount replicas; null: this machine, even when a default cluster is set (left out: the default cluster, else this machine)',
    }),
  ),
  autoscaling: Type.Optional(StageAutoscaling),
  ...StageMonitoring(),
};

export const StageCreate = Type.Object({ name: Name, ...StageSettings }, { additionalProperties: false });
export type StageCreate = Static<typeof StageCreate>;

/** A new endpoint and its default stage, in one call. */
export const EndpointCreate = Type.Object(
  {
    name: Name,
    ...StageSettings,
    stage: Type.Optional(Type.String({ pattern: NAME_PATTERN, default: 'default', description: "the default stage's name" })),
    apiKey: Type.Optional(Type.Boolean({ description: 'issue an API key callers can use instead of the bridge token' })),
    tags: Type.Optional(Tags),
  },
  { additionalProperties: false },
);
export type EndpointCreate = Static<typeof EndpointCreate>;

export const EndpointUpdate = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    tags: Type.Optional(Tags),
    apiKey: Type.Optional(Type.Boolean({ description: 'true issues a new key (the old one stops working); false removes it' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type EndpointUpdate = Static<typeof EndpointUpdate>;

export const StageUpdate = Type.Object(
  { description: Type.Optional(Type.String({ maxLength: 1000 })), ...StageMonitoring() },
  { additionalProperties: false, minProperties: 1 },
);
export type StageUpdate = Static<typeof StageUpdate>;

export const DefaultStageChange = Type.Object({ stage: Name }, { additionalProperties: false });
export type DefaultStageChange = Static<typeof DefaultStageChange>;

export const StageParams = Type.Object({ id: Id, stage: Name }, { additionalProperties: false });
export type StageParams = Static<typeof StageParams>;

export const EndpointList = ListOf(Endpoint, 'Endpoint');
export type EndpointList = Static<typeof EndpointList>;

/** One stage's traffic in one minute. */
export const StageMinute = Type.Object(
  {
    stageId: Type.String(),
    stage: Type.String(),
    minute: Timestamp,
    count: Type.Integer({ minimum: 0 }),
    errors: Type.Integer({ minimum: 0, description: 'answers with a 4xx or 5xx status' }),
    serverErrors: Type.Integer({ minimum: 0, description: 'of which 5xx' }),
    p50: Type.Union([Type.Number(), Type.Null()], { description: 'latency in ms through the gateway' }),
    p90: Type.Union([Type.Number(), Type.Null()]),
    p99: Type.Union([Type.Number(), Type.Null()]),
    maxInFlight: Type.Integer({ minimum: 0 }),
  },
  {},
);
export type StageMinute = Static<typeof StageMinute>;

export const EndpointStats = Type.Object(
  {
    endpointId: Type.String(),
    minutes: Type.Array(StageMinute, { description: 'oldest first; the current minute last, still counting' }),
    inFlight: Type.Record(Type.String(), Type.Integer(), { description: 'requests in flight now, by stage name' }),
  },
  {},
);
export type EndpointStats = Static<typeof EndpointStats>;

export const EndpointStatsQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, default: 60, description: 'how far back' })),
  },
  { additionalProperties: false },
);
export type EndpointStatsQuery = Static<typeof EndpointStatsQuery>;

/** Stage.Worker: what happened to one of the stage's workers (restarted over its memory limit), with no request. */
export const INFERENCE_ACTIONS = ['Inference.Request', 'Inference.Response', 'Stage.Worker'] as const;
export const LOG_LEVELS = ['INFO', 'WARNING', 'ERROR'] as const;

/** The console guide's endpoint log fields (category easymaker.inference). */
export const InferenceLog = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    category: Type.Literal('easymaker.inference'),
    endpointId: Type.String(),
    endpointStageId: Type.String(),
    inferenceId: Type.String(),
    action: Type.Union(INFERENCE_ACTIONS.map((a) => Type.Literal(a))),
    modelName: Type.String(),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    body: Type.String({ description: 'what happened, in words' }),
    status: Type.Union([Type.Integer(), Type.Null()], { description: 'the answer status (responses)' }),
    latencyMs: Type.Union([Type.Number(), Type.Null()], { description: 'time through the gateway (responses)' }),
    time: Timestamp,
  },
  {},
);
export type InferenceLog = Static<typeof InferenceLog>;

export const InferenceLogQuery = Type.Object(
  {
    stage: Type.Optional(Name),
    inferenceId: Type.Optional(Type.String({ maxLength: 64 })),
    level: Type.Optional(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)))),
    after: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_OFFSET, description: 'only entries with a larger seq (to follow)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200 })),
  },
  { additionalProperties: false },
);
export type InferenceLogQuery = Static<typeof InferenceLogQuery>;

export const InferenceLogList = Type.Object(
  { items: Type.Array(InferenceLog, { description: 'newest last' }) },
  { title: 'InferenceLogList' },
);
export type InferenceLogList = Static<typeof InferenceLogList>;

/** The KServe V1 / TF Serving REST shape. */
export const InferenceRequest = Type.Object(
  {
    instances: Type.Array(Type.Unknown(), { description: 'one input per prediction' }),
    return_scores: Type.Optional(
      Type.Boolean({ description: 'true: the answer adds scores and classes; 400 for a model that has none' }),
    ),
  },
  { title: 'InferenceRequest' },
);
export type InferenceRequest = Static<typeof InferenceRequest>;

export const InferenceResponse = Type.Object(
  {
    predictions: Type.Array(Type.Unknown(), { description: 'one per instance, in order' }),
    scores: Type.Optional(
      Type.Array(Type.Array(Type.Unknown()), {
        description: "with return_scores: each instance's class probabilities, in the order of classes",
      }),
    ),
    classes: Type.Optional(
      Type.Union([Type.Array(Type.Unknown()), Type.Null()], {
        description: "with return_scores: the scores' classes, or null where the model doesn't name them",
      }),
    ),
  },
  { title: 'InferenceResponse' },
);
export type InferenceResponse = Static<typeof InferenceResponse>;

export const InferenceParams = Type.Object({ endpoint: Name }, { additionalProperties: false });
export const StageInferenceParams = Type.Object({ endpoint: Name, stage: Name }, { additionalProperties: false });
