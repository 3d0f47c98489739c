import type { FastifyInstance } from 'fastify';
import type { BridgeContext } from '../context.js';

const USAGE = '/api/v1/endpoints/:id/stages/:stage/push/usage/:replica';

/**
 * Where the Serve replicas of a stage on a Ray cluster push their resource usage. Not in the
 * shared route table: no editor calls it, and it takes the stage's own push credential (in the
 * replicas' config: ReplicaUsagePushes), not the bridge's token — so the guard lets it through
 * and the handler checks it.
 */
export const REPLICA_PUSH_ROUTES = [`POST ${USAGE}`];

export async function registerReplicaPush(app: FastifyInstance, bridge: BridgeContext): Promise<void> {
  // the nodes' route, not the API's: out of the OpenAPI document
  app.post(USAGE, { bodyLimit: 64 * 1024, schema: { hide: true } }, async (request, reply) => {
    const { id, stage, replica } = request.params as { id: string; stage: string; replica: string };
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    bridge.usage.remote.put(bridge.endpoints.replicaUsage(id, stage, replica, presented, request.body));
    reply.status(204);
  });
}
