import { type RouteDef, type RouteName, routes, SOCKET_PROTOCOL } from '@emkit/shared';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { WebSocket } from 'ws';
import type { BridgeContext } from '../context.js';
import { alertHandlers } from '../routes/alerts.js';
import { batchInferenceHandlers } from '../routes/batch-inferences.js';
import { clusterHandlers } from '../routes/clusters.js';
import { datasetHandlers } from '../routes/datasets.js';
import { endpointHandlers } from '../routes/endpoints.js';
import { environmentHandlers } from '../routes/environments.js';
import { evaluationHandlers } from '../routes/evaluations.js';
import { experimentHandlers } from '../routes/experiments.js';
import { healthHandlers } from '../routes/health.js';
import { inferenceProtocolHandlers } from '../routes/inference-protocols.js';
import { modelHandlers } from '../routes/models.js';
import { monitoringHandlers } from '../routes/monitoring.js';
import { recipeHandlers } from '../routes/recipes.js';
import { scheduleHandlers } from '../routes/schedules.js';
import { tensorboardHandlers } from '../routes/tensorboards.js';
import { trainingHandlers } from '../routes/trainings.js';
import { tuningHandlers } from '../routes/tunings.js';
import type { Handler } from '../routes/types.js';
import { CLUSTER_DASHBOARD_ROUTES, clusterDashboardScope, registerClusterDashboardProxy } from './cluster-dashboard-proxy.js';
import { HttpError, installErrorHandlers } from './errors.js';
import { serveEvents } from './events-socket.js';
import { GATEWAY_ROUTES, registerGateway } from './gateway.js';
import { serveTrainingLog } from './log-socket.js';
import { keepPatternProperties } from './openapi-patterns.js';
import { REPLICA_PUSH_ROUTES, registerReplicaPush } from './replica-push.js';
import { routeSchema } from './route-schema.js';
import { type Guard, routerErrorHandler } from './router-errors.js';
import { installSecurity } from './security.js';
import { registerTensorboardProxy, TENSORBOARD_PREFIX, tensorboardScope } from './tensorboard-proxy.js';
import { registerTrainingPush, TRAINING_PUSH_ROUTES } from './training-push.js';
import { registerUploadRoute } from './uploads.js';
import { serializerCompiler, validatorCompiler } from './validation.js';

export interface AppOptions {
  token: string;
  allowedHosts: readonly string[];
  corsOrigins: readonly string[];
  logger: FastifyBaseLogger;
  /** the inference gateway's body limit and worker timeout */
  inference: { bodyLimit: number; timeoutMs: number };
  /** the largest file an `upload` route takes (the quick test's) */
  uploadLimit: number;
  /** the largest dataset upload (POST /datasets/upload: a table or a zipped folder, not an inference input) */
  datasetUploadLimit: number;
}

type SocketRoutes = 'events' | 'streamTrainingLog';
type GatewayRoutes = (typeof GATEWAY_ROUTES)[number];
type JsonRoutes = Exclude<RouteName, SocketRoutes | GatewayRoutes | 'getOpenApi'>;
const handlers: { [K in JsonRoutes]: Handler<K> } = {
  ...healthHandlers,
  ...environmentHandlers,
  ...experimentHandlers,
  ...datasetHandlers,
  ...recipeHandlers,
  ...trainingHandlers,
  ...modelHandlers,
  ...evaluationHandlers,
  ...batchInferenceHandlers,
  ...endpointHandlers,
  ...tensorboardHandlers,
  ...clusterHandlers,
  ...scheduleHandlers,
  ...monitoringHandlers,
  ...alertHandlers,
  ...tuningHandlers,
  ...inferenceProtocolHandlers,
};
type WsHandler = (socket: WebSocket, request: FastifyRequest) => void;
const sockets: { [K in SocketRoutes]: (bridge: BridgeContext) => WsHandler } = {
  events: (bridge) => (socket, request) => serveEvents(bridge.store.events, socket, request, bridge.endpoints.logs.bus),
  streamTrainingLog: (bridge) => (socket, request) => serveTrainingLog(bridge, socket, request),
};

const BODY_LIMIT = 1024 * 1024;

/** The HTTP face of the bridge: every route of the shared table, secured, validated, documented. */
export async function buildApp(bridge: BridgeContext, options: AppOptions): Promise<FastifyInstance> {
  let guard: Guard | undefined;
  const app = Fastify({
    loggerInstance: options.logger,
    frameworkErrors: routerErrorHandler(() => guard),
    bodyLimit: BODY_LIMIT,
    forceCloseConnections: true,
    // one line per request (below), at debug: a busy editor must not flood the log
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.addHook('onResponse', async (request, reply) => {
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    request.log[level]({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
  const validator = validatorCompiler();
  app.setValidatorCompiler(validator);
  app.setSerializerCompiler(serializerCompiler());
  installErrorHandlers(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'emkit server-bridge',
        version: bridge.version,
        description: 'Environments, experiments, trainings, models, endpoints and TensorBoards, in the editor.',
      },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
      security: [{ token: [] }],
    },
    ...keepPatternProperties,
  });
  await app.register(websocket, {
    options: {
      maxPayload: 64 * 1024,
      // answer with the plain subprotocol, never echo the one that carries the token
      handleProtocols: (offered) => (offered.has(SOCKET_PROTOCOL) ? SOCKET_PROTOCOL : false),
    },
  });

  const publicRoutes = new Set<string>();
  const socketRoutes = new Set<string>();
  for (const route of Object.values(routes) as RouteDef[]) {
    if (route.public) publicRoutes.add(`${route.method} ${route.url}`);
    if (route.websocket) socketRoutes.add(`${route.method} ${route.url}`);
  }
  // a cluster training's pushes, and a cluster stage's replicas', carry their own credential, checked by their handlers
  for (const route of [...TRAINING_PUSH_ROUTES, ...REPLICA_PUSH_ROUTES]) publicRoutes.add(route);
  // the pages a browser tab opens: a TensorBoard, a cluster's Ray dashboard
  const pageUrls = [`${TENSORBOARD_PREFIX}:id`, `${TENSORBOARD_PREFIX}:id/*`, ...CLUSTER_DASHBOARD_ROUTES];
  const pageRoutes = new Set(
    ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'].flatMap((m) => pageUrls.map((url) => `${m} ${url}`)),
  );
  const dashboardUrls = new Set<string>(CLUSTER_DASHBOARD_ROUTES);
  const apiKeyRoutes = new Set(GATEWAY_ROUTES.map((name) => `${routes[name].method} ${routes[name].url}`));
  apiKeyRoutes.add(`POST ${routes.inferStage.url}/*`);
  guard = installSecurity(app, {
    ...options,
    publicRoutes,
    socketRoutes,
    cookieRoutes: pageRoutes,
    // a session opens the one TensorBoard or cluster dashboard its ticket was spent on
    cookieScope: (request) => {
      const { id } = request.params as { id: string };
      return dashboardUrls.has(request.routeOptions.url ?? '') ? clusterDashboardScope(id) : tensorboardScope(id);
    },
    sessions: bridge.sessions,
    redeemTicket: (ticket) => bridge.tickets.redeem(ticket),
    apiKeyRoutes,
    apiKeyHash: (request) => bridge.endpoints.route((request.params as { endpoint: string }).endpoint)?.apiKeyHash ?? null,
  });
  await registerTensorboardProxy(app, bridge);
  await registerClusterDashboardProxy(app, bridge);
  await registerGateway(app, bridge, options.inference);
  await registerTrainingPush(app, bridge);
  await registerReplicaPush(app, bridge);

  for (const [name, route] of Object.entries(routes) as [RouteName, RouteDef][]) {
    const schema = routeSchema(name, route);
    if (route.gateway) continue; // registered by the gateway, above
    if (route.websocket) {
      // wsHandler + handler (not `websocket: true`) keeps the route in the OpenAPI document
      app.route({
        method: 'GET',
        url: route.url,
        schema,
        handler: () => {
          throw new HttpError(426, 'upgrade_required', 'this route is a WebSocket: connect with an Upgrade request');
        },
        wsHandler: sockets[name as SocketRoutes](bridge),
      });
      continue;
    }
    if (name === 'getOpenApi') {
      app.get(route.url, { schema }, async () => app.swagger());
      continue;
    }
    const handler = handlers[name as JsonRoutes] as Handler<JsonRoutes>;
    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      const input = { params: request.params, query: request.query, body: request.body } as never;
      const output = await handler(input, { request, reply, bridge });
      reply.status(route.status);
      return output;
    };
    if (route.upload) {
      const limit =
        name === 'uploadDataset'
          ? { limit: options.datasetUploadLimit, why: "the bridge's --dataset-upload-mb" }
          : {
              limit: options.uploadLimit,
              why: "three quarters of the bridge's --max-inference-mb: it reaches the model in base64",
            };
      await registerUploadRoute(app, { route, schema, ...limit, handler: handle }, validator);
      continue;
    }
    app.route({ method: route.method, url: route.url, schema, handler: handle });
  }
  return app;
}
