import type { FastifyBaseLogger } from 'fastify';
import { refuseInactive } from '../models/activation.js';
import { conflict } from '../server/errors.js';
import type { EndpointRecord, StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import type { StageDeployer } from './deployer.js';
import type { RoutingTable, StageRuntime } from './routing.js';

/** The 503 an INACTIVE stage's routes answer: what it is and how to undo it. */
export const inactiveMessage = (endpoint: string, stage: string) =>
  `stage "${stage}" of "${endpoint}" is INACTIVE (deactivated: its workers are stopped); activate it to serve again: emkit endpoint stage activate ${endpoint} ${stage}`;

/**
 * The stage lifecycle the guide names beside create and delete: a failed stage deployed again
 * in place, and an ACTIVE stage deactivated (its workers stopped once its requests in flight
 * are answered, its routes answering 503 with the reason, the stage and its settings kept)
 * and activated again. Each starts a fresh pool from the stage's record as it is now, so a
 * model or interpreter fixed meanwhile is what starts.
 */
export class StageLifecycle {
  constructor(
    private readonly store: Store,
    private readonly table: RoutingTable,
    private readonly deployer: StageDeployer,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** CREATE FAILED → CREATE IN PROGRESS, DEPLOY FAILED → DEPLOY IN PROGRESS, then on as a new stage does. */
  redeploy(endpoint: EndpointRecord, stage: StageRecord): void {
    if (stage.state !== 'CREATE FAILED' && stage.state !== 'DEPLOY FAILED') {
      throw conflict(
        `stage "${stage.name}" is ${stage.state}; only a CREATE FAILED or DEPLOY FAILED stage is deployed again in place`,
      );
    }
    const model = this.store.models.find(stage.model.id);
    if (model) refuseInactive(model, 'deployed');
    const runtime = this.runtimeOf(endpoint, stage);
    const fromCreate = stage.state === 'CREATE FAILED';
    this.deployer.setStage(stage.id, fromCreate ? 'CREATE IN PROGRESS' : 'DEPLOY IN PROGRESS', 'deploying it again');
    void this.restart(runtime, stage.id, fromCreate);
  }

  /**
   * ACTIVE → INACTIVE at once (recorded first, so a bridge that stops meanwhile doesn't start
   * it again), new requests get 503; the workers stop once the requests in flight are
   * answered; resolves when they have. A stage on a cluster has its Serve application taken
   * off the cluster.
   */
  async deactivate(endpoint: EndpointRecord, stage: StageRecord): Promise<void> {
    const runtime = this.table.runtime(stage.id);
    if (stage.state !== 'ACTIVE' || !runtime) {
      throw conflict(`stage "${stage.name}" is ${stage.state}; only an ACTIVE stage is deactivated`);
    }
    // this pool: an activation while it drains puts a new one in its place, which must be left be
    const pool = runtime.pool;
    runtime.inactive = inactiveMessage(endpoint.name, stage.name);
    this.deployer.setStage(stage.id, 'INACTIVE', `deactivated at ${new Date().toISOString()}`);
    await this.deployer.drain(runtime);
    await pool.stop();
    // its workers as they are now (stopped), for the views that follow the event stream
    this.store.tx(() => this.deployer.announce(stage.endpointId));
  }

  /** INACTIVE → DEPLOY IN PROGRESS → ACTIVE (or DEPLOY FAILED), its workers started anew. */
  activate(endpoint: EndpointRecord, stage: StageRecord): void {
    if (stage.state !== 'INACTIVE')
      throw conflict(`stage "${stage.name}" is ${stage.state}; only an INACTIVE stage is activated`);
    const model = this.store.models.find(stage.model.id);
    if (model) refuseInactive(model, 'deployed');
    const runtime = this.runtimeOf(endpoint, stage);
    this.deployer.setStage(stage.id, 'DEPLOY IN PROGRESS', 'activated: starting its workers');
    // requests now get "not ready" (503) until a worker is, as any deploying stage's do
    runtime.inactive = null;
    void this.restart(runtime, stage.id, false);
  }

  /** The stage's runtime: every stage has one from its creation (or the bridge's start) until it is deleted. */
  private runtimeOf(endpoint: EndpointRecord, stage: StageRecord): StageRuntime {
    const runtime = this.table.runtime(stage.id);
    if (!runtime) throw conflict(`stage "${stage.name}" of "${endpoint.name}" is being removed`);
    return runtime;
  }

  /** The old pool stopped (it may be retrying), a fresh one from the record as it is now, deployed. */
  private async restart(runtime: StageRuntime, stageId: string, fromCreate: boolean): Promise<void> {
    try {
      await runtime.pool.stop();
      // deleted meanwhile (its retirement stopped the same pool): no new workers for it
      const stage = this.store.endpoints.stage(stageId);
      if (!stage || stage.state === 'DELETE IN PROGRESS' || this.table.runtime(stageId) !== runtime) return;
      this.deployer.renewPool(runtime, stage);
      await this.deployer.deploy(stageId, !fromCreate);
    } catch (error) {
      this.log.warn({ stage: stageId, err: error }, 'stage restart failed');
      this.deployer.setStage(stageId, fromCreate ? 'CREATE FAILED' : 'DEPLOY FAILED', (error as Error).message);
    }
  }
}
