import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BridgeContext } from '../context.js';
import type { TrainingRecord } from '../store/trainings.js';
import { ClusterTrainingRuns } from '../trainings/cluster-run.js';
import { HttpError } from './errors.js';

const PREFIX = '/api/v1/trainings/:id/push';
/** the nodes' routes, not the API's: out of the OpenAPI document */
const HIDDEN = { hide: true };

/**
 * Where a cluster training's driver and ranks send back what they make. Not in the shared route
 * table: no editor calls these, and they take the training's own push credential (handed to its
 * Ray job), not the bridge's token — so the guard lets them through and they check it here.
 */
export const TRAINING_PUSH_ROUTES = [
  `POST ${PREFIX}/status`,
  `POST ${PREFIX}/logs/:rank`,
  `PUT ${PREFIX}/files/:area/*`,
  `POST ${PREFIX}/usage/:rank`,
];

function pushingTraining(bridge: BridgeContext, request: FastifyRequest): TrainingRecord {
  const { id } = request.params as { id: string };
  const header = request.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  const training = bridge.store.trainings.get(id);
  // the same answer for an unknown training and a wrong credential: nothing to learn by trying
  if (!training || training.id !== id || !presented || !ClusterTrainingRuns.accepts(training.dir, presented)) {
    throw new HttpError(401, 'unauthorized', "this training's push credential is required");
  }
  return training;
}

export async function registerTrainingPush(app: FastifyInstance, bridge: BridgeContext): Promise<void> {
  await app.register(async (scope) => {
    // bytes as a stream, never buffered whole: a model file may be large
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    scope.post(`${PREFIX}/status`, { bodyLimit: 1024 * 1024, schema: HIDDEN }, async (request, reply) => {
      await bridge.trainings.pushes.status(pushingTraining(bridge, request), request.body);
      reply.status(204);
    });
    scope.post(`${PREFIX}/logs/:rank`, { bodyLimit: 64 * 1024 * 1024, schema: HIDDEN }, async (request, reply) => {
      const training = pushingTraining(bridge, request);
      await bridge.trainings.pushes.log(training, (request.params as { rank: string }).rank, request.body as Readable);
      reply.status(204);
    });
    scope.post(`${PREFIX}/usage/:rank`, { bodyLimit: 64 * 1024, schema: HIDDEN }, async (request, reply) => {
      const training = pushingTraining(bridge, request);
      const rank = (request.params as { rank: string }).rank;
      bridge.usage.remote.put(bridge.trainings.pushes.usage(training, rank, request.body));
      reply.status(204);
    });
    scope.put(`${PREFIX}/files/:area/*`, { bodyLimit: 2 * 1024 ** 3, schema: HIDDEN }, async (request, reply) => {
      const training = pushingTraining(bridge, request);
      const params = request.params as { area: string; '*': string };
      await bridge.trainings.pushes.file(training, params.area, params['*'], request.body as Readable);
      reply.status(204);
    });
  });
}
