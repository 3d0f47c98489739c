import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { IdParams, ListQuery, LogChunk, LogQuery } from '../schemas/common.js';
import {
  DefaultStageChange,
  Endpoint,
  EndpointCreate,
  EndpointList,
  EndpointStage,
  EndpointStats,
  EndpointStatsQuery,
  EndpointUpdate,
  InferenceLogList,
  InferenceLogQuery,
  InferenceParams,
  InferenceRequest,
  InferenceResponse,
  StageCreate,
  StageInferenceParams,
  StageParams,
} from '../schemas/endpoints.js';
import { Environment, EnvironmentCreate, EnvironmentList, EnvironmentManagers } from '../schemas/environments.js';
import { EventsQuery } from '../schemas/events.js';
import { Experiment, ExperimentCreate, ExperimentList, ExperimentUpdate } from '../schemas/experiments.js';
import { BrowserTicket, Health, Status } from '../schemas/health.js';
import {
  KserveLive,
  KserveModelList,
  ModelReadiness,
  V2InferRequest,
  V2InferResponse,
  V2Live,
  V2ModelMetadata,
  V2ModelParams,
  V2Ready,
  V2ServerMetadata,
  V2VersionParams,
} from '../schemas/inference-protocols.js';
import { ExperimentComparison, MetricsQuery, TrainingMetrics } from '../schemas/metrics.js';
import { Model, ModelCreate, ModelList, ModelListQuery, ModelParams, ModelPromote, ModelUpdate } from '../schemas/models.js';
import { Tensorboard, TensorboardCreate, TensorboardList } from '../schemas/tensorboards.js';
import {
  Training,
  TrainingCopy,
  TrainingCreate,
  TrainingFileList,
  TrainingFileQuery,
  TrainingList,
  TrainingListQuery,
  TrainingLogQuery,
  TrainingLogStreamQuery,
  TrainingUpdate,
} from '../schemas/trainings.js';

/**
 * The one table of the management API. The bridge registers its handlers against it
 * (validation and the OpenAPI document come from these schemas) and the client builds
 * its typed methods from it, so neither side keeps a hand-made copy.
 */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** fastify style: `:id` for a path parameter */
  url: string;
  tag: string;
  summary: string;
  /**
   * true only for the health checks (the bridge's, and the KServe V1/V2 liveness, readiness
   * and server metadata probes, which name no model): every other route needs the token
   */
  public?: boolean;
  /** a WebSocket upgrade, not a JSON call; it also takes the token as a subprotocol (see api/socket-auth.ts) */
  websocket?: boolean;
  /**
   * served by the inference gateway: the body goes to a model worker as it came (not
   * validated here), and the endpoint's API key is taken as well as the token
   */
  gateway?: boolean;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  status: number;
  /** null for an empty (204) answer */
  response: TSchema | null;
}

export const routes = {
  health: {
    method: 'GET',
    url: '/api/v1/health',
    tag: 'bridge',
    summary: 'Liveness; the only route without the token',
    public: true,
    status: 200,
    response: Health,
  },
  getStatus: {
    method: 'GET',
    url: '/api/v1/status',
    tag: 'bridge',
    summary: 'Version, home, process and resource counts',
    status: 200,
    response: Status,
  },
  getOpenApi: {
    method: 'GET',
    url: '/api/v1/openapi.json',
    tag: 'bridge',
    summary: 'This OpenAPI 3.1 document',
    status: 200,
    response: Type.Unknown({ description: 'an OpenAPI 3.1 document' }),
  },
  createBrowserTicket: {
    method: 'POST',
    url: '/api/v1/browser-tickets',
    tag: 'bridge',
    summary:
      'A one-time credential (a minute) for opening a page the bridge serves to browsers, such as TensorBoard, without the token in its address',
    status: 201,
    response: BrowserTicket,
  },
  events: {
    method: 'GET',
    url: '/api/v1/events',
    tag: 'bridge',
    summary: 'WebSocket stream of every resource change; `since` resumes after a reconnect',
    websocket: true,
    querystring: EventsQuery,
    status: 101,
    response: null,
  },

  listEnvironmentManagers: {
    method: 'GET',
    url: '/api/v1/environment-managers',
    tag: 'environments',
    summary: 'Which environment managers and Python versions this machine has',
    status: 200,
    response: EnvironmentManagers,
  },
  listEnvironments: {
    method: 'GET',
    url: '/api/v1/environments',
    tag: 'environments',
    summary: 'List environments',
    querystring: ListQuery,
    status: 200,
    response: EnvironmentList,
  },
  createEnvironment: {
    method: 'POST',
    url: '/api/v1/environments',
    tag: 'environments',
    summary: 'Create an environment; it is built in the background (CREATE IN PROGRESS → ACTIVE)',
    body: EnvironmentCreate,
    status: 202,
    response: Environment,
  },
  getEnvironment: {
    method: 'GET',
    url: '/api/v1/environments/:id',
    tag: 'environments',
    summary: 'Get an environment',
    params: IdParams,
    status: 200,
    response: Environment,
  },
  getEnvironmentLog: {
    method: 'GET',
    url: '/api/v1/environments/:id/log',
    tag: 'environments',
    summary: 'The creation log, from a byte offset',
    params: IdParams,
    querystring: LogQuery,
    status: 200,
    response: LogChunk,
  },
  deleteEnvironment: {
    method: 'DELETE',
    url: '/api/v1/environments/:id',
    tag: 'environments',
    summary: 'Delete an environment and its kernel; removed in the background',
    params: IdParams,
    status: 202,
    response: Environment,
  },

  listExperiments: {
    method: 'GET',
    url: '/api/v1/experiments',
    tag: 'experiments',
    summary: 'List experiments',
    querystring: ListQuery,
    status: 200,
    response: ExperimentList,
  },
  createExperiment: {
    method: 'POST',
    url: '/api/v1/experiments',
    tag: 'experiments',
    summary: 'Create an experiment',
    body: ExperimentCreate,
    status: 201,
    response: Experiment,
  },
  getExperiment: {
    method: 'GET',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Get an experiment',
    params: IdParams,
    status: 200,
    response: Experiment,
  },
  updateExperiment: {
    method: 'PATCH',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Change the description',
    params: IdParams,
    body: ExperimentUpdate,
    status: 200,
    response: Experiment,
  },
  deleteExperiment: {
    method: 'DELETE',
    url: '/api/v1/experiments/:id',
    tag: 'experiments',
    summary: 'Delete an experiment; refused (409) while it has trainings',
    params: IdParams,
    status: 204,
    response: null,
  },
  compareExperiment: {
    method: 'GET',
    url: '/api/v1/experiments/:id/comparison',
    tag: 'experiments',
    summary: 'Every training of the experiment with its hyperparameters and the last and best value of each metric',
    params: IdParams,
    status: 200,
    response: ExperimentComparison,
  },

  listTrainings: {
    method: 'GET',
    url: '/api/v1/trainings',
    tag: 'trainings',
    summary: 'List trainings, newest first; filter by experiment or state',
    querystring: TrainingListQuery,
    status: 200,
    response: TrainingList,
  },
  createTraining: {
    method: 'POST',
    url: '/api/v1/trainings',
    tag: 'trainings',
    summary: 'Submit a notebook or a script as a training; its source is snapshotted now and it runs in the background',
    body: TrainingCreate,
    status: 202,
    response: Training,
  },
  getTraining: {
    method: 'GET',
    url: '/api/v1/trainings/:id',
    tag: 'trainings',
    summary: 'Get a training',
    params: IdParams,
    status: 200,
    response: Training,
  },
  updateTraining: {
    method: 'PATCH',
    url: '/api/v1/trainings/:id',
    tag: 'trainings',
    summary: 'Change the description or the tags',
    params: IdParams,
    body: TrainingUpdate,
    status: 200,
    response: Training,
  },
  stopTraining: {
    method: 'POST',
    url: '/api/v1/trainings/:id/stop',
    tag: 'trainings',
    summary: 'Stop a training: its whole process tree ends within 5 s (STOP IN PROGRESS → STOPPED)',
    params: IdParams,
    status: 202,
    response: Training,
  },
  copyTraining: {
    method: 'POST',
    url: '/api/v1/trainings/:id/copy',
    tag: 'trainings',
    summary: 'Start a new training with the same settings and source; fields in the body replace the copied ones',
    params: IdParams,
    body: TrainingCopy,
    status: 202,
    response: Training,
  },
  deleteTraining: {
    method: 'DELETE',
    url: '/api/v1/trainings/:id',
    tag: 'trainings',
    summary: 'Delete a settled training and its folder; refused (409) while it runs or a model comes from it',
    params: IdParams,
    status: 204,
    response: null,
  },
  getTrainingLog: {
    method: 'GET',
    url: '/api/v1/trainings/:id/log',
    tag: 'trainings',
    summary: "One rank's log from a byte offset, cut at a line end",
    params: IdParams,
    querystring: TrainingLogQuery,
    status: 200,
    response: LogChunk,
  },
  streamTrainingLog: {
    method: 'GET',
    url: '/api/v1/trainings/:id/log/stream',
    tag: 'trainings',
    summary: "WebSocket: one rank's log from `offset`, live, then an `end` message once the training has settled",
    websocket: true,
    params: IdParams,
    querystring: TrainingLogStreamQuery,
    status: 101,
    response: null,
  },
  getTrainingMetrics: {
    method: 'GET',
    url: '/api/v1/trainings/:id/metrics',
    tag: 'trainings',
    summary: 'Scalar series per tag, read from the TensorBoard event files under EM_TENSORBOARD_LOG_DIR',
    params: IdParams,
    querystring: MetricsQuery,
    status: 200,
    response: TrainingMetrics,
  },
  listTrainingFiles: {
    method: 'GET',
    url: '/api/v1/trainings/:id/files',
    tag: 'trainings',
    summary: 'What the training wrote: artifacts/ (the executed notebook), model/, checkpoints/, tensorboard/',
    params: IdParams,
    status: 200,
    response: TrainingFileList,
  },
  getTrainingFile: {
    method: 'GET',
    url: '/api/v1/trainings/:id/file',
    tag: 'trainings',
    summary: 'Download one of those files',
    params: IdParams,
    querystring: TrainingFileQuery,
    status: 200,
    response: Type.Unknown({ description: 'the file as it is (JSON for a notebook)' }),
  },

  listModels: {
    method: 'GET',
    url: '/api/v1/models',
    tag: 'models',
    summary: 'List model versions, newest first; `name` for the versions of one model',
    querystring: ModelListQuery,
    status: 200,
    response: ModelList,
  },
  createModel: {
    method: 'POST',
    url: '/api/v1/models',
    tag: 'models',
    summary: "Register the next version of a model from a COMPLETE training's EM_MODEL_DIR or from an artifact path",
    body: ModelCreate,
    status: 201,
    response: Model,
  },
  getModel: {
    method: 'GET',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Get a model version: by id, name (the newest), name:version or name@alias',
    params: ModelParams,
    status: 200,
    response: Model,
  },
  updateModel: {
    method: 'PATCH',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Change the description or the tags of a version',
    params: ModelParams,
    body: ModelUpdate,
    status: 200,
    response: Model,
  },
  promoteModel: {
    method: 'POST',
    url: '/api/v1/models/:id/promote',
    tag: 'models',
    summary: 'Point an alias (production, staging, …) at this version, taking it from the version that had it',
    params: ModelParams,
    body: ModelPromote,
    status: 200,
    response: Model,
  },
  deleteModel: {
    method: 'DELETE',
    url: '/api/v1/models/:id',
    tag: 'models',
    summary: 'Delete a model version and its artifact; refused (409) while a stage serves it',
    params: ModelParams,
    status: 204,
    response: null,
  },

  listEndpoints: {
    method: 'GET',
    url: '/api/v1/endpoints',
    tag: 'endpoints',
    summary: 'List endpoints with their stages, newest first',
    querystring: ListQuery,
    status: 200,
    response: EndpointList,
  },
  createEndpoint: {
    method: 'POST',
    url: '/api/v1/endpoints',
    tag: 'endpoints',
    summary: 'Create an endpoint and deploy a model version as its default stage; it is ACTIVE once its workers answer',
    body: EndpointCreate,
    status: 202,
    response: Endpoint,
  },
  getEndpoint: {
    method: 'GET',
    url: '/api/v1/endpoints/:id',
    tag: 'endpoints',
    summary: 'Get an endpoint, its stages and their workers',
    params: IdParams,
    status: 200,
    response: Endpoint,
  },
  updateEndpoint: {
    method: 'PATCH',
    url: '/api/v1/endpoints/:id',
    tag: 'endpoints',
    summary: 'Change the description or tags; issue a new API key (answered once) or remove it',
    params: IdParams,
    body: EndpointUpdate,
    status: 200,
    response: Endpoint,
  },
  deleteEndpoint: {
    method: 'DELETE',
    url: '/api/v1/endpoints/:id',
    tag: 'endpoints',
    summary: 'Delete an endpoint and stop its workers; refused (409) while stages other than the default exist',
    params: IdParams,
    status: 204,
    response: null,
  },
  createEndpointStage: {
    method: 'POST',
    url: '/api/v1/endpoints/:id/stages',
    tag: 'endpoints',
    summary: 'Add a stage that serves a model version, beside the default one, to try it before switching',
    params: IdParams,
    body: StageCreate,
    status: 202,
    response: EndpointStage,
  },
  getEndpointStage: {
    method: 'GET',
    url: '/api/v1/endpoints/:id/stages/:stage',
    tag: 'endpoints',
    summary: 'Get a stage and its workers',
    params: StageParams,
    status: 200,
    response: EndpointStage,
  },
  deleteEndpointStage: {
    method: 'DELETE',
    url: '/api/v1/endpoints/:id/stages/:stage',
    tag: 'endpoints',
    summary: 'Delete a stage once its requests in flight are answered; never the default one (409)',
    params: StageParams,
    status: 204,
    response: null,
  },
  setDefaultStage: {
    method: 'PUT',
    url: '/api/v1/endpoints/:id/default-stage',
    tag: 'endpoints',
    summary:
      'Make an ACTIVE stage the default with no request dropped: new requests go to it at once, the old default finishes its own and is removed',
    params: IdParams,
    body: DefaultStageChange,
    status: 200,
    response: Endpoint,
  },
  getEndpointStats: {
    method: 'GET',
    url: '/api/v1/endpoints/:id/stats',
    tag: 'endpoints',
    summary: 'Requests, errors, latency p50/p90/p99 and requests in flight, per stage per minute',
    params: IdParams,
    querystring: EndpointStatsQuery,
    status: 200,
    response: EndpointStats,
  },
  getEndpointLogs: {
    method: 'GET',
    url: '/api/v1/endpoints/:id/logs',
    tag: 'endpoints',
    summary: 'Inference logs (Inference.Request / Inference.Response), newest last; `after` follows them',
    params: IdParams,
    querystring: InferenceLogQuery,
    status: 200,
    response: InferenceLogList,
  },
  infer: {
    method: 'POST',
    url: '/inference/:endpoint',
    tag: 'inference',
    summary: 'Predict with the default stage of an endpoint: {"instances": [...]} → {"predictions": [...]}',
    gateway: true,
    params: InferenceParams,
    body: InferenceRequest,
    status: 200,
    response: InferenceResponse,
  },
  inferStage: {
    method: 'POST',
    url: '/inference/:endpoint/:stage',
    tag: 'inference',
    summary: "Predict with one stage of an endpoint (or the default stage, at the default stage's resource path)",
    gateway: true,
    params: StageInferenceParams,
    body: InferenceRequest,
    status: 200,
    response: InferenceResponse,
  },
  kservePredict: {
    method: 'POST',
    url: '/v1/models/:endpoint(^[a-z0-9][a-z0-9_-]*)::predict',
    tag: 'inference',
    summary: 'The KServe V1 predict path of the default stage',
    gateway: true,
    params: InferenceParams,
    body: InferenceRequest,
    status: 200,
    response: InferenceResponse,
  },
  kserveLive: {
    method: 'GET',
    url: '/',
    tag: 'kserve-v1',
    summary: "KServe V1 server liveness (the kserve client's is_server_live)",
    public: true,
    status: 200,
    response: KserveLive,
  },
  kserveListModels: {
    method: 'GET',
    url: '/v1/models',
    tag: 'kserve-v1',
    summary: 'KServe V1: the models (endpoints) by name',
    status: 200,
    response: KserveModelList,
  },
  kserveModelReady: {
    method: 'GET',
    url: '/v1/models/:endpoint(^[a-z0-9][a-z0-9_-]*)',
    tag: 'kserve-v1',
    summary: "KServe V1 model readiness: the endpoint's default stage has a READY worker (else 503)",
    gateway: true,
    params: InferenceParams,
    status: 200,
    response: ModelReadiness,
  },
  v2ServerMetadata: {
    method: 'GET',
    url: '/v2',
    tag: 'open-inference',
    summary: 'Open Inference Protocol (V2) server metadata',
    public: true,
    status: 200,
    response: V2ServerMetadata,
  },
  v2ServerLive: {
    method: 'GET',
    url: '/v2/health/live',
    tag: 'open-inference',
    summary: 'V2 server liveness',
    public: true,
    status: 200,
    response: V2Live,
  },
  v2ServerReady: {
    method: 'GET',
    url: '/v2/health/ready',
    tag: 'open-inference',
    summary: 'V2 server readiness: the bridge takes inference calls (each model has its own readiness)',
    public: true,
    status: 200,
    response: V2Ready,
  },
  v2ModelMetadata: {
    method: 'GET',
    url: '/v2/models/:endpoint',
    tag: 'open-inference',
    summary: "V2 model metadata: the endpoint, its stages as versions, its default stage's framework",
    gateway: true,
    params: V2ModelParams,
    status: 200,
    response: V2ModelMetadata,
  },
  v2ModelReady: {
    method: 'GET',
    url: '/v2/models/:endpoint/ready',
    tag: 'open-inference',
    summary: 'V2 model readiness: the default stage has a READY worker (else 503)',
    gateway: true,
    params: V2ModelParams,
    status: 200,
    response: ModelReadiness,
  },
  v2Infer: {
    method: 'POST',
    url: '/v2/models/:endpoint/infer',
    tag: 'open-inference',
    summary: 'V2 inference with the default stage: named tensors in and out (JSON, or the binary tensor extension)',
    gateway: true,
    params: V2ModelParams,
    body: V2InferRequest,
    status: 200,
    response: V2InferResponse,
  },
  v2VersionMetadata: {
    method: 'GET',
    url: '/v2/models/:endpoint/versions/:stage',
    tag: 'open-inference',
    summary: 'V2 model metadata of one stage (a version is a stage)',
    gateway: true,
    params: V2VersionParams,
    status: 200,
    response: V2ModelMetadata,
  },
  v2VersionReady: {
    method: 'GET',
    url: '/v2/models/:endpoint/versions/:stage/ready',
    tag: 'open-inference',
    summary: 'V2 readiness of one stage (else 503)',
    gateway: true,
    params: V2VersionParams,
    status: 200,
    response: ModelReadiness,
  },
  v2VersionInfer: {
    method: 'POST',
    url: '/v2/models/:endpoint/versions/:stage/infer',
    tag: 'open-inference',
    summary: 'V2 inference with one stage',
    gateway: true,
    params: V2VersionParams,
    body: V2InferRequest,
    status: 200,
    response: V2InferResponse,
  },
  listTensorboards: {
    method: 'GET',
    url: '/api/v1/tensorboards',
    tag: 'tensorboards',
    summary: 'List TensorBoards',
    querystring: ListQuery,
    status: 200,
    response: TensorboardList,
  },
  createTensorboard: {
    method: 'POST',
    url: '/api/v1/tensorboards',
    tag: 'tensorboards',
    summary:
      'Start TensorBoard for a training or an experiment (or answer the one already running for it), served at /tensorboard/{id}/',
    body: TensorboardCreate,
    status: 202,
    response: Tensorboard,
  },
  getTensorboard: {
    method: 'GET',
    url: '/api/v1/tensorboards/:id',
    tag: 'tensorboards',
    summary: 'Get a TensorBoard',
    params: IdParams,
    status: 200,
    response: Tensorboard,
  },
  deleteTensorboard: {
    method: 'DELETE',
    url: '/api/v1/tensorboards/:id',
    tag: 'tensorboards',
    summary: 'Stop a TensorBoard',
    params: IdParams,
    status: 204,
    response: null,
  },
} as const satisfies Record<string, RouteDef>;

export type Routes = typeof routes;
export type RouteName = keyof Routes;
/** Routes a client calls with JSON (the WebSocket one has its own client). */
export type CallableRouteName = { [K in RouteName]: Routes[K] extends { websocket: true } ? never : K }[RouteName];

type Field<R, K extends string> = R extends { [P in K]: infer S extends TSchema } ? Static<S> : never;
type Part<R, K extends string, As extends string, Optional extends boolean> = [Field<R, K>] extends [never]
  ? unknown
  : Optional extends true
    ? { [P in As]?: Field<R, K> }
    : { [P in As]: Field<R, K> };

/** What a call of route K takes: `params`, `query` and `body` as its schemas say. */
export type RouteInput<K extends RouteName> = Part<Routes[K], 'params', 'params', false> &
  Part<Routes[K], 'querystring', 'query', true> &
  Part<Routes[K], 'body', 'body', false>;

/** What a successful call of route K answers. */
export type RouteOutput<K extends RouteName> = Routes[K] extends { response: infer S extends TSchema } ? Static<S> : undefined;

/** `/api/v1/x/:id` with params → `/api/v1/x/abc` */
export function routePath(url: string, params: Record<string, string> | undefined): string {
  // `::` is a literal colon (the KServe `name:predict`), not a parameter; `(…)` after a
  // parameter is the pattern the router matches it with
  return url.replace(/::|:([A-Za-z]+)(?:\([^)]*\))?/g, (_match, key: string | undefined) => {
    if (key === undefined) return ':';
    const value = params?.[key];
    if (value === undefined) throw new Error(`missing path parameter "${key}" for ${url}`);
    return encodeURIComponent(value);
  });
}
