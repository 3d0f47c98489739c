import { InferenceParams, InferenceRequest, InferenceResponse, StageInferenceParams } from '../../schemas/endpoints.js';
import type { RouteDef } from './route-def.js';

/** The routes of emkit's own inference paths and the KServe V1 predict path, served by the gateway (OpenAPI tag `inference`). */
export const inferenceRoutes = {
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
} as const satisfies Record<string, RouteDef>;
