import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  canTransition,
  type Endpoint,
  type EndpointCreate,
  type EndpointStage,
  type EndpointStats,
  type EndpointUpdate,
  endpointState,
  type InferenceLog,
  type InferenceLogQuery,
  type Model,
  type StageCreate,
  type StageState,
  stageStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { EnvironmentService } from '../environments/service.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import type { EndpointRecord, StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import { InferenceLogWriter } from './inference-log.js';
import { StageTraffic } from './traffic.js';
import { DeployError, type Instance, WorkerPool } from './worker-pool.js';

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
}

/** A stage as the gateway uses it: its workers, its traffic, and what its log entries say. */
export interface StageRuntime {
  id: string;
  name: string;
  endpointId: string;
  modelName: string;
  resourcePath: string;
  pool: WorkerPool;
  traffic: StageTraffic;
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

/** How long a stage being removed may take to finish the requests it has. */
const DRAIN_LIMIT_MS = 30_000;
const STATS_EVERY_MS = 1_000;

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * Endpoints and their stages: each stage is a pool of model workers; the gateway routes
 * `/inference/{endpoint}[/{stage}]` to them through `route`. States follow the guide;
 * switching the default stage moves new requests at once and lets the old stage finish
 * its own before its workers go.
 */
export class EndpointService {
  readonly logs: InferenceLogWriter;
  private readonly routes = new Map<string, EndpointRoute>();
  private readonly runtimes = new Map<string, StageRuntime>();
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: EndpointServiceOptions,
  ) {
    this.logs = new InferenceLogWriter(store, options.log);
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

  list(limit: number, offset: number): { items: Endpoint[]; total: number } {
    const page = this.store.endpoints.list(limit, offset);
    return { items: page.items.map((e) => this.present(e)), total: page.total };
  }

  findStage(key: string, stageName: string): EndpointStage {
    const endpoint = this.record(key);
    return this.presentStage(endpoint, this.stageRecord(endpoint, stageName));
  }

  private stageRecord(endpoint: EndpointRecord, stageName: string): StageRecord {
    const stage = this.store.endpoints.stages(endpoint.id).find((s) => s.name === stageName);
    if (!stage) throw notFound('stage', `${endpoint.name}/${stageName}`);
    return stage;
  }

  private present(endpoint: EndpointRecord, issuedKey?: string): Endpoint {
    const stages = this.store.endpoints.stages(endpoint.id);
    return {
      id: endpoint.id,
      name: endpoint.name,
      description: endpoint.description,
      state: endpoint.state,
      stateReason: endpoint.stateReason,
      url: `/inference/${endpoint.name}`,
      defaultStage: stages.find((s) => s.id === endpoint.defaultStageId)?.name ?? null,
      hasApiKey: endpoint.apiKeyHash !== null,
      ...(issuedKey ? { apiKey: issuedKey } : {}),
      tags: endpoint.tags,
      stages: stages.map((s) => this.presentStage(endpoint, s)),
      createdAt: endpoint.createdAt,
      updatedAt: endpoint.updatedAt,
    };
  }

  private presentStage(endpoint: EndpointRecord, stage: StageRecord): EndpointStage {
    return {
      id: stage.id,
      endpointId: endpoint.id,
      name: stage.name,
      description: stage.description,
      default: stage.id === endpoint.defaultStageId,
      state: stage.state,
      stateReason: stage.stateReason,
      url: `/inference/${endpoint.name}/${stage.name}`,
      resourcePath: stage.resourcePath,
      model: { id: stage.model.id, name: stage.model.name, version: stage.model.version, framework: stage.model.framework },
      instanceCount: stage.instanceCount,
      instances: this.runtimes.get(stage.id)?.pool.snapshot() ?? [],
      python: stage.python,
      createdAt: stage.createdAt,
      updatedAt: stage.updatedAt,
    };
  }

  /** Call inside a transaction: the change and its event commit together. */
  private announce(endpointId: string, action: 'created' | 'updated' = 'updated'): void {
    const endpoint = this.store.endpoints.get(endpointId);
    if (endpoint) this.store.events.record('endpoints', action, endpointId, this.present(endpoint));
  }

  // --- creating --------------------------------------------------------------------------

  async create(input: EndpointCreate): Promise<Endpoint> {
    if (this.store.endpoints.get(input.name)) throw conflict(`endpoint "${input.name}" already exists`);
    const model = this.model(input.model);
    const python = this.pythonFor(model, input.environment);
    const key = input.apiKey ? `emk_${randomBytes(24).toString('base64url')}` : undefined;
    const { endpoint, stage } = this.store.tx(() => {
      const endpoint = this.store.endpoints.insert({
        name: input.name,
        description: input.description ?? '',
        apiKeyHash: key ? hashApiKey(key) : null,
        tags: input.tags ?? {},
      });
      const stage = this.store.endpoints.insertStage(endpoint.id, {
        name: input.stage ?? 'default',
        description: '',
        modelId: model.id,
        instanceCount: input.instanceCount ?? 1,
        resourcePath: input.resourcePath ?? '/',
        python,
      });
      this.store.endpoints.update(endpoint.id, { defaultStageId: stage.id });
      this.announce(endpoint.id, 'created');
      return { endpoint, stage };
    });
    const route: EndpointRoute = {
      id: endpoint.id,
      name: endpoint.name,
      apiKeyHash: key ? hashApiKey(key) : null,
      defaultStage: undefined,
      stages: new Map(),
    };
    this.routes.set(endpoint.name, route);
    route.defaultStage = this.addRuntime(route, stage);
    void this.deploy(stage.id, false);
    this.ensureStatsTimer();
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
    const stage = this.store.tx(() => {
      const stage = this.store.endpoints.insertStage(endpoint.id, {
        name: input.name,
        description: input.description ?? '',
        modelId: model.id,
        instanceCount: input.instanceCount ?? 1,
        resourcePath: input.resourcePath ?? '/',
        python,
      });
      this.settleEndpoint(endpoint.id);
      return stage;
    });
    const route = this.routes.get(endpoint.name);
    if (route) this.addRuntime(route, stage);
    void this.deploy(stage.id, false);
    return this.presentStage(this.record(endpoint.id), stage);
  }

  private model(ref: string): Model {
    const model = this.store.models.find(ref);
    if (!model) throw notFound('model', ref);
    return model;
  }

  /** The named environment's, else the model's training's, else the bridge's own. */
  private pythonFor(model: Model, environment: string | undefined): string {
    if (environment !== undefined) {
      const env = this.options.environments.find(environment);
      if (env.state !== 'ACTIVE') throw conflict(`environment "${env.name}" is ${env.state}; workers run in ACTIVE environments`);
      return join(env.path, 'bin', 'python');
    }
    const training = model.source.training && this.store.trainings.get(model.source.training.id);
    if (training) {
      if (!existsSync(training.python)) {
        throw unprocessable(
          `the Python of training "${training.name}" (${training.python}) is gone; name an environment to serve the model in`,
          'environment',
        );
      }
      return training.python;
    }
    return this.options.python;
  }

  private addRuntime(route: EndpointRoute, stage: StageRecord): StageRuntime {
    const runtime: StageRuntime = {
      id: stage.id,
      name: stage.name,
      endpointId: stage.endpointId,
      modelName: `${stage.model.name}:${stage.model.version}`,
      resourcePath: stage.resourcePath,
      traffic: new StageTraffic(stage.id, stage.name),
      pool: new WorkerPool(
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
        (instance, reason) => this.instanceChanged(stage.id, instance, reason),
      ),
    };
    this.runtimes.set(stage.id, runtime);
    route.stages.set(stage.name, runtime);
    return runtime;
  }

  /** Start a stage's workers: CREATE IN PROGRESS → DEPLOY IN PROGRESS (loading the model) → ACTIVE. */
  private async deploy(stageId: string, again: boolean): Promise<void> {
    const runtime = this.runtimes.get(stageId);
    if (!runtime) return;
    if (!again) this.setStage(stageId, 'CREATE IN PROGRESS', null);
    try {
      await mkdir(this.options.logDir, { recursive: true });
      await runtime.pool.start(() => {
        if (!again) this.setStage(stageId, 'DEPLOY IN PROGRESS', 'loading the model');
      });
      this.setStage(stageId, 'ACTIVE', null);
    } catch (error) {
      const failed = error instanceof DeployError && error.beforeLaunch ? 'CREATE FAILED' : 'DEPLOY FAILED';
      if (this.runtimes.get(stageId) === runtime) {
        this.options.log.warn({ stage: stageId, err: error }, 'stage deploy failed');
        this.setStage(stageId, failed, (error as Error).message);
      }
      await runtime.pool.stop();
    }
  }

  /** A guide transition of a stage, and of its endpoint with it; anything else (it was deleted meanwhile) is let go. */
  private setStage(stageId: string, state: StageState, reason: string | null): void {
    this.store.tx(() => {
      const stage = this.store.endpoints.stage(stageId);
      if (!stage) return;
      if (stage.state !== state && !canTransition(stageStates, stage.state, state)) return;
      this.store.endpoints.updateStage(stageId, { state, stateReason: reason });
      this.settleEndpoint(stage.endpointId);
    });
  }

  /** Recompute the endpoint's state from its stages; call inside a transaction. */
  private settleEndpoint(endpointId: string): void {
    const endpoint = this.store.endpoints.get(endpointId);
    if (!endpoint) return;
    const stages = this.store.endpoints.stages(endpointId);
    const state = endpointState(endpoint.state, stages, endpoint.defaultStageId);
    const failed = stages.find((s) => s.state === 'CREATE FAILED' || s.state === 'DEPLOY FAILED');
    const reason =
      failed && state.endsWith('FAILED') ? `stage "${failed.name}" is ${failed.state}: ${failed.stateReason ?? ''}` : null;
    this.store.endpoints.update(endpointId, { state, stateReason: reason });
    this.announce(endpointId);
  }

  /** A worker restarted, came back or was given up: the stage says so. */
  private instanceChanged(stageId: string, instance: Instance, reason: string | null): void {
    const runtime = this.runtimes.get(stageId);
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
      this.announce(endpoint.id);
      return updated;
    });
    const route = this.routes.get(endpoint.name);
    if (route) route.apiKeyHash = apiKeyHash;
    return this.present(updated, issued);
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
    const runtime = this.runtimes.get(target.id);
    if (target.state !== 'ACTIVE' || !runtime || runtime.pool.readyCount() === 0) {
      throw conflict(
        `stage "${stageName}" is ${target.state}${target.state === 'ACTIVE' ? ' with no worker ready' : ''}; it takes the traffic once it is ACTIVE`,
      );
    }
    const route = this.routes.get(endpoint.name) as EndpointRoute;
    const old = route.defaultStage;
    this.store.tx(() => {
      this.store.endpoints.update(endpoint.id, { defaultStageId: target.id });
      if (old) {
        this.store.endpoints.updateStage(old.id, {
          state: 'DELETE IN PROGRESS',
          stateReason: `"${stageName}" is the default now; finishing the requests in flight`,
        });
      }
      this.settleEndpoint(endpoint.id);
    });
    route.defaultStage = runtime;
    if (old) {
      route.stages.delete(old.name);
      void this.retire(old).then(() => this.store.tx(() => this.settleEndpoint(endpoint.id)));
    }
    return this.find(endpoint.id);
  }

  /** Wait for the stage's requests in flight, stop its workers, keep its last minute, remove it. */
  private async retire(runtime: StageRuntime): Promise<void> {
    const deadline = Date.now() + DRAIN_LIMIT_MS;
    while (runtime.traffic.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await runtime.pool.stop();
    this.runtimes.delete(runtime.id);
    this.saveMinutes(runtime, true);
    this.store.tx(() => this.store.endpoints.deleteStage(runtime.id));
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
      this.settleEndpoint(endpoint.id);
    });
    const route = this.routes.get(endpoint.name);
    route?.stages.delete(stageName);
    const runtime = this.runtimes.get(stage.id);
    if (runtime) await this.retire(runtime);
    else this.store.tx(() => this.store.endpoints.deleteStage(stage.id));
    this.store.tx(() => this.settleEndpoint(endpoint.id));
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
      this.announce(endpoint.id);
    });
    this.routes.delete(endpoint.name);
    const runtime = endpoint.defaultStageId ? this.runtimes.get(endpoint.defaultStageId) : undefined;
    if (runtime) await this.retire(runtime);
    this.logs.flush();
    this.store.tx(() => {
      this.store.endpoints.delete(endpoint.id);
      this.store.events.record('endpoints', 'deleted', endpoint.id, null);
    });
  }

  // --- the gateway's side ----------------------------------------------------------------

  /** The endpoint by name, for the gateway; undefined when there is none. */
  route(name: string): EndpointRoute | undefined {
    return this.routes.get(name);
  }

  // --- stats and logs --------------------------------------------------------------------

  stats(key: string, query: { stage?: string; minutes?: number }): EndpointStats {
    const endpoint = this.record(key);
    const since = new Date(Date.now() - (query.minutes ?? 60) * 60_000).toISOString();
    const live = [...this.runtimes.values()].filter(
      (r) => r.endpointId === endpoint.id && (query.stage === undefined || r.name === query.stage),
    );
    for (const runtime of live) this.saveMinutes(runtime);
    const current = live.map((r) => r.traffic.current()).filter((m) => m.count > 0 || m.maxInFlight > 0);
    const inFlight: Record<string, number> = {};
    for (const runtime of live) inFlight[runtime.name] = runtime.traffic.inFlight;
    const minutes = [...this.store.inference.minutes(endpoint.id, since, query.stage), ...current];
    return { endpointId: endpoint.id, minutes, inFlight };
  }

  inferenceLogs(key: string, query: InferenceLogQuery): { items: InferenceLog[] } {
    const endpoint = this.record(key);
    this.logs.flush();
    return { items: this.store.inference.logs(endpoint.id, { ...query, limit: query.limit ?? 200 }) };
  }

  /** Store the stage's finished minutes (and, when it goes, the one still counting) and push them on the event stream. */
  private saveMinutes(runtime: StageRuntime, last = false): void {
    const minutes = runtime.traffic.roll();
    if (last) {
      const current = runtime.traffic.current();
      if (current.count > 0) minutes.push(current);
    }
    if (minutes.length === 0) return;
    this.store.tx(() => {
      if (!this.store.endpoints.get(runtime.endpointId)) return;
      for (const minute of minutes) {
        this.store.inference.saveMinute(runtime.endpointId, minute);
        this.store.events.record('endpoints', 'stats', runtime.endpointId, minute);
      }
    });
  }

  private ensureStatsTimer(): void {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(() => {
      for (const runtime of this.runtimes.values()) this.saveMinutes(runtime);
    }, STATS_EVERY_MS);
    this.statsTimer.unref();
  }

  // --- the bridge's life -----------------------------------------------------------------

  /**
   * At start: finish the deletions a stopped bridge left half done, and start the workers
   * of every stage that was serving (or on its way to) again.
   */
  reconcile(): void {
    for (const endpoint of this.store.endpoints.all()) {
      if (endpoint.state === 'DELETE IN PROGRESS') {
        this.store.tx(() => {
          this.store.endpoints.delete(endpoint.id);
          this.store.events.record('endpoints', 'deleted', endpoint.id, null);
        });
        continue;
      }
      const route: EndpointRoute = {
        id: endpoint.id,
        name: endpoint.name,
        apiKeyHash: endpoint.apiKeyHash,
        defaultStage: undefined,
        stages: new Map(),
      };
      this.routes.set(endpoint.name, route);
      for (const stage of this.store.endpoints.stages(endpoint.id)) {
        if (stage.state === 'DELETE IN PROGRESS') {
          this.store.tx(() => this.store.endpoints.deleteStage(stage.id));
          continue;
        }
        const runtime = this.addRuntime(route, stage);
        if (stage.id === endpoint.defaultStageId) route.defaultStage = runtime;
        if (stage.state === 'CREATE FAILED' || stage.state === 'DEPLOY FAILED') continue;
        this.store.tx(() => {
          this.store.endpoints.updateStage(stage.id, {
            state: 'DEPLOY IN PROGRESS',
            stateReason: 'starting its workers again: the bridge restarted',
          });
          this.settleEndpoint(endpoint.id);
        });
        void this.deploy(stage.id, true);
      }
      this.store.tx(() => this.settleEndpoint(endpoint.id));
    }
    if (this.routes.size > 0) this.ensureStatsTimer();
  }

  /** Stop every worker; the stages keep their states, so the next bridge starts them again. */
  async shutdown(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    const runtimes = [...this.runtimes.values()];
    // first: a deploy cut short by this stop must not be recorded as failed
    this.routes.clear();
    this.runtimes.clear();
    await Promise.all(runtimes.map((r) => r.pool.stop()));
    for (const runtime of runtimes) this.saveMinutes(runtime, true);
    this.logs.flush();
  }
}
