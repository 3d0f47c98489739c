import type { InstanceState, ModelFramework, StageAutoscaling, StageInstance } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ServeApplicationConfig, ServeApplicationDetails, ServeReplica } from '../clusters/ray-client.js';
import { packageFolders } from '../clusters/ray-package.js';
import { EMKIT_APP_PREFIX, type ServeApplications, type ServeTarget } from '../clusters/serve-applications.js';
import { WorkerClient } from './worker-client.js';
import { DeployError, Instance } from './worker-pool.js';

/** Where a replica pushes its usage (ReplicaUsagePushes.configFor). */
export interface ReplicaUsagePush {
  url: string;
  token: string;
  everySeconds: number;
}

/** The deployment's `user_config`: Serve hands a changed one to the running replicas, with no restart. */
export interface ReplicaConfig {
  /** the stage's memory limit now: a replica over it fails Serve's health check and is replaced */
  memoryLimitMb: number | null;
  usage: ReplicaUsagePush | null;
}

export interface ServeSpec {
  /** the stage's id: names the application, `emkit-<id>`, and its route prefix */
  key: string;
  modelDir: string;
  framework: ModelFramework;
  modelName: string;
  instanceCount: number;
  autoscaling: StageAutoscaling | null;
  /** the bridge's emkit package folder: it goes up with the model, for the replicas to import */
  emkitPackageDir: string;
  /** the cluster as it is now (its record is re-read each time: its state and address change) */
  target: () => ServeTarget | null;
  clusterName: string;
  /** the cluster's state as the bridge's last check found it (undefined: gone) */
  clusterState: () => string | undefined;
  applications: ServeApplications;
  log: FastifyBaseLogger;
  startTimeoutMs?: number;
  watchEveryMs?: number;
  /** the replicas' config as it should be now (read at each watch: a PATCHed limit, the bridge's address once known) */
  replicaConfig: () => ReplicaConfig;
}

/** What a replica takes of a node: small, so replicas don't keep trainings from their CPUs (shared/RAY.md). */
export const REPLICA_CPUS = 0.1;
const DEFAULT_START_TIMEOUT_MS = 300_000;
/** How often Serve runs a replica's check (emkit.ray_serve: its memory against the stage's limit); Serve's default is 10 s. */
const HEALTH_CHECK_SECONDS = 2;
const DEFAULT_WATCH_EVERY_MS = 2_000;
const POLL_MS = 500;

const REPLICA_STATES: Record<string, InstanceState> = {
  RUNNING: 'READY',
  STARTING: 'STARTING',
  UPDATING: 'STARTING',
  RECOVERING: 'RESTARTING',
  STOPPING: 'STOPPED',
  PENDING_MIGRATION: 'READY',
};

/**
 * A stage on a Ray cluster: a Ray Serve application running emkit's loaders
 * (`emkit.ray_serve`), its replicas on the cluster's nodes. It has the surface of a
 * WorkerPool, so the gateway, the deployer and the stats use it unchanged: `pick` hands
 * out the one way in, Serve's HTTP proxy (Serve balances over the replicas), while the
 * application runs and the cluster is reachable — otherwise nothing, and the caller gets
 * 503 at once. `instances` are the replicas as Serve last reported them.
 */
export class ServePool {
  instances: Instance[] = [];
  private proxy: Instance | null = null;
  private status: ServeApplicationDetails['status'] | 'NONE' = 'NONE';
  private message = '';
  private stopping = false;
  private watchTimer: NodeJS.Timeout | null = null;
  /** the application as last PUT, and its replicas' config in it (as JSON) */
  private application: ServeApplicationConfig | null = null;
  private sentReplicaConfig = '';
  /** Serve's ids of the replicas it lists now: a pushed sample names one */
  private replicaIds = new Set<string>();
  /** the replicas already said to be over the memory limit (each is replaced, under a new id) */
  private readonly overMemory = new Set<string>();

  constructor(
    private readonly spec: ServeSpec,
    /** a replica changed: the stage shows it */
    private readonly onChange: (instance: Instance, reason: string | null) => void,
  ) {}

  get appName(): string {
    return `${EMKIT_APP_PREFIX}${this.spec.key}`;
  }

  /**
   * A restarted bridge's stage: what the cluster runs for it stays in the other stages' PUTs
   * until this one's config is set again (call before any of them starts).
   */
  claim(): void {
    const target = this.spec.target();
    if (target) this.spec.applications.claim(target.clusterId, this.appName);
  }

  /**
   * Upload the model (with emkit) as the application's working directory, PUT the cluster's
   * config with it, and wait for Serve to say RUNNING (or DEPLOY_FAILED, with its message).
   */
  async start(onLaunched: () => void): Promise<void> {
    const target = this.spec.target();
    if (!target) throw new DeployError('its cluster is gone', true);
    // a cluster that won't come back by itself: said at once (an unreachable one may yet answer the PUT)
    const state = this.spec.clusterState();
    if (state === undefined || state === 'STOPPED' || state === 'START FAILED') {
      throw new DeployError(`its Ray cluster "${this.spec.clusterName}" is ${state ?? 'gone'}`, true);
    }
    let workingDir: string;
    try {
      const pkg = await packageFolders([
        { dir: this.spec.modelDir, under: 'model' },
        { dir: this.spec.emkitPackageDir, under: 'emkit', skipDir: (name) => name === '__pycache__' },
      ]);
      workingDir = await target.client.ensurePackage(pkg.name, pkg.zip);
      const replicaConfig = this.spec.replicaConfig();
      const deployment: Record<string, unknown> = {
        name: 'model',
        ray_actor_options: { num_cpus: REPLICA_CPUS },
        user_config: replicaConfig,
        // Serve replaces a replica after 3 failed checks in a row: a replica over the memory limit within seconds
        health_check_period_s: HEALTH_CHECK_SECONDS,
      };
      const scaling = this.spec.autoscaling;
      if (scaling) deployment.autoscaling_config = { min_replicas: scaling.minReplicas, max_replicas: scaling.maxReplicas };
      else deployment.num_replicas = this.spec.instanceCount;
      this.application = {
        name: this.appName,
        route_prefix: `/${this.appName}`,
        import_path: 'emkit.ray_serve:build',
        runtime_env: { working_dir: workingDir },
        args: { framework: this.spec.framework, model_dir: 'model', name: this.spec.modelName },
        deployments: [deployment],
      };
      this.sentReplicaConfig = JSON.stringify(replicaConfig);
      await this.spec.applications.set(target, this.application);
    } catch (error) {
      throw new DeployError(`Ray Serve didn't take the application: ${(error as Error).message}`, true);
    }
    onLaunched();
    const url = new URL(target.serveAddress);
    this.proxy = new Instance(0);
    this.proxy.client = new WorkerClient(url.host, {
      tcp: { host: url.hostname, port: Number(url.port || 80) },
      pathPrefix: `/${this.appName}`,
    });
    const deadline = Date.now() + (this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    for (;;) {
      if (this.stopping) throw new DeployError('stopped while deploying');
      let missed: string | null = null;
      try {
        await this.refresh(target);
      } catch (error) {
        // a slow answer of a busy dashboard is no verdict: ask again until the deadline
        missed = (error as Error).message;
      }
      if (this.status === 'RUNNING' && !missed) break;
      if (this.status === 'DEPLOY_FAILED') throw new DeployError(`Ray Serve: ${this.message || 'the deployment failed'}`);
      if (Date.now() > deadline) {
        const limit = (this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS) / 1000;
        throw new DeployError(`Ray Serve didn't run it within ${limit} s${missed ? ` (${missed})` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    this.proxy.state = 'READY';
    this.watchTimer = setInterval(() => void this.watch(), this.spec.watchEveryMs ?? DEFAULT_WATCH_EVERY_MS);
    this.watchTimer.unref();
  }

  /** Serve's proxy while the application runs and the cluster is reachable; else none (503 at once). */
  pick(except?: Instance): Instance | undefined {
    const proxy = this.proxy;
    if (!proxy || proxy === except || proxy.state !== 'READY' || this.stopping || this.spec.clusterState() !== 'REACHABLE')
      return undefined;
    return proxy;
  }

  /** Why no request goes through now, for the caller's 503. */
  describe(): string {
    const cluster = this.spec.clusterState();
    if (cluster !== 'REACHABLE') return `its Ray cluster is ${cluster ?? 'gone'}`;
    if (this.status !== 'RUNNING') return `Ray Serve says ${this.status}`;
    return this.instances.map((i) => i.state.toLowerCase()).join(', ') || 'no replica';
  }

  readyCount(): number {
    return this.pick() ? Math.max(1, this.instances.filter((i) => i.state === 'READY').length) : 0;
  }

  allFailed(): boolean {
    return this.status === 'DEPLOY_FAILED';
  }

  /** Whether Serve lists a replica of this id now (a sample pushed from a node names its replica). */
  hasReplica(replicaId: string): boolean {
    return this.replicaIds.has(replicaId);
  }

  /** True the first time a replica is found over the stage's memory limit: the stage's log says it once. */
  firstTimeOverMemory(replicaId: string): boolean {
    if (this.overMemory.has(replicaId)) return false;
    this.overMemory.add(replicaId);
    return true;
  }

  snapshot(): StageInstance[] {
    return this.instances.map((i) => i.snapshot());
  }

  /** Let go of the application without taking it off the cluster: the bridge stops, the stage stays. */
  async release(): Promise<void> {
    this.stopping = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
    this.proxy?.client?.destroy();
    if (this.proxy) this.proxy.state = 'STOPPED';
  }

  /** Take the application off the cluster (the rest of its config stays); an unreachable cluster is let be. */
  async stop(): Promise<void> {
    await this.release();
    const target = this.spec.target();
    if (!target) return;
    try {
      await this.spec.applications.remove(target, this.appName);
    } catch (error) {
      this.spec.log.warn({ app: this.appName, err: error }, 'could not take the Serve application off its cluster');
    }
  }

  /** Serve's status of the application and its replicas, read once. */
  private async refresh(target: ServeTarget): Promise<void> {
    const details = (await target.client.serveApplications()).applications[this.appName];
    this.status = details?.status ?? 'NONE';
    this.message = details?.message ?? '';
    const replicas: ServeReplica[] = Object.values(details?.deployments ?? {}).flatMap((d) => d.replicas ?? []);
    this.replicaIds = new Set(replicas.map((replica) => replica.replica_id));
    for (const id of this.overMemory) if (!this.replicaIds.has(id)) this.overMemory.delete(id);
    this.instances = replicas.map((replica, index) => {
      const instance = new Instance(index);
      instance.state = REPLICA_STATES[replica.state] ?? 'FAILED';
      instance.pid = replica.pid ?? null;
      return instance;
    });
  }

  /** While it serves: follow Serve's status, so the stage shows an unhealthy application or a lost replica. */
  private async watch(): Promise<void> {
    const target = this.spec.target();
    if (!target || this.stopping || !this.proxy) return;
    const before = this.status;
    const readyBefore = this.instances.filter((i) => i.state === 'READY').length;
    try {
      await this.refresh(target);
    } catch {
      return; // the cluster's own checks say it is unreachable; the proxy answers for itself
    }
    if (this.stopping) return;
    await this.updateReplicaConfig(target);
    const ready = this.instances.filter((i) => i.state === 'READY').length;
    if (this.status === before && ready === readyBefore) return;
    this.proxy.state = this.status === 'RUNNING' || this.status === 'UNHEALTHY' ? 'READY' : 'RESTARTING';
    const reason = this.status === 'RUNNING' ? null : `Ray Serve says ${this.status}${this.message ? `: ${this.message}` : ''}`;
    this.onChange(this.instances.find((i) => i.state !== 'READY') ?? this.proxy, reason);
  }

  /**
   * The replicas' config PUT again when it changed (a PATCHed memory limit; the bridge's address,
   * unknown while a restarted bridge redeployed): Serve reconfigures the running replicas in place.
   */
  private async updateReplicaConfig(target: ServeTarget): Promise<void> {
    const application = this.application;
    const replicaConfig = this.spec.replicaConfig();
    const json = JSON.stringify(replicaConfig);
    if (!application || json === this.sentReplicaConfig) return;
    this.sentReplicaConfig = json;
    const deployments = (application.deployments ?? []).map((d) => ({ ...d, user_config: replicaConfig }));
    this.application = { ...application, deployments };
    try {
      await this.spec.applications.set(target, this.application);
    } catch (error) {
      this.sentReplicaConfig = ''; // tried again at the next watch
      this.spec.log.warn({ app: this.appName, err: error }, "could not update the Serve replicas' config");
    }
  }
}
