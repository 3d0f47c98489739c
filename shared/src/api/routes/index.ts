import type { Static, TSchema } from '@sinclair/typebox';
import { alertRoutes } from './alerts.js';
import { batchInferenceRoutes } from './batch-inferences.js';
import { bridgeRoutes } from './bridge.js';
import { clusterRoutes } from './clusters.js';
import { datasetRoutes } from './datasets.js';
import { endpointRoutes } from './endpoints.js';
import { environmentRoutes } from './environments.js';
import { evaluationRoutes } from './evaluations.js';
import { experimentRoutes } from './experiments.js';
import { inferenceRoutes } from './inference.js';
import { kserveV1Routes } from './kserve-v1.js';
import { modelRoutes } from './models.js';
import { monitoringRoutes } from './monitoring.js';
import { openInferenceRoutes } from './open-inference.js';
import { recipeRoutes } from './recipes.js';
import type { RouteDef } from './route-def.js';
import { scheduleRoutes } from './schedules.js';
import { tensorboardRoutes } from './tensorboards.js';
import { trainingRoutes } from './trainings.js';
import { tuningRoutes } from './tunings.js';

export type { RouteDef } from './route-def.js';
export { routePath } from './route-path.js';

/**
 * The one table of the management API. The bridge registers its handlers against it
 * (validation and the OpenAPI document come from these schemas) and the client builds
 * its typed methods from it, so neither side keeps a hand-made copy. Each resource's
 * routes are in their own file; the bridge registers them in this order, which is the
 * order of the OpenAPI document's paths, so keep it.
 */
export const routes = {
  ...bridgeRoutes,
  ...environmentRoutes,
  ...experimentRoutes,
  ...datasetRoutes,
  ...recipeRoutes,
  ...trainingRoutes,
  ...modelRoutes,
  ...evaluationRoutes,
  ...batchInferenceRoutes,
  ...endpointRoutes,
  ...inferenceRoutes,
  ...kserveV1Routes,
  ...openInferenceRoutes,
  ...tensorboardRoutes,
  ...clusterRoutes,
  ...scheduleRoutes,
  ...monitoringRoutes,
  ...alertRoutes,
  ...tuningRoutes,
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
