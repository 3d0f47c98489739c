import { InferenceParams } from '../../schemas/endpoints.js';
import { KserveLive, KserveModelList, ModelReadiness } from '../../schemas/inference-protocols.js';
import type { RouteDef } from './route-def.js';

/** The routes of the KServe V1 probes and model list (OpenAPI tag `kserve-v1`). */
export const kserveV1Routes = {
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
} as const satisfies Record<string, RouteDef>;
