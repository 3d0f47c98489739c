import { createHash } from 'node:crypto';
import type { StageInstance } from '@emkit/shared';
import type { StageRecord } from '../store/endpoints.js';
import type { ServePool } from './serve-pool.js';
import type { StageTraffic } from './traffic.js';
import type { WorkerPool } from './worker-pool.js';

/** A stage's way to its model: workers on this machine, or a Ray Serve application on a cluster. */
export type StagePool = WorkerPool | ServePool;

/** What watches a stage (memory limit, payload logging, drift), defaults filled: replaced whole on PATCH. */
export type StageMonitoring = Pick<StageRecord, 'memoryLimitMb' | 'payloadLogging' | 'drift'>;

/** A stage as the gateway uses it: its workers, its traffic, and what its log entries say. */
export interface StageRuntime {
  id: string;
  name: string;
  endpointId: string;
  modelName: string;
  resourcePath: string;
  pool: StagePool;
  traffic: StageTraffic;
  /** read per request by the gateway and per round by the samplers, so no one asks SQLite */
  monitoring: StageMonitoring;
  /** deactivated (or being): the 503 its routes answer, with the reason; null: it serves */
  inactive: string | null;
}

/** What the gateway routes by: an endpoint's name → its stages, its default, its key. */
export interface EndpointRoute {
  id: string;
  name: string;
  apiKeyHash: string | null;
  defaultStage: StageRuntime | undefined;
  stages: Map<string, StageRuntime>;
}

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * The live side of endpoints, in memory: the routes the gateway looks up by endpoint name,
 * and the runtime (workers and traffic) of every stage that has one, by stage id. A stage
 * leaves its route as soon as it stops taking traffic, and the runtimes once its workers
 * have stopped.
 */
export class RoutingTable {
  private readonly routes = new Map<string, EndpointRoute>();
  private readonly runtimes = new Map<string, StageRuntime>();

  /** The endpoint by name, for the gateway; undefined when there is none. */
  route(name: string): EndpointRoute | undefined {
    return this.routes.get(name);
  }

  /** A new route with no stage yet; it replaces one of the same name. */
  open(endpoint: { id: string; name: string; apiKeyHash: string | null }): EndpointRoute {
    const route: EndpointRoute = {
      id: endpoint.id,
      name: endpoint.name,
      apiKeyHash: endpoint.apiKeyHash,
      defaultStage: undefined,
      stages: new Map(),
    };
    this.routes.set(endpoint.name, route);
    return route;
  }

  /** The endpoint takes no more traffic. */
  close(name: string): void {
    this.routes.delete(name);
  }

  get size(): number {
    return this.routes.size;
  }

  add(route: EndpointRoute, runtime: StageRuntime): void {
    this.runtimes.set(runtime.id, runtime);
    route.stages.set(runtime.name, runtime);
  }

  runtime(stageId: string): StageRuntime | undefined {
    return this.runtimes.get(stageId);
  }

  /** The runtimes of an endpoint's stages (one stage's, when named). */
  runtimesOf(endpointId: string, stage?: string): StageRuntime[] {
    return [...this.runtimes.values()].filter((r) => r.endpointId === endpointId && (stage === undefined || r.name === stage));
  }

  allRuntimes(): StageRuntime[] {
    return [...this.runtimes.values()];
  }

  /** The stage's workers stopped: it has no runtime any more. */
  forget(stageId: string): void {
    this.runtimes.delete(stageId);
  }

  /** Every route and runtime forgotten at once; answers the runtimes that were. */
  clear(): StageRuntime[] {
    const runtimes = this.allRuntimes();
    this.routes.clear();
    this.runtimes.clear();
    return runtimes;
  }

  instancesOf = (stageId: string): StageInstance[] => this.runtimes.get(stageId)?.pool.snapshot() ?? [];
}
