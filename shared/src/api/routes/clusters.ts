import { Cluster, ClusterCreate, ClusterDashboard, ClusterList, ClusterUpdate } from '../../schemas/clusters.js';
import { IdParams, ListQuery } from '../../schemas/common.js';
import type { RouteDef } from './route-def.js';

/** The routes of clusters: Ray clusters trainings and stages may run on (OpenAPI tag `clusters`). */
export const clusterRoutes = {
  listClusters: {
    method: 'GET',
    url: '/api/v1/clusters',
    tag: 'clusters',
    summary: 'List clusters with their state and nodes as of the last check',
    querystring: ListQuery,
    status: 200,
    response: ClusterList,
  },
  createCluster: {
    method: 'POST',
    url: '/api/v1/clusters',
    tag: 'clusters',
    summary:
      'Add a running Ray cluster (`address`, optional `token`), or start one on this machine (`local`: nodes as separate Ray processes)',
    body: ClusterCreate,
    status: 201,
    response: Cluster,
  },
  getCluster: {
    method: 'GET',
    url: '/api/v1/clusters/:id',
    tag: 'clusters',
    summary: 'Get a cluster: reachable or not (and why), its Ray version and its nodes',
    params: IdParams,
    status: 200,
    response: Cluster,
  },
  updateCluster: {
    method: 'PATCH',
    url: '/api/v1/clusters/:id',
    tag: 'clusters',
    summary: 'Make it the default target (`default: true`), or give that back to this machine (`false`)',
    params: IdParams,
    body: ClusterUpdate,
    status: 200,
    response: Cluster,
  },
  deleteCluster: {
    method: 'DELETE',
    url: '/api/v1/clusters/:id',
    tag: 'clusters',
    summary: 'Forget a cluster (a local one is stopped first); its token is deleted',
    params: IdParams,
    status: 204,
    response: null,
  },
  startCluster: {
    method: 'POST',
    url: '/api/v1/clusters/:id/start',
    tag: 'clusters',
    summary: 'Start a STOPPED (or START FAILED) local cluster again',
    params: IdParams,
    status: 200,
    response: Cluster,
  },
  stopCluster: {
    method: 'POST',
    url: '/api/v1/clusters/:id/stop',
    tag: 'clusters',
    summary: "Stop a local cluster's nodes; it stays, STOPPED, until started again or deleted",
    params: IdParams,
    status: 200,
    response: Cluster,
  },
  openClusterDashboard: {
    method: 'POST',
    url: '/api/v1/clusters/:id/dashboard',
    tag: 'clusters',
    summary:
      "A one-time address (a minute) of the cluster's Ray dashboard through the bridge's proxy, `/clusters/{id}/dashboard/`, which adds Ray's token itself; 503 while the cluster can't be reached",
    params: IdParams,
    status: 201,
    response: ClusterDashboard,
  },
} as const satisfies Record<string, RouteDef>;
