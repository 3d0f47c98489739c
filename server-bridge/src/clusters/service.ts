import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Cluster,
  type ClusterCreate,
  type ClusterList,
  type ClusterNode,
  type ClusterState,
  type ClusterUpdate,
  canTransition,
  clusterStates,
  type ListQuery,
  type LocalClusterSpec,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { addSecret } from '../runtime/secrets.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import { type ClusterChanges, type ClusterRecord, type LocalProcesses, publicCluster } from '../store/clusters.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation, newId } from '../store/rows.js';
import {
  choosePorts,
  dashboardAddress,
  isClusterProcess,
  makeTempDir,
  nodeAddress,
  nodeArguments,
  rayBinary,
  rayMissing,
  serveAddress,
  spawnNode,
  stopNodes,
} from './local-cluster.js';
import { RayClient, RayError } from './ray-client.js';
import { clusterNodes } from './ray-nodes.js';

export interface ClusterServiceOptions {
  /** `<home>/clusters`: one private folder per cluster, with its token */
  root: string;
  /** `<home>/logs/clusters`: one log per node of a local cluster */
  logDir: string;
  /** the bridge's Python: a local cluster runs the `ray` of its environment */
  python: string;
  /** what goes first on PYTHONPATH so `emkit.ray_node` is this bridge's own */
  emkitImportPath: string;
  log: FastifyBaseLogger;
  /** how often every cluster is checked (default 5 s) */
  pollMs?: number;
  /** how long a local cluster may take to have all its nodes ALIVE (default 180 s) */
  startTimeoutMs?: number;
  /** a cluster is gone (deleted): the browser sessions on its dashboard end with it */
  onDeleted?: (cluster: { id: string; name: string }) => void;
}

/** What the dashboard proxy needs of a cluster: where Ray's dashboard is, and Ray's token. */
export interface DashboardTarget {
  id: string;
  name: string;
  address: string;
  token: string | null;
}

export const DEFAULT_CLUSTER_POLL_MS = 5000;
/** Ray Serve's own default HTTP port: an added cluster's, unless `servePort` says otherwise */
export const DEFAULT_SERVE_PORT = 8000;
/** Ray Client's own default port on the head: an added cluster's, unless `clientPort` says otherwise */
export const DEFAULT_CLIENT_PORT = 10001;

/** What a Ray Client driver (batch scoring's runner) connects with: `ray://HEAD:PORT`, and the file with the token. */
export interface RayClientTarget {
  id: string;
  name: string;
  address: string;
  tokenFile: string | null;
}
/** the states in which the checks look at a cluster: a local one starting, stopped or failed is the bridge's to say */
const CHECKED: readonly ClusterState[] = ['CONNECTING', 'REACHABLE', 'UNREACHABLE'];

const invalid = (field: string, message: string) => new HttpError(400, 'validation', `body.${field}: ${message}`, field);

/** `http://host:port/` → `http://host:port`; a bad port is the caller's to fix. */
function normalAddress(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalid('address', `"${address}" is not an address like http://HEAD:8265 (is the port 1–65535?)`);
  }
  if (url.port !== '' && (Number(url.port) < 1 || Number(url.port) > 65535)) {
    throw invalid('address', `port ${url.port} is not 1–65535`);
  }
  return `${url.protocol}//${url.host}`;
}

/**
 * Ray clusters: added by address (with its token, if it has one) or started here as separate
 * `ray start` processes (`local`). The bridge checks each one every few seconds — its Ray
 * version and nodes, or why it can't be reached — and keeps which one, if any, is the default
 * target (none: this machine). Tokens are private files, known to the log's redaction, never
 * answered.
 */
export class ClusterService {
  private poller: NodeJS.Timeout | undefined;
  private readonly checking = new Set<string>();
  private readonly checkedAt = new Map<string, string>();
  /** the watchers of the local clusters this bridge runs, by cluster id */
  private readonly children = new Map<string, ChildProcess[]>();
  private readonly starting = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly options: ClusterServiceOptions,
  ) {}

  private record(key: string): ClusterRecord {
    const record = this.store.clusters.get(key);
    if (!record) throw notFound('cluster', key);
    return record;
  }

  private view(record: ClusterRecord): Cluster {
    const cluster = publicCluster(record);
    return { ...cluster, checkedAt: this.checkedAt.get(record.id) ?? cluster.checkedAt };
  }

  /** The cluster, or undefined when there is none by that name or id. */
  get(key: string): Cluster | undefined {
    const record = this.store.clusters.get(key);
    return record && this.view(record);
  }

  find(key: string): Cluster {
    return this.view(this.record(key));
  }

  list(query: ListQuery | undefined): ClusterList {
    const { limit, offset } = pageOf(query);
    const page = this.store.clusters.list(limit, offset);
    return { items: page.items.map((r) => this.view(r)), total: page.total };
  }

  /** The default target, or null: this machine. */
  defaultCluster(): Cluster | null {
    const record = this.store.clusters.every().find((c) => c.isDefault);
    return record ? this.view(record) : null;
  }

  /** A Ray client for the cluster, with its token: what trainings and stages on it use. */
  client(key: string, timeoutMs?: number): RayClient {
    const record = this.record(key);
    return new RayClient({ address: record.address, token: this.token(record.id), timeoutMs });
  }

  /**
   * Where the cluster's Ray dashboard answers, with its token, for the bridge's proxy: 404 for
   * no such cluster, 503 (at once, with the reason) while it isn't REACHABLE.
   */
  dashboard(key: string): DashboardTarget {
    const record = this.record(key);
    if (record.state !== 'REACHABLE') {
      throw new HttpError(
        503,
        'not_ready',
        `cluster "${record.name}" is ${record.state}${record.stateReason ? ` (${record.stateReason})` : ''}: its dashboard can't be reached`,
      );
    }
    return { id: record.id, name: record.name, address: record.address, token: this.token(record.id) };
  }

  /**
   * Where batch scoring's runner connects as a Ray Client, with the token's file: 404 for no such cluster, 409 while
   * it isn't REACHABLE.
   */
  rayClient(key: string): RayClientTarget {
    const record = this.record(key);
    if (record.state !== 'REACHABLE') {
      throw conflict(
        `cluster "${record.name}" is ${record.state}${record.stateReason ? ` (${record.stateReason})` : ''}; jobs run on REACHABLE clusters`,
      );
    }
    let address: string;
    try {
      address = readFileSync(this.clientAddressFile(record.id), 'utf8').trim();
    } catch {
      // added before the bridge kept it: Ray's default port on the dashboard's host
      address = `ray://${new URL(record.address).hostname}:${DEFAULT_CLIENT_PORT}`;
    }
    return { id: record.id, name: record.name, address, tokenFile: this.token(record.id) ? this.tokenFile(record.id) : null };
  }

  /** The cluster's Ray Client address, kept with its token (not a column: only the runner reads it). */
  private clientAddressFile(id: string): string {
    return join(this.options.root, id, 'ray-client');
  }

  private writeClientAddress(id: string, address: string): void {
    mkdirSync(join(this.options.root, id), { recursive: true, mode: 0o700 });
    writeFileSync(this.clientAddressFile(id), `${address}\n`, { mode: 0o600 });
  }

  private tokenFile(id: string): string {
    return join(this.options.root, id, 'token');
  }

  private token(id: string): string | null {
    try {
      const token = readFileSync(this.tokenFile(id), 'utf8').trim();
      addSecret(token);
      return token || null;
    } catch {
      return null;
    }
  }

  private writeToken(id: string, token: string): void {
    mkdirSync(join(this.options.root, id), { recursive: true, mode: 0o700 });
    addSecret(token);
    writeFileSync(this.tokenFile(id), token, { mode: 0o600 });
  }

  async create(input: ClusterCreate): Promise<Cluster> {
    if ((input.address === undefined) === (input.local === undefined)) {
      throw invalid(
        input.address === undefined ? 'address' : 'local',
        'give either `address` (a running Ray cluster) or `local` (start one on this machine), not both',
      );
    }
    if (input.local && input.servePort !== undefined) {
      throw invalid('servePort', 'a local cluster gets a free port for Ray Serve; give `servePort` only with `address`');
    }
    if (input.local && input.clientPort !== undefined) {
      throw invalid('clientPort', 'a local cluster gets a free port for Ray Client; give `clientPort` only with `address`');
    }
    if (input.local && input.token !== undefined) {
      throw invalid('token', 'a local cluster makes its own token; give `token` only with `address`');
    }
    if (this.store.clusters.get(input.name)) throw conflict(`a cluster named "${input.name}" already exists`);
    const id = newId();
    if (input.local) return this.createLocal(id, input.name, input.local);

    const address = normalAddress(input.address as string);
    if (input.token) this.writeToken(id, input.token);
    this.writeClientAddress(id, `ray://${new URL(address).hostname}:${input.clientPort ?? DEFAULT_CLIENT_PORT}`);
    let record: ClusterRecord;
    try {
      record = this.store.tx(() =>
        this.store.clusters.insert({
          id,
          name: input.name,
          address,
          hasToken: Boolean(input.token),
          serveAddress: `${new URL(address).protocol}//${new URL(address).hostname}:${input.servePort ?? DEFAULT_SERVE_PORT}`,
          local: null,
          state: 'CONNECTING',
        }),
      );
    } catch (error) {
      rmSync(join(this.options.root, id), { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a cluster named "${input.name}" already exists`);
      throw error;
    }
    this.ensurePoller();
    void this.check(record.id);
    return this.view(record);
  }

  private async createLocal(id: string, name: string, local: LocalClusterSpec): Promise<Cluster> {
    const ray = rayBinary(this.options.python);
    if (!ray) throw new HttpError(422, 'unprocessable', rayMissing(this.options.python));
    const spec: LocalClusterSpec = {
      nodes: local.nodes,
      cpusPerNode: local.cpusPerNode ?? 1,
      memoryMbPerNode: local.memoryMbPerNode ?? 1024,
    };
    this.writeToken(id, randomBytes(32).toString('hex'));
    let record: ClusterRecord;
    try {
      record = this.store.tx(() =>
        this.store.clusters.insert({ id, name, address: '', hasToken: true, serveAddress: null, local: spec, state: 'STARTING' }),
      );
    } catch (error) {
      rmSync(join(this.options.root, id), { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a cluster named "${name}" already exists`);
      throw error;
    }
    return this.view(await this.launch(record, ray));
  }

  update(key: string, changes: ClusterUpdate): Cluster {
    const record = this.record(key);
    this.store.tx(() => {
      if (changes.default) this.store.clusters.setDefault(record.id);
      else if (record.isDefault) this.store.clusters.setDefault(null);
    });
    return this.find(record.id);
  }

  async delete(key: string): Promise<void> {
    const record = this.record(key);
    this.refuseInUse(record);
    if (record.local) await this.stopLocal(record, 'deleted');
    this.store.tx(() => this.store.clusters.delete(record.id));
    this.checkedAt.delete(record.id);
    rmSync(join(this.options.root, record.id), { recursive: true, force: true });
    rmSync(join(this.options.logDir, record.id), { recursive: true, force: true });
    this.options.onDeleted?.({ id: record.id, name: record.name });
  }

  /**
   * A cluster that runs trainings or stages stays: removing it (or stopping a local one) would
   * leave them running out of the bridge's sight. 409 naming them, and what to do first.
   */
  private refuseInUse(record: ClusterRecord): void {
    const trainings = this.store.trainings.activeNamesOnCluster(record.id);
    const stages = this.store.endpoints.stagesOnCluster(record.id).map((s) => `${s.endpoint}/${s.stage}`);
    const batches = this.store.batchInferences
      .unsettled()
      .filter((j) => j.cluster === record.id)
      .map((j) => j.name);
    if (trainings.length === 0 && stages.length === 0 && batches.length === 0) return;
    const parts = [
      trainings.length > 0 && `the training${trainings.length > 1 ? 's' : ''} ${trainings.join(', ')} (stop them first)`,
      batches.length > 0 && `the batch scoring job${batches.length > 1 ? 's' : ''} ${batches.join(', ')} (stop them first)`,
      stages.length > 0 && `the stage${stages.length > 1 ? 's' : ''} ${stages.join(', ')} (delete them first)`,
    ].filter(Boolean);
    throw conflict(`cluster "${record.name}" still runs ${parts.join(' and ')}`);
  }

  async start(key: string): Promise<Cluster> {
    const record = this.record(key);
    if (!record.local) throw conflict(`cluster "${record.name}" was added by its address: the bridge can't start it`);
    if (!canTransition(clusterStates, record.state, 'STARTING')) {
      throw conflict(`cluster "${record.name}" is ${record.state}: stop it first (\`emkit cluster down ${record.name}\`)`);
    }
    const ray = rayBinary(this.options.python);
    if (!ray) throw new HttpError(422, 'unprocessable', rayMissing(this.options.python));
    const starting = this.store.tx(() =>
      this.store.clusters.update(record.id, { state: 'STARTING', stateReason: null, nodes: [] }),
    );
    return this.view(await this.launch(starting, ray));
  }

  async stop(key: string): Promise<Cluster> {
    const record = this.record(key);
    if (!record.local)
      throw conflict(`cluster "${record.name}" was added by its address: the bridge didn't start it and won't stop it`);
    this.refuseInUse(record);
    await this.stopLocal(record, 'stopped (`emkit cluster up` starts it again)');
    return this.find(record.id);
  }

  /**
   * Start the nodes: the head, then (once its dashboard answers) the others. Answers once the
   * processes run; the readiness wait goes on behind (STARTING → REACHABLE or START FAILED).
   */
  private async launch(record: ClusterRecord, ray: string): Promise<ClusterRecord> {
    const spec = record.local as LocalClusterSpec;
    const ports = await choosePorts(spec.nodes);
    const tempDir = makeTempDir();
    const processes: LocalProcesses = { tempDir, pids: [] };
    const address = dashboardAddress(ports);
    this.writeClientAddress(record.id, `ray://${nodeAddress(0)}:${ports.client}`);
    const launchNode = (index: number) => {
      const child = spawnNode({
        ray,
        args: nodeArguments(index, spec, ports, tempDir),
        tokenFile: this.tokenFile(record.id),
        emkitImportPath: this.options.emkitImportPath,
        logFile: join(this.options.logDir, record.id, `node-${index}.log`),
      });
      if (child.pid === undefined) throw new Error(`node ${index} could not start`);
      processes.pids.push(child.pid);
      this.children.set(record.id, [...(this.children.get(record.id) ?? []), child]);
      return child;
    };
    try {
      launchNode(0);
    } catch (error) {
      this.moveTo(record.id, 'START FAILED', { stateReason: (error as Error).message, processes: null });
      rmSync(tempDir, { recursive: true, force: true });
      return this.record(record.id);
    }
    const updated = this.store.tx(() =>
      this.store.clusters.update(record.id, { address, serveAddress: serveAddress(ports), processes, state: 'STARTING' }),
    );
    const wait = this.awaitNodes(updated, spec, processes, launchNode)
      .catch((error: Error) => {
        void this.failStart(record.id, error.message);
      })
      .finally(() => this.starting.delete(record.id));
    this.starting.set(record.id, wait);
    return updated;
  }

  private async awaitNodes(
    record: ClusterRecord,
    spec: LocalClusterSpec,
    processes: LocalProcesses,
    launchNode: (index: number) => ChildProcess,
  ): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 180_000);
    const client = new RayClient({ address: record.address, token: this.token(record.id) });
    const headLog = join(this.options.logDir, record.id, 'node-0.log');
    const stillStarting = () => this.store.clusters.get(record.id)?.state === 'STARTING';
    const ended = () => (this.children.get(record.id) ?? []).find((c) => c.exitCode !== null || c.signalCode !== null);
    const tick = async () => {
      if (!stillStarting()) throw new Error('stopped while starting');
      const gone = ended();
      if (gone) throw new Error(`a node ended while starting (${gone.signalCode ?? `exit ${gone.exitCode}`}):\n${tail(headLog)}`);
      if (Date.now() > deadline)
        throw new Error(
          `its nodes weren't all ALIVE within ${Math.round((this.options.startTimeoutMs ?? 180_000) / 1000)} s; see ${headLog}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    };
    // the head's dashboard first: the other nodes join through its GCS
    for (;;) {
      try {
        await client.version();
        break;
      } catch {
        await tick();
      }
    }
    if (!stillStarting()) throw new Error('stopped while starting');
    for (let index = 1; index < spec.nodes; index += 1) launchNode(index);
    // recorded before they are waited for: a `down` or a bridge restart meanwhile must find them all
    this.store.tx(() => this.store.clusters.update(record.id, { processes: { ...processes, pids: [...processes.pids] } }));
    let nodes: ClusterNode[] = [];
    for (;;) {
      try {
        nodes = clusterNodes(await client.nodes());
        if (nodes.filter((n) => n.alive).length >= spec.nodes) break;
      } catch {
        // the state API answers a moment after the dashboard
      }
      await tick();
    }
    // REACHABLE with the nodes it was judged by: whoever waits for it (`cluster up`) sees them at once
    if (!this.moveTo(record.id, 'REACHABLE', { stateReason: null, nodes })) return;
    await this.check(record.id);
    this.ensurePoller();
  }

  private async failStart(id: string, reason: string): Promise<void> {
    const record = this.store.clusters.get(id);
    if (record?.state !== 'STARTING') return;
    this.options.log.warn({ cluster: record.name }, 'a local cluster failed to start');
    if (record.processes) await stopNodes(record.processes, 5000);
    this.children.delete(id);
    this.moveTo(id, 'START FAILED', { stateReason: reason.slice(0, 4000), processes: null, nodes: [] });
  }

  private async stopLocal(record: ClusterRecord, reason: string, graceMs?: number): Promise<void> {
    const current = this.store.clusters.get(record.id) ?? record;
    if (current.state !== 'STOPPED') {
      this.store.tx(() => this.store.clusters.update(record.id, { state: 'STOPPED', stateReason: reason }));
    }
    await this.starting.get(record.id)?.catch(() => {});
    const processes = this.store.clusters.get(record.id)?.processes ?? current.processes;
    if (processes) {
      const started = Date.now();
      const { killed } = await stopNodes(processes, graceMs);
      this.options.log.info(
        { cluster: record.name, ms: Date.now() - started, killed },
        killed.length ? "a local cluster's nodes stopped, some killed" : "a local cluster's nodes stopped",
      );
    }
    this.children.delete(record.id);
    if (this.store.clusters.get(record.id)) {
      this.store.tx(() => this.store.clusters.update(record.id, { processes: null, nodes: [], rayVersion: current.rayVersion }));
    }
  }

  /** Moves one along clusterStates; false (and nothing changes) when it is gone or may not go there. */
  private moveTo(id: string, state: ClusterState, changes: ClusterChanges = {}): boolean {
    const current = this.store.clusters.get(id);
    if (!current || !canTransition(clusterStates, current.state, state)) return false;
    this.store.tx(() => this.store.clusters.update(id, { ...changes, state }));
    return true;
  }

  /** One look at a cluster: its version and nodes, or why it can't be reached. Written only when something changed. */
  async check(id: string): Promise<void> {
    if (this.checking.has(id)) return;
    this.checking.add(id);
    try {
      const record = this.store.clusters.get(id);
      if (!record || !CHECKED.includes(record.state)) return;
      const client = new RayClient({ address: record.address, token: this.token(id) });
      let next: ClusterChanges & { state: ClusterState };
      try {
        const [version, nodes] = await Promise.all([client.version(), client.nodes()]);
        next = { state: 'REACHABLE', stateReason: null, rayVersion: version.ray_version, nodes: clusterNodes(nodes) };
      } catch (error) {
        const reason = error instanceof RayError || error instanceof Error ? error.message : String(error);
        next = {
          state: 'UNREACHABLE',
          stateReason: reason,
          nodes: record.nodes.map((n) => ({ ...n, alive: false, state: 'UNKNOWN' })),
        };
        if (record.state === 'UNREACHABLE') next.nodes = record.nodes;
      }
      const time = new Date().toISOString();
      this.checkedAt.set(id, time);
      const latest = this.store.clusters.get(id);
      if (!latest || !CHECKED.includes(latest.state)) return;
      const same =
        latest.state === next.state &&
        latest.stateReason === next.stateReason &&
        (next.rayVersion === undefined || latest.rayVersion === next.rayVersion) &&
        JSON.stringify(latest.nodes) === JSON.stringify(next.nodes);
      if (same) return;
      if (latest.state !== next.state && !canTransition(clusterStates, latest.state, next.state)) return;
      this.store.tx(() => this.store.clusters.update(id, { ...next, checkedAt: time }));
      if (latest.state !== next.state) {
        this.options.log.info({ cluster: latest.name, state: next.state }, `cluster ${next.state.toLowerCase()}`);
      }
    } finally {
      this.checking.delete(id);
    }
  }

  private ensurePoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => {
      for (const record of this.store.clusters.every()) if (CHECKED.includes(record.state)) void this.check(record.id);
    }, this.options.pollMs ?? DEFAULT_CLUSTER_POLL_MS);
    this.poller.unref();
  }

  /**
   * At start: every cluster is checked again from CONNECTING's word; a local one's nodes ended
   * with the bridge that ran them (any left over are stopped here), so it is STOPPED.
   */
  async reconcile(): Promise<void> {
    for (const record of this.store.clusters.every()) {
      if (record.local) {
        if (record.processes) {
          const processes = record.processes;
          const leftovers = processes.pids.filter((pid) => isClusterProcess(pid, processes));
          await stopNodes({ ...processes, pids: leftovers }, 5000);
        }
        if (record.state !== 'STOPPED') {
          this.store.tx(() =>
            this.store.clusters.update(record.id, {
              state: 'STOPPED',
              stateReason: `the bridge restarted; \`emkit cluster up ${record.name}\` starts it again`,
              processes: null,
              nodes: [],
            }),
          );
        }
      }
    }
    if (this.store.clusters.total() > 0) {
      this.ensurePoller();
      for (const record of this.store.clusters.every()) if (CHECKED.includes(record.state)) void this.check(record.id);
    }
  }

  /** With the bridge: checks end, local clusters' nodes stop. */
  async shutdown(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    const running = this.store.clusters.every().filter((r) => r.local && r.state !== 'STOPPED');
    await Promise.all(running.map((r) => this.stopLocal(r, 'the bridge stopped; `emkit cluster up` starts it again', 7000)));
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n').trim();
  } catch {
    return '';
  }
}
