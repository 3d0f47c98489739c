import { clusterDashboardScope } from '../server/cluster-dashboard-proxy.js';
import type { Handlers } from './types.js';

export const clusterHandlers: Handlers<
  | 'listClusters'
  | 'createCluster'
  | 'getCluster'
  | 'updateCluster'
  | 'deleteCluster'
  | 'startCluster'
  | 'stopCluster'
  | 'openClusterDashboard'
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
  openClusterDashboard: ({ params }, { bridge }) => {
    // 404 or 503 here, before a browser tab opens onto an error
    const { id } = bridge.clusters.dashboard(params.id);
    const { ticket, expiresAt } = bridge.tickets.issue();
    return { path: `${clusterDashboardScope(id)}/?ticket=${encodeURIComponent(ticket)}`, expiresAt };
  },
};
