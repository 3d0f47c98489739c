import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { canTransition, endpointState, type StageState, stageStates } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { ServeApplications, type ServeTarget } from '../clusters/serve-applications.js';
import type { ClusterService } from '../clusters/service.js';
import type { StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import { inactiveMessage } from './lifecycle.js';
import { presentEndpoint } from './presentation.js';
import type { ReplicaUsagePushes } from './replica-usage.js';
import type { EndpointRoute, RoutingTable, StagePool, StageRuntime } from './routing.js';
import { ServePool } from './serve-pool.js';
import type { StatsKeeper } from './stats.js';
import { StageTraffic } from './traffic.js';
import { DeployError, type Instance, WorkerPool } from './worker-pool.js';

export interface DeployerOptions {
  emkitImportPath: string;
  /** `<home>/logs/endpoints`: one log per worker */
  logDir: string;
  /** the private (0700) directory of the workers' sockets */
  socketDir: string;
  log: FastifyBaseLogger;
  maxBodyBytes: number;
  workerStartTimeoutMs?: number;
  healthEveryMs?: number;
  /** the Ray clusters stages may run on (none: every stage runs here) */
  clusters?: ClusterService;
  /** where a cluster stage's replicas push their usage (none: they don't) */
  replicaPushes?: ReplicaUsagePushes;
}

/** How stale a cluster's state the gateway may act on (its checks are 0.5–5 s apart) */
const CLUSTER_STATE_MS = 100;

/** How long a stage being removed may take to finish the requests it has. */
const DRAIN_LIMIT_MS = 30_000;

/**
 * The stages' state machine, as the guide has it: a stage's workers are started
 * (CREATE IN PROGRESS → DEPLOY IN PROGRESS → ACTIVE, or CREATE/DEPLOY FAILED), watched
 * (a worker that restarts or is given up shows on its stage), and retired; the endpoint's
 * state follows from its stages'. Every change commits with its event.
 */
export class StageDeployer {
  /** every cluster's Serve config, PUT whole under a lock per cluster */
  private readonly applications = new ServeApplications();

  constructor(
    private readonly store: Store,
    private readonly table: RoutingTable,
    private readonly stats: StatsKeeper,
    private readonly options: DeployerOptions,
  ) {}

  /** The stage's workers and traffic, in the table (and the route) but not started: see `deploy`. */
  addRuntime(route: EndpointRoute, stage: StageRecord): StageRuntime {
    const runtime: StageRuntime = {
      id: stage.id,
      name: stage.name,
      endpointId: stage.endpointId,
      modelName: `${stage.model.name}:${stage.model.version}`,
      resourcePath: stage.resourcePath,
      traffic: new StageTraffic(stage.id, stage.name),
      pool: this.poolFor(stage),
      monitoring: { memoryLimitMb: stage.memoryLimitMb, payloadLogging: stage.payloadLogging, drift: stage.drift },
      inactive: stage.state === 'INACTIVE' ? inactiveMessage(route.name, stage.name) : null,
    };
    // a deactivated stage's workers aren't starting: they are stopped until it is activated
    if (runtime.inactive !== null) for (const instance of runtime.pool.instances) instance.state = 'STOPPED';
    this.table.add(route, runtime);
    return runtime;
  }

  /** A fresh pool (the old one stopped) from the stage's record as it is now: its model, its interpreter. */
  renewPool(runtime: StageRuntime, stage: StageRecord): void {
    runtime.pool = this.poolFor(stage);
    runtime.modelName = `${stage.model.name}:${stage.model.version}`;
  }

  private poolFor(stage: StageRecord): StagePool {
    const onChange = (instance: Instance, reason: string | null) => this.instanceChanged(stage.id, instance, reason);
    const cluster = stage.cluster;
    if (cluster) {
      return new ServePool(
        {
          key: stage.id,
          modelDir: stage.model.artifactPath,
          framework: stage.model.framework,
          modelName: stage.model.name,
          instanceCount: stage.instanceCount,
          autoscaling: stage.autoscaling,
          emkitPackageDir: join(this.options.emkitImportPath, 'emkit'),
          target: () => this.serveTarget(cluster.id),
          clusterName: cluster.name,
          clusterState: this.clusterState(cluster.id),
          applications: this.applications,
          log: this.options.log,
          startTimeoutMs: this.options.workerStartTimeoutMs,
          replicaConfig: () => {
            const runtime = this.table.runtime(stage.id);
            return {
              memoryLimitMb: runtime ? runtime.monitoring.memoryLimitMb : stage.memoryLimitMb,
              usage: this.options.replicaPushes?.configFor(stage.endpointId, stage.name, stage.id) ?? null,
            };
          },
        },
        onChange,
      );
    }
    return new WorkerPool(
      {
        key: stage.id,
        python: stage.python,
        modelDir: stage.model.artifactPath,
        framework: stage.model.framework,
        modelName: stage.model.name,
        instanceCount: stage.instanceCount,
        logDir: this.options.logDir,
        socketDir: this.options.socketDir,
        emkitImportPath: this.options.emkitImportPath,
        maxBodyBytes: this.options.maxBodyBytes,
        startTimeoutMs: this.options.workerStartTimeoutMs,
        healthEveryMs: this.options.healthEveryMs,
      },
      onChange,
    );
  }

  /**
   * The cluster's state as its checks last wrote it, read at most every CLUSTER_STATE_MS: the
   * gateway asks on every request, and the checks themselves come seconds apart.
   */
  private clusterState(clusterId: string): () => string | undefined {
    let state: string | undefined;
    let readAt = 0;
    return () => {
      const now = Date.now();
      if (now - readAt >= CLUSTER_STATE_MS) {
        state = this.store.clusters.get(clusterId)?.state;
        readAt = now;
      }
      return state;
    };
  }

  /** The cluster as Serve's config needs it, or null when it is gone or has no Serve address. */
  private serveTarget(clusterId: string): ServeTarget | null {
    const record = this.store.clusters.get(clusterId);
    const clusters = this.options.clusters;
    if (!record?.serveAddress || !clusters) return null;
    return { clusterId, client: clusters.client(clusterId), serveAddress: record.serveAddress, local: record.local !== null };
  }

  /** Start a stage's workers: CREATE IN PROGRESS → DEPLOY IN PROGRESS (loading the model) → ACTIVE. */
  async deploy(stageId: string, again: boolean): Promise<void> {
    const runtime = this.table.runtime(stageId);
    if (!runtime) return;
    // the pool of this deploy: an activation or a redeploy puts a new one in its place
    const pool = runtime.pool;
    if (!again) this.setStage(stageId, 'CREATE IN PROGRESS', null);
    try {
      await mkdir(this.options.logDir, { recursive: true });
      await pool.start(() => {
        if (!again) this.setStage(stageId, 'DEPLOY IN PROGRESS', 'loading the model');
      });
      this.setStage(stageId, 'ACTIVE', null);
    } catch (error) {
      // started again (a restarted bridge): DEPLOY IN PROGRESS can only fail as DEPLOY FAILED
      const failed = !again && error instanceof DeployError && error.beforeLaunch ? 'CREATE FAILED' : 'DEPLOY FAILED';
      if (this.table.runtime(stageId) === runtime && runtime.pool === pool) {
        this.options.log.warn({ stage: stageId, err: error }, 'stage deploy failed');
        this.setStage(stageId, failed, (error as Error).message);
      }
      await pool.stop();
    }
  }

  /** Wait for the stage's requests in flight, stop its workers, keep its last minute, remove it. */
  async retire(runtime: StageRuntime): Promise<void> {
    await this.drain(runtime);
    await runtime.pool.stop();
    this.table.forget(runtime.id);
    this.stats.save(runtime, true);
    this.store.tx(() => this.store.endpoints.deleteStage(runtime.id));
  }

  /** Wait (at most DRAIN_LIMIT_MS) until the stage's requests in flight are answered. */
  async drain(runtime: StageRuntime): Promise<void> {
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (runtime.traffic.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /** A guide transition of a stage, and of its endpoint with it; anything else (it was deleted meanwhile) is let go. */
  setStage(stageId: string, state: StageState, reason: string | null): void {
    this.store.tx(() => {
      const stage = this.store.endpoints.stage(stageId);
      if (!stage) return;
      if (stage.state !== state && !canTransition(stageStates, stage.state, state)) return;
      this.store.endpoints.updateStage(stageId, { state, stateReason: reason });
      this.settleEndpoint(stage.endpointId);
    });
  }

  /** Recompute the endpoint's state from its stages; call inside a transaction. */
  settleEndpoint(endpointId: string): void {
    const endpoint = this.store.endpoints.get(endpointId);
    if (!endpoint) return;
    const stages = this.store.endpoints.stages(endpointId);
    const state = endpointState(endpoint.state, stages, endpoint.defaultStageId);
    const failed = stages.find((s) => s.state === 'CREATE FAILED' || s.state === 'DEPLOY FAILED');
    const main = stages.find((s) => s.id === endpoint.defaultStageId);
    let reason: string | null = null;
    if (failed && state.endsWith('FAILED')) reason = `stage "${failed.name}" is ${failed.state}: ${failed.stateReason ?? ''}`;
    // an endpoint whose default stage is deactivated stays ACTIVE (it is settled, the other stages serve), and says so
    else if (state === 'ACTIVE' && main?.state === 'INACTIVE') {
      reason = `its default stage "${main.name}" is INACTIVE: /inference/${endpoint.name} answers 503 until it is activated`;
    }
    this.store.endpoints.update(endpointId, { state, stateReason: reason });
    this.announce(endpointId);
  }

  /** Call inside a transaction: the change and its event commit together. */
  announce(endpointId: string, action: 'created' | 'updated' = 'updated'): void {
    const endpoint = this.store.endpoints.get(endpointId);
    if (!endpoint) return;
    const stages = this.store.endpoints.stages(endpoint.id);
    this.store.events.record('endpoints', action, endpointId, presentEndpoint(endpoint, stages, this.table.instancesOf));
  }

  /** A worker restarted, came back or was given up: the stage says so. */
  private instanceChanged(stageId: string, instance: Instance, reason: string | null): void {
    const runtime = this.table.runtime(stageId);
    if (!runtime) return;
    const stage = this.store.endpoints.stage(stageId);
    if (!stage || (stage.state !== 'ACTIVE' && stage.state !== 'DEPLOY FAILED')) return;
    if (runtime.pool.allFailed()) {
      this.setStage(stageId, 'DEPLOY FAILED', reason);
      return;
    }
    if (instance.state === 'READY' && runtime.pool.readyCount() < runtime.pool.instances.length) return;
    this.store.tx(() => {
      this.store.endpoints.updateStage(stageId, { state: 'ACTIVE', stateReason: instance.state === 'READY' ? null : reason });
      this.settleEndpoint(stage.endpointId);
    });
  }
}
