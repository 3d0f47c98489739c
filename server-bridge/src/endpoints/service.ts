import { randomBytes } from 'node:crypto';
import {
  type Endpoint,
  EndpointCreate,
  type EndpointList,
  type EndpointStage,
  type EndpointStats,
  type EndpointStatsQuery,
  type EndpointUpdate,
  type InferenceLog,
  InferenceLogQuery,
  type ListQuery,
  type Model,
  StageCreate,
  type StageUpdate,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterService } from '../clusters/service.js';
import { givenInterpreter, modelInterpreter } from '../environments/interpreter.js';
import type { EnvironmentService } from '../environments/service.js';
import { refuseInactive } from '../models/activation.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { EndpointRecord, NewStage, StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import { checkPushedSample, type RemoteSample } from '../usage/remote.js';
import type { LocalWorker } from '../usage/targets.js';
import { StageDeployer } from './deployer.js';
import { InferenceLogWriter } from './inference-log.js';
import { StageLifecycle } from './lifecycle.js';
import { presentEndpoint, presentStage } from './presentation.js';
import type { ReplicaUsagePushes } from './replica-usage.js';
import { type EndpointRoute, hashApiKey, RoutingTable, type StageRuntime } from './routing.js';
import { ServePool } from './serve-pool.js';
import { checkedMonitoring, monitoringOf } from './stage-settings.js';
import { StatsKeeper } from './stats.js';
import type { StageTraffic } from './traffic.js';
import { WorkerPool } from './worker-pool.js';

// the gateway's imports of these predate the split
export { type EndpointRoute, hashApiKey, type StageRuntime } from './routing.js';

export interface EndpointServiceOptions {
  /** the bridge's Python: workers of models that come from no training run here */
  python: string;
  emkitImportPath: string;
  /** `<home>/logs/endpoints`: one log per worker */
  logDir: string;
  /** the private (0700) directory of the workers' sockets */
  socketDir: string;
  environments: EnvironmentService;
  log: FastifyBaseLogger;
  maxBodyBytes: number;
  workerStartTimeoutMs?: number;
  healthEveryMs?: number;
  /** the Ray clusters a stage may run on (`cluster`, or the default cluster) */
  clusters?: ClusterService;
  /** where a cluster stage's Serve replicas push their usage */
  replicaPushes?: ReplicaUsagePushes;
}

/** What a query or a body leaves out, as the API's schemas say it. */
const DEFAULTS = {
  logLimit: InferenceLogQuery.properties.limit.default as number,
  stage: EndpointCreate.properties.stage.default as string,
  instanceCount: StageCreate.properties.instanceCount.default as number,
};

/**
 * Endpoints and their stages: each stage is a pool of model workers; the gateway routes
 * `/inference/{endpoint}[/{stage}]` to them through `route`. States follow the guide
 * (see StageDeployer); switching the default stage moves new requests at once and lets
 * the old stage finish its own before its workers go.
 */
export class EndpointService {
  readonly logs: InferenceLogWriter;
  private readonly table = new RoutingTable();
  private readonly statsKeeper: StatsKeeper;
  private readonly deployer: StageDeployer;
  private readonly lifecycle: StageLifecycle;

  constructor(
    private readonly store: Store,
    private readonly options: EndpointServiceOptions,
  ) {
    this.logs = new InferenceLogWriter(store, options.log);
    this.statsKeeper = new StatsKeeper(store, this.table);
    this.deployer = new StageDeployer(store, this.table, this.statsKeeper, options);
    this.lifecycle = new StageLifecycle(store, this.table, this.deployer, options.log);
  }

  // --- reading ---------------------------------------------------------------------------

  private record(key: string): EndpointRecord {
    const endpoint = this.store.endpoints.get(key);
    if (!endpoint) throw notFound('endpoint', key);
    return endpoint;
  }

  find(key: string): Endpoint {
    return this.present(this.record(key));
  }

  list(query: ListQuery | undefined): EndpointList {
    const { limit, offset } = pageOf(query);
    const page = this.store.endpoints.list(limit, offset);
    return { items: page.items.map((e) => this.present(e)), total: page.total };
  }

  findStage(key: string, stageName: string): EndpointStage {
    const endpoint = this.record(key);
    return presentStage(endpoint, this.stageRecord(endpoint, stageName), this.table.instancesOf);
  }

  private stageRecord(endpoint: EndpointRecord, stageName: string): StageRecord {
    const stage = this.store.endpoints.stages(endpoint.id).find((s) => s.name === stageName);
    if (!stage) throw notFound('stage', `${endpoint.name}/${stageName}`);
    return stage;
  }

  private present(endpoint: EndpointRecord, issuedKey?: string): Endpoint {
    return presentEndpoint(endpoint, this.store.endpoints.stages(endpoint.id), this.table.instancesOf, issuedKey);
  }

  // --- creating --------------------------------------------------------------------------

  async create(input: EndpointCreate): Promise<Endpoint> {
    if (this.store.endpoints.get(input.name)) throw conflict(`endpoint "${input.name}" already exists`);
    const model = this.model(input.model);
    const python = this.pythonFor(model, input.environment);
    const placement = this.placement(input);
    checkedMonitoring(input);
    const key = input.apiKey ? `emk_${randomBytes(24).toString('base64url')}` : undefined;
    const { endpoint, stage } = this.store.tx(() => {
      const endpoint = this.store.endpoints.insert({
        name: input.name,
        description: input.description ?? '',
        apiKeyHash: key ? hashApiKey(key) : null,
        tags: input.tags ?? {},
      });
      const stage = this.store.endpoints.insertStage(endpoint.id, {
        name: input.stage ?? DEFAULTS.stage,
        description: '',
        modelId: model.id,
        instanceCount: input.instanceCount ?? DEFAULTS.instanceCount,
        resourcePath: input.resourcePath ?? '/',
        python,
        ...placement,
        ...monitoringOf(input),
      });
      this.store.endpoints.update(endpoint.id, { defaultStageId: stage.id });
      this.deployer.announce(endpoint.id, 'created');
      return { endpoint, stage };
    });
    const route = this.table.open({ id: endpoint.id, name: endpoint.name, apiKeyHash: key ? hashApiKey(key) : null });
    route.defaultStage = this.deployer.addRuntime(route, stage);
    void this.deployer.deploy(stage.id, false);
    this.statsKeeper.start();
    return this.present(this.record(endpoint.id), key);
  }

  async addStage(key: string, input: StageCreate): Promise<EndpointStage> {
    const endpoint = this.record(key);
    if (endpoint.state === 'DELETE IN PROGRESS') throw conflict(`endpoint "${endpoint.name}" is being deleted`);
    if (this.store.endpoints.stages(endpoint.id).some((s) => s.name === input.name)) {
      throw conflict(`endpoint "${endpoint.name}" already has a stage "${input.name}"`);
    }
    const model = this.model(input.model);
    const python = this.pythonFor(model, input.environment);
    const placement = this.placement(input);
    checkedMonitoring(input);
    const stage = this.store.tx(() => {
      const stage = this.store.endpoints.insertStage(endpoint.id, {
        name: input.name,
        description: input.description ?? '',
        modelId: model.id,
        instanceCount: input.instanceCount ?? DEFAULTS.instanceCount,
        resourcePath: input.resourcePath ?? '/',
        python,
        ...placement,
        ...monitoringOf(input),
      });
      this.deployer.settleEndpoint(endpoint.id);
      return stage;
    });
    const route = this.table.route(endpoint.name);
    if (route) this.deployer.addRuntime(route, stage);
    void this.deployer.deploy(stage.id, false);
    return presentStage(this.record(endpoint.id), stage, this.table.instancesOf);
  }

  /**
   * Where the stage runs: the named cluster, else the default cluster, else this machine.
   * A cluster it can't reach now is refused at once rather than failing behind.
   */
  private placement(input: Pick<StageCreate, 'cluster' | 'autoscaling'>): Pick<NewStage, 'clusterId' | 'autoscaling'> {
    const scaling = input.autoscaling;
    if (scaling && scaling.minReplicas > scaling.maxReplicas) {
      throw new HttpError(400, 'validation', 'body.autoscaling: minReplicas is more than maxReplicas', 'autoscaling');
    }
    const clusters = this.options.clusters;
    const named = input.cluster === undefined ? clusters?.defaultCluster()?.name : input.cluster;
    if (named === undefined || named === null) {
      if (scaling) {
        throw new HttpError(400, 'validation', 'body.autoscaling: only a stage on a Ray cluster autoscales', 'autoscaling');
      }
      return { clusterId: null, autoscaling: null };
    }
    const cluster = this.store.clusters.get(named);
    if (!cluster || !clusters) throw notFound('cluster', named);
    if (cluster.state !== 'REACHABLE') {
      throw conflict(`cluster "${cluster.name}" is ${cluster.state}${cluster.stateReason ? ` (${cluster.stateReason})` : ''}`);
    }
    return { clusterId: cluster.id, autoscaling: scaling ?? null };
  }

  private model(ref: string): Model {
    const model = this.store.models.find(ref);
    if (!model) throw notFound('model', ref);
    refuseInactive(model, 'deployed');
    return model;
  }

  /** The named environment's, else the model's training's, else the bridge's own. */
  private pythonFor(model: Model, environment: string | undefined): string {
    const { environments, python } = this.options;
    const named = environment === undefined ? undefined : { key: environment, environments, runs: 'workers' };
    return modelInterpreter(this.store, model, named, () => givenInterpreter(python)).python;
  }

  // --- changing --------------------------------------------------------------------------

  update(key: string, changes: EndpointUpdate): Endpoint {
    const endpoint = this.record(key);
    let issued: string | undefined;
    let apiKeyHash = endpoint.apiKeyHash;
    if (changes.apiKey === true) {
      issued = `emk_${randomBytes(24).toString('base64url')}`;
      apiKeyHash = hashApiKey(issued);
    } else if (changes.apiKey === false) apiKeyHash = null;
    const updated = this.store.tx(() => {
      const updated = this.store.endpoints.update(endpoint.id, {
        description: changes.description ?? endpoint.description,
        tags: changes.tags ?? endpoint.tags,
        apiKeyHash,
      });
      this.deployer.announce(endpoint.id);
      return updated;
    });
    const route = this.table.route(endpoint.name);
    if (route) route.apiKeyHash = apiKeyHash;
    return this.present(updated, issued);
  }

  /**
   * A stage's description and what watches it (memory limit, payload logging, drift), with no
   * redeploy: its workers keep serving and read the new settings from their runtime at once.
   */
  updateStage(key: string, stageName: string, changes: StageUpdate): EndpointStage {
    const endpoint = this.record(key);
    const stage = this.stageRecord(endpoint, stageName);
    if (stage.state === 'DELETE IN PROGRESS') throw conflict(`stage "${stageName}" is being deleted`);
    checkedMonitoring(changes, stage);
    const updated = this.store.tx(() => {
      const updated = this.store.endpoints.updateStageSettings(stage.id, {
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...monitoringOf(changes),
      });
      this.deployer.announce(endpoint.id);
      return updated;
    });
    const runtime = this.table.runtime(stage.id);
    if (runtime) {
      runtime.monitoring = { memoryLimitMb: updated.memoryLimitMb, payloadLogging: updated.payloadLogging, drift: updated.drift };
    }
    return presentStage(this.record(endpoint.id), updated, this.table.instancesOf);
  }

  // --- the stage lifecycle ---------------------------------------------------------------

  /** A CREATE FAILED or DEPLOY FAILED stage deployed again in place, its model as it is now (202). */
  redeployStage(key: string, stageName: string): EndpointStage {
    const endpoint = this.record(key);
    this.lifecycle.redeploy(endpoint, this.stageRecord(endpoint, stageName));
    return this.findStage(endpoint.id, stageName);
  }

  /** An ACTIVE stage's workers stopped once its requests in flight are answered; answered when they are. */
  async deactivateStage(key: string, stageName: string): Promise<EndpointStage> {
    const endpoint = this.record(key);
    await this.lifecycle.deactivate(endpoint, this.stageRecord(endpoint, stageName));
    return this.findStage(endpoint.id, stageName);
  }

  /** An INACTIVE stage's workers started again (202): DEPLOY IN PROGRESS, then ACTIVE. */
  activateStage(key: string, stageName: string): EndpointStage {
    const endpoint = this.record(key);
    this.lifecycle.activate(endpoint, this.stageRecord(endpoint, stageName));
    return this.findStage(endpoint.id, stageName);
  }

  /**
   * New requests go to the new default at once (the pointer moves in the same tick as the
   * commit); the old default finishes the requests it has, then its workers stop and it is
   * removed, as the guide says of the console's default stage change.
   */
  setDefault(key: string, stageName: string): Endpoint {
    const endpoint = this.record(key);
    if (endpoint.state === 'DELETE IN PROGRESS') throw conflict(`endpoint "${endpoint.name}" is being deleted`);
    const target = this.stageRecord(endpoint, stageName);
    if (target.id === endpoint.defaultStageId) throw conflict(`stage "${stageName}" is already the default`);
    const runtime = this.table.runtime(target.id);
    if (target.state !== 'ACTIVE' || !runtime || runtime.pool.readyCount() === 0) {
      throw conflict(
        `stage "${stageName}" is ${target.state}${target.state === 'ACTIVE' ? ' with no worker ready' : ''}; it takes the traffic once it is ACTIVE`,
      );
    }
    const route = this.table.route(endpoint.name) as EndpointRoute;
    const old = route.defaultStage;
    this.store.tx(() => {
      this.store.endpoints.update(endpoint.id, { defaultStageId: target.id });
      if (old) {
        this.store.endpoints.updateStage(old.id, {
          state: 'DELETE IN PROGRESS',
          stateReason: `"${stageName}" is the default now; finishing the requests in flight`,
        });
      }
      this.deployer.settleEndpoint(endpoint.id);
    });
    route.defaultStage = runtime;
    if (old) {
      route.stages.delete(old.name);
      void this.deployer.retire(old).then(() => this.store.tx(() => this.deployer.settleEndpoint(endpoint.id)));
    }
    return this.find(endpoint.id);
  }

  async deleteStage(key: string, stageName: string): Promise<void> {
    const endpoint = this.record(key);
    const stage = this.stageRecord(endpoint, stageName);
    if (stage.id === endpoint.defaultStageId) {
      throw conflict(
        `"${stageName}" is the default stage of "${endpoint.name}" and can't be deleted; make another stage the default, or delete the endpoint`,
      );
    }
    if (stage.state === 'DELETE IN PROGRESS') throw conflict(`stage "${stageName}" is already being deleted`);
    this.store.tx(() => {
      this.store.endpoints.updateStage(stage.id, { state: 'DELETE IN PROGRESS', stateReason: null });
      this.deployer.settleEndpoint(endpoint.id);
    });
    this.table.route(endpoint.name)?.stages.delete(stageName);
    const runtime = this.table.runtime(stage.id);
    if (runtime) await this.deployer.retire(runtime);
    else this.store.tx(() => this.store.endpoints.deleteStage(stage.id));
    this.store.tx(() => this.deployer.settleEndpoint(endpoint.id));
  }

  async delete(key: string): Promise<void> {
    const endpoint = this.record(key);
    const others = this.store.endpoints.stages(endpoint.id).filter((s) => s.id !== endpoint.defaultStageId);
    if (others.length > 0) {
      throw conflict(
        `endpoint "${endpoint.name}" still has the stage${others.length > 1 ? 's' : ''} ${others.map((s) => `"${s.name}"`).join(', ')} besides the default; delete ${others.length > 1 ? 'them' : 'it'} first`,
      );
    }
    this.store.tx(() => {
      this.store.endpoints.update(endpoint.id, { state: 'DELETE IN PROGRESS', stateReason: null });
      this.deployer.announce(endpoint.id);
    });
    this.table.close(endpoint.name);
    const runtime = endpoint.defaultStageId ? this.table.runtime(endpoint.defaultStageId) : undefined;
    if (runtime) await this.deployer.retire(runtime);
    this.logs.flush();
    this.forget(endpoint.id);
  }

  /** An endpoint's records gone: its row (and what cascades from it), its payload log's rows. */
  private forget(endpointId: string): void {
    this.store.tx(() => {
      this.store.endpoints.delete(endpointId);
      this.store.payloads.deleteEndpoint(endpointId);
      this.store.events.record('endpoints', 'deleted', endpointId, null);
    });
  }

  // --- the gateway's side ----------------------------------------------------------------

  /** The endpoint by name, for the gateway; undefined when there is none. */
  route(name: string): EndpointRoute | undefined {
    return this.table.route(name);
  }

  // --- stats and logs --------------------------------------------------------------------

  stats(key: string, query: EndpointStatsQuery | undefined): EndpointStats {
    return this.statsKeeper.stats(this.record(key).id, query ?? {});
  }

  /** The live traffic counters of an endpoint's serving stages (one, or all), for readers with their own window. */
  traffic(endpointId: string, stage?: string): StageTraffic[] {
    return this.table.runtimesOf(endpointId, stage).map((runtime) => runtime.traffic);
  }

  inferenceLogs(key: string, query: InferenceLogQuery | undefined): { items: InferenceLog[] } {
    const endpoint = this.record(key);
    this.logs.flush();
    return { items: this.store.inference.logs(endpoint.id, { ...query, limit: query?.limit ?? DEFAULTS.logLimit }) };
  }

  // --- resource usage (issue 18) ---------------------------------------------------------

  /** The workers running on this machine now, with their stage's memory limit: what the usage sampler watches. */
  localWorkers(): LocalWorker[] {
    return this.table.allRuntimes().flatMap((runtime) => {
      if (!(runtime.pool instanceof WorkerPool)) return [];
      return runtime.pool.instances.flatMap((instance) =>
        instance.pid === null
          ? []
          : [
              {
                endpointId: runtime.endpointId,
                stageId: runtime.id,
                stage: runtime.name,
                index: instance.index,
                pid: instance.pid,
                memoryLimitMb: runtime.monitoring.memoryLimitMb,
              },
            ],
      );
    });
  }

  /** A worker over its stage's memory limit: restarted, its lastExit and the stage's log saying why. */
  restartOverMemory(worker: LocalWorker, limitMb: number, rssMb: number): void {
    const runtime = this.table.runtime(worker.stageId);
    if (!(runtime?.pool instanceof WorkerPool) || !runtime.pool.overMemory(worker.index, worker.pid, limitMb, rssMb)) return;
    const body = `worker ${worker.index} went over the stage's memory limit of ${limitMb} MB (rss ${Math.round(rssMb)} MB): restarted`;
    this.options.log.warn({ endpoint: worker.endpointId, stage: worker.stage, pid: worker.pid }, body);
    this.workerWarning(runtime, body);
  }

  /** A WARNING about a stage's worker in the stage's log, beside its requests (no inference id). */
  private workerWarning(runtime: StageRuntime, body: string): void {
    this.logs.push({
      endpointId: runtime.endpointId,
      endpointStageId: runtime.id,
      stage: runtime.name,
      inferenceId: '',
      action: 'Stage.Worker',
      modelName: runtime.modelName,
      logLevel: 'WARNING',
      body,
      status: null,
      latencyMs: null,
      time: new Date().toISOString(),
    });
  }

  /**
   * A sample a Serve replica of a cluster stage pushed from its node (it can't be sampled here),
   * with the stage's own push credential: its series is `replica <Serve's id>`, one of the
   * stage's workers. A replica over the stage's memory limit fails Serve's health check by
   * itself (emkit.ray_serve) and Serve replaces it; the stage's log says so here, once.
   */
  replicaUsage(endpointId: string, stageName: string, replica: string, presented: string, body: unknown): RemoteSample {
    const endpoint = this.store.endpoints.get(endpointId);
    const stage = endpoint && this.store.endpoints.stages(endpoint.id).find((s) => s.name === stageName);
    // the same answer for an unknown stage and a wrong credential: nothing to learn by trying
    if (!endpoint || endpoint.id !== endpointId || !stage || !this.options.replicaPushes?.accepts(stage.id, presented)) {
      throw new HttpError(401, 'unauthorized', "this stage's push credential is required");
    }
    const runtime = this.table.runtime(stage.id);
    if (!(runtime?.pool instanceof ServePool) || !runtime.pool.hasReplica(replica)) {
      throw new HttpError(400, 'validation', `"${replica}" is no replica of stage "${stage.name}" now`, 'replica');
    }
    const sample = checkPushedSample(body);
    const limitMb = runtime.monitoring.memoryLimitMb;
    if (limitMb !== null && sample.memoryMb > limitMb && runtime.pool.firstTimeOverMemory(replica)) {
      const body = `replica ${replica} went over the stage's memory limit of ${limitMb} MB (rss ${Math.round(sample.memoryMb)} MB): Ray Serve replaces it`;
      this.options.log.warn({ endpoint: endpoint.id, stage: stage.name, replica }, body);
      this.workerWarning(runtime, body);
    }
    const key = `endpoints/${stage.id}/replica/${replica}`;
    return {
      target: {
        key,
        pid: sample.pid,
        owners: [{ resource: 'endpoints', id: endpoint.id }],
        process: `replica ${replica}`,
        kind: 'worker',
        stage: stage.name,
      },
      sample: { key, ...sample },
    };
  }

  // --- the bridge's life -----------------------------------------------------------------

  /**
   * At start: finish the deletions a stopped bridge left half done, and start the workers
   * of every stage that was serving (or on its way to) again.
   */
  reconcile(): void {
    const again: string[] = [];
    for (const endpoint of this.store.endpoints.all()) {
      if (endpoint.state === 'DELETE IN PROGRESS') {
        this.forget(endpoint.id);
        continue;
      }
      const route = this.table.open(endpoint);
      for (const stage of this.store.endpoints.stages(endpoint.id)) {
        if (stage.state === 'DELETE IN PROGRESS') {
          this.store.tx(() => this.store.endpoints.deleteStage(stage.id));
          continue;
        }
        const runtime = this.deployer.addRuntime(route, stage);
        if (stage.id === endpoint.defaultStageId) route.defaultStage = runtime;
        // failed stages wait to be deployed again, a deactivated one to be activated
        if (stage.state === 'CREATE FAILED' || stage.state === 'DEPLOY FAILED' || stage.state === 'INACTIVE') continue;
        // a deactivated version's stage doesn't start again (one can't be deactivated while served: a belt to those braces)
        if (this.store.models.find(stage.model.id)?.state === 'INACTIVE') {
          this.store.tx(() => {
            this.store.endpoints.updateStage(stage.id, {
              state: 'DEPLOY FAILED',
              stateReason: 'its model version is deactivated; reactivate it (emkit model activate) and deploy again',
            });
            this.deployer.settleEndpoint(endpoint.id);
          });
          continue;
        }
        this.store.tx(() => {
          this.store.endpoints.updateStage(stage.id, {
            state: 'DEPLOY IN PROGRESS',
            stateReason: 'starting its workers again: the bridge restarted',
          });
          this.deployer.settleEndpoint(endpoint.id);
        });
        // every stage on a cluster claimed before the first one PUTs Serve's whole config
        if (runtime.pool instanceof ServePool) runtime.pool.claim();
        again.push(stage.id);
      }
      this.store.tx(() => this.deployer.settleEndpoint(endpoint.id));
    }
    for (const stageId of again) void this.deployer.deploy(stageId, true);
    if (this.table.size > 0) this.statsKeeper.start();
  }

  /** Stop every worker; the stages keep their states, so the next bridge starts them again. */
  async shutdown(): Promise<void> {
    this.statsKeeper.stop();
    // first: a deploy cut short by this stop must not be recorded as failed
    const runtimes = this.table.clear();
    // a stage on a cluster keeps serving there: the next bridge PUTs the same config, which Serve leaves as it is
    await Promise.all(runtimes.map((r) => (r.pool instanceof ServePool ? r.pool.release() : r.pool.stop())));
    for (const runtime of runtimes) this.statsKeeper.save(runtime, true);
    this.logs.flush();
  }
}
