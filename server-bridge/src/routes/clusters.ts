import type { Handlers } from './types.js';

export const clusterHandlers: Handlers<
  'listClusters' | 'createCluster' | 'getCluster' | 'updateCluster' | 'deleteCluster' | 'startCluster' | 'stopCluster'
> = {
  listClusters: ({ query }, { bridge }) => bridge.clusters.list(query),
  createCluster: ({ body }, { bridge }) => bridge.clusters.create(body),
  getCluster: ({ params }, { bridge }) => bridge.clusters.find(params.id),
  updateCluster: ({ params, body }, { bridge }) => bridge.clusters.update(params.id, body),
  deleteCluster: async ({ params }, { bridge, reply }) => {
    await bridge.clusters.delete(params.id);
    reply.status(204);
    return undefined;
  },
  startCluster: ({ params }, { bridge }) => bridge.clusters.start(params.id),
  stopCluster: ({ params }, { bridge }) => bridge.clusters.stop(params.id),
};
