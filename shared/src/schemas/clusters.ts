import { type Static, Type } from '@sinclair/typebox';
import { ListOf, Name, Timestamp } from './common.js';

/**
 * A cluster's life: an added one is CONNECTING until its first check, then REACHABLE or
 * UNREACHABLE as the bridge's checks find it; a local one (`emkit cluster up`) is STARTING
 * while its nodes come up, START FAILED when they don't, STOPPED after `down` (or when the
 * bridge that ran its nodes stopped).
 */
export const CLUSTER_STATES = ['CONNECTING', 'STARTING', 'REACHABLE', 'UNREACHABLE', 'START FAILED', 'STOPPED'] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

export const CLUSTER_KINDS = ['ray'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/**
 * Ray's dashboard address: http(s), a host and a port, nothing else (no path, no credentials,
 * no query): the bridge adds Ray's REST paths to it.
 */
export const CLUSTER_ADDRESS_PATTERN =
  '^https?://(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?/?$';

export const ClusterNode = Type.Object(
  {
    id: Type.String({ description: "Ray's node id" }),
    address: Type.String({ description: "the node's IP address" }),
    head: Type.Boolean(),
    alive: Type.Boolean(),
    state: Type.String({ description: "Ray's word for it: ALIVE or DEAD" }),
    cpus: Type.Number({ minimum: 0 }),
    gpus: Type.Number({ minimum: 0 }),
    memoryBytes: Type.Number({ minimum: 0, description: 'the memory Ray schedules on this node' }),
    objectStoreBytes: Type.Number({ minimum: 0 }),
  },
  {},
);
export type ClusterNode = Static<typeof ClusterNode>;

export const LocalClusterSpec = Type.Object(
  {
    nodes: Type.Integer({ minimum: 1, maximum: 8, description: 'how many nodes: the head and nodes - 1 workers' }),
    cpusPerNode: Type.Optional(Type.Integer({ minimum: 1, maximum: 64, default: 1 })),
    memoryMbPerNode: Type.Optional(
      Type.Integer({ minimum: 256, maximum: 1_048_576, default: 1024, description: 'the memory Ray may schedule on each node' }),
    ),
  },
  { additionalProperties: false },
);
export type LocalClusterSpec = Static<typeof LocalClusterSpec>;

export const Cluster = Type.Object(
  {
    id: Type.String(),
    name: Name,
    kind: Type.Union(CLUSTER_KINDS.map((k) => Type.Literal(k))),
    address: Type.String({ description: "Ray's dashboard: http://HEAD:8265" }),
    hasToken: Type.Boolean({ description: 'requests to Ray carry a token (never shown)' }),
    serveAddress: Type.Union([Type.String(), Type.Null()], {
      description: "Ray Serve's HTTP proxy, where the gateway sends the requests of stages on this cluster: http://HEAD:8000",
    }),
    isDefault: Type.Boolean({ description: 'trainings and stages go here when they name no cluster' }),
    local: Type.Union([LocalClusterSpec, Type.Null()], {
      description: 'started on this machine by the bridge (`emkit cluster up`): its shape; null when added',
    }),
    state: Type.Union(CLUSTER_STATES.map((s) => Type.Literal(s))),
    stateReason: Type.Union([Type.String(), Type.Null()]),
    rayVersion: Type.Union([Type.String(), Type.Null()]),
    nodes: Type.Array(ClusterNode, { description: 'as of the last check' }),
    checkedAt: Type.Union([Timestamp, Type.Null()], { description: 'when the bridge last reached it (or tried)' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type Cluster = Static<typeof Cluster>;

export const ClusterCreate = Type.Object(
  {
    name: Name,
    address: Type.Optional(
      Type.String({
        pattern: CLUSTER_ADDRESS_PATTERN,
        maxLength: 300,
        description: "an existing Ray cluster's dashboard address, http://HEAD:8265",
      }),
    ),
    token: Type.Optional(
      Type.String({ minLength: 1, maxLength: 4096, pattern: '^[\\x21-\\x7e]+$', description: "Ray's auth token, if it has one" }),
    ),
    servePort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description: "an added cluster's Ray Serve HTTP port on the head's host (default 8000); a local one gets a free port",
      }),
    ),
    clientPort: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 65535,
        description:
          "an added cluster's Ray Client port on the head's host (default 10001), where batch scoring's workers are started from; a local one gets a free port",
      }),
    ),
    local: Type.Optional(LocalClusterSpec),
  },
  {
    additionalProperties: false,
    description: 'either `address` (and `token`) of a running Ray cluster, or `local` to start one here',
  },
);
export type ClusterCreate = Static<typeof ClusterCreate>;

export const ClusterUpdate = Type.Object(
  {
    default: Type.Boolean({ description: 'true: make it the default target; false: back to this machine' }),
  },
  { additionalProperties: false },
);
export type ClusterUpdate = Static<typeof ClusterUpdate>;

/** Where a browser opens a cluster's Ray dashboard, through the bridge's proxy. */
export const ClusterDashboard = Type.Object(
  {
    path: Type.String({
      description:
        "the dashboard under the bridge's own address, `/clusters/{id}/dashboard/`, with a one-time `?ticket=`: a browser spends it once and keeps a session cookie for that path",
    }),
    expiresAt: Type.String({ format: 'date-time', description: 'the ticket is good until then, once' }),
  },
  {},
);
export type ClusterDashboard = Static<typeof ClusterDashboard>;

export const ClusterList = ListOf(Cluster, 'Cluster');
export type ClusterList = Static<typeof ClusterList>;
