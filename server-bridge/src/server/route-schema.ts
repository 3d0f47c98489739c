import { ErrorEnvelope, type RouteDef } from '@emkit/shared';

/**
 * A route's fastify schema from its entry in the route table: what validation and the
 * OpenAPI document read, built the same way for the API, the gateway and the inference
 * protocols.
 */
export function routeSchema(name: string, route: RouteDef) {
  return {
    operationId: name,
    tags: [route.tag],
    summary: route.summary,
    ...(route.public ? { security: [] } : {}),
    ...(route.params ? { params: route.params } : {}),
    ...(route.querystring ? { querystring: route.querystring } : {}),
    ...(route.body ? { body: route.body } : {}),
    response: {
      [route.status]: route.response ?? { type: 'null', description: 'no content' },
      '4xx': ErrorEnvelope,
      '5xx': ErrorEnvelope,
    },
  };
}
