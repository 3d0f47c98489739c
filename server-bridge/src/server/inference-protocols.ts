import { type ModelReadiness, type RouteDef, routes, type V2ModelMetadata } from '@emkit/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import type { EndpointRoute, StageRuntime } from '../endpoints/service.js';
import { HttpError } from './errors.js';
import type { StageCall } from './gateway.js';
import { JSON_LENGTH_HEADER, parseV2Request, v2Response } from './open-inference.js';
import { routeSchema } from './route-schema.js';

/**
 * KServe V1 readiness and the Open Inference Protocol (V2) routes of the gateway, with
 * its auth (the bridge token or the endpoint's API key). A model is an endpoint, by
 * name: V1 and `/v2/models/{name}` address its default stage, V2's
 * `/v2/models/{name}/versions/{stage}` a named one. Predictions go through the same
 * `StageCall` as `/inference/...`, so they are counted and logged the same way.
 */
export const PROTOCOL_ROUTES = [
  'kserveModelReady',
  'v2ModelMetadata',
  'v2ModelReady',
  'v2Infer',
  'v2VersionMetadata',
  'v2VersionReady',
  'v2VersionInfer',
] as const;

interface Params {
  endpoint: string;
  stage?: string;
}

export async function registerProtocols(scope: FastifyInstance, bridge: BridgeContext, call: StageCall): Promise<void> {
  const endpoints = bridge.endpoints;

  const find = (params: Params): { route: EndpointRoute; stage: StageRuntime } => {
    const route = endpoints.route(params.endpoint);
    if (!route)
      throw new HttpError(404, 'not_found', `model "${params.endpoint}" doesn't exist (a model is an endpoint, by name)`);
    if (params.stage === undefined) {
      if (route.defaultStage) return { route, stage: route.defaultStage };
      throw new HttpError(404, 'not_found', `endpoint "${route.name}" has no default stage`);
    }
    const stage = route.stages.get(params.stage);
    if (stage) return { route, stage };
    const versions = [...route.stages.keys()].join(', ');
    throw new HttpError(404, 'not_found', `endpoint "${route.name}" has no stage "${params.stage}" (its versions: ${versions})`);
  };

  const ready = async (request: FastifyRequest, reply: FastifyReply): Promise<ModelReadiness> => {
    const { route, stage } = find(request.params as Params);
    if (stage.inactive !== null) throw new HttpError(503, 'not_ready', stage.inactive);
    if (stage.pool.readyCount() === 0) {
      reply.header('retry-after', '1');
      throw new HttpError(503, 'not_ready', `no worker of stage "${stage.name}" of "${route.name}" is ready yet`);
    }
    return { name: route.name, ready: true };
  };

  const metadata = async (request: FastifyRequest): Promise<V2ModelMetadata> => {
    const { route, stage } = find(request.params as Params);
    const endpoint = endpoints.find(route.id);
    const model = endpoint.stages.find((s) => s.name === stage.name)?.model;
    return {
      name: route.name,
      versions: endpoint.stages.map((s) => s.name),
      platform: model?.framework ?? '',
      inputs: [],
      outputs: [],
    };
  };

  const infer = async (request: FastifyRequest, reply: FastifyReply) => {
    const { route, stage } = find(request.params as Params);
    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    let worker: Buffer = body;
    let id: string | undefined;
    let refused: HttpError | undefined;
    try {
      const header = request.headers[JSON_LENGTH_HEADER];
      const parsed = parseV2Request(body, typeof header === 'string' ? header : undefined);
      worker = Buffer.from(JSON.stringify({ instances: parsed.instances }));
      id = parsed.id;
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      refused = error;
    }
    // the V2 answer is made inside the call, so that predictions that are no tensor (422) are
    // counted and logged as the 422 the caller gets
    const answer = await call(stage, worker, request, {
      refused,
      answerAs: (workerBody, inferenceId) =>
        Buffer.from(JSON.stringify(v2Response(workerBody, route.name, stage.name, id ?? inferenceId))),
    });
    reply.header('x-inference-id', answer.inferenceId);
    if (answer.status === 503) reply.header('retry-after', '1');
    return reply.status(answer.status).header('content-type', 'application/json').send(answer.body);
  };

  const handlers = {
    kserveModelReady: ready,
    v2ModelMetadata: metadata,
    v2ModelReady: ready,
    v2Infer: infer,
    v2VersionMetadata: metadata,
    v2VersionReady: ready,
    v2VersionInfer: infer,
  } satisfies Record<(typeof PROTOCOL_ROUTES)[number], unknown>;

  for (const name of PROTOCOL_ROUTES) {
    const route: RouteDef = routes[name];
    const schema = routeSchema(name, route);
    // documented, not validated by the router: the handlers check tensors with messages that name the field
    scope.route({ method: route.method, url: route.url, schema, validatorCompiler: () => () => true, handler: handlers[name] });
  }
}
