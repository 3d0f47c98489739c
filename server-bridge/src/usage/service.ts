import {
  isSettled,
  type ResourceSample,
  type ResourceUsage,
  ResourceUsageQuery,
  trainingStates,
  type UsageEventData,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { notFound } from '../server/errors.js';
import type { Store } from '../store/index.js';
import type { NewUsageSample, UsageResource } from '../store/usage.js';
import { type RemoteSample, RemoteUsage } from './remote.js';
import { processSeries } from './series.js';
import type { SidecarRound, UsageSidecar } from './sidecar.js';
import { type LocalWorker, type UsageTarget, usageTargets } from './targets.js';

/** One process's latest sample, as the `usage` event carries it. */
export type ProcessSample = UsageEventData['processes'][number];

export interface UsageServiceOptions {
  /** what takes the samples: UsageSidecar */
  sidecar: Pick<UsageSidecar, 'gpu' | 'sample' | 'stop'>;
  /** how often the processes are sampled; 0: never */
  intervalMs: number;
  log: FastifyBaseLogger;
  /** the stages' workers running on this machine now */
  workers: () => LocalWorker[];
  /** a worker went over its stage's memory limit: it is to be restarted */
  overMemoryLimit: (worker: LocalWorker, limitMb: number, rssMb: number) => void;
}

export const DEFAULT_USAGE_INTERVAL_MS = 5_000;
/** How often the stored series are thinned and capped. */
const COMPACT_EVERY_MS = 60_000;
const DEFAULT_POINTS = ResourceUsageQuery.properties.points.default as number;
/** A sample taken on a cluster's node counts in the rounds this long after it came (beyond two intervals): one is late now and then. */
const REMOTE_GRACE_MS = 2_000;

/** What a resource's summary adds up: its ranks (not the TensorBoard, which may show others too), workers, runners. */
const COUNTED: Record<UsageResource, ProcessSample['kind']> = {
  trainings: 'rank',
  endpoints: 'worker',
  'batch-inferences': 'batch-worker',
};

const ownerKey = (resource: UsageResource, id: string) => `${resource}/${id}`;

/**
 * Resource usage: every few seconds, every process the bridge started on this machine is
 * sampled by the sidecar (`python -m emkit.usage`, see UsageSidecar); the round is stored
 * (thinned as it ages), added to each resource's summary, and put on the event stream, one
 * `usage` event per resource. A stage worker over its stage's memory limit is restarted.
 */
export class UsageService {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private lastCompact = Date.now();
  /** each resource's processes as the latest round found them */
  private latestRound = new Map<string, ProcessSample[]>();
  /** what the ranks of cluster trainings push from their nodes (ClusterPushes.usage) */
  readonly remote = new RemoteUsage();

  constructor(
    private readonly store: Store,
    private readonly options: UsageServiceOptions,
  ) {}

  get intervalSeconds(): number {
    return this.options.intervalMs / 1000;
  }

  start(): void {
    if (this.options.intervalMs <= 0 || this.timer || this.stopped) return;
    this.schedule();
  }

  /** No more rounds; resolves once the sidecar has ended. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.options.sidecar.stop();
  }

  /**
   * The latest sample of each process of a training, an endpoint (one stage's, when named) or a
   * batch job; empty when none runs (or none was sampled yet). For alert rules on worker.*.
   */
  latest(resource: UsageResource, id: string, stage?: string): ProcessSample[] {
    const processes = this.latestRound.get(ownerKey(resource, id)) ?? [];
    return stage === undefined ? processes : processes.filter((p) => p.stage === stage);
  }

  /** The stored series of a resource's processes (GET …/resources). */
  resources(resource: UsageResource, key: string, query: ResourceUsageQuery | undefined): ResourceUsage {
    const id = this.ownerId(resource, key);
    const since = query?.minutes === undefined ? undefined : new Date(Date.now() - query.minutes * 60_000).toISOString();
    const rows = this.store.usage.series(resource, id, { stage: query?.stage, since });
    const processes = processSeries(rows, query?.points ?? DEFAULT_POINTS);
    const summary = this.store.usage.summary(resource, id, query?.stage ?? '');
    return {
      resource,
      id,
      intervalSeconds: this.intervalSeconds,
      gpu: this.options.sidecar.gpu || rows.some((row) => row.sample.gpuPercent !== null),
      processes,
      summary: {
        peakMemoryMb: summary ? summary.peakMemoryMb : null,
        meanCpuPercent: summary ? summary.meanCpuPercent : null,
      },
    };
  }

  private ownerId(resource: UsageResource, key: string): string {
    const found =
      resource === 'trainings'
        ? this.store.trainings.get(key)
        : resource === 'endpoints'
          ? this.store.endpoints.get(key)
          : this.store.batchInferences.get(key);
    if (!found)
      throw notFound(resource === 'trainings' ? 'training' : resource === 'endpoints' ? 'endpoint' : 'batch inference', key);
    return found.id;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      void this.round()
        .catch((error) => this.options.log.warn({ err: error }, 'a resource usage round failed'))
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One round: sample, store, summarise, announce, enforce the memory limits; now and then, compact. */
  async round(): Promise<void> {
    const maxAgeMs = 2 * this.options.intervalMs + REMOTE_GRACE_MS;
    const { local, reported } = usageTargets(this.store, this.options.workers(), maxAgeMs);
    const sampled = local.length > 0 ? await this.options.sidecar.sample(local) : null;
    if (this.stopped) return;
    // a training that has ended has no ranks left, whatever they last pushed
    const pushed = this.remote
      .fresh(maxAgeMs)
      .filter((r) => r.target.owners.every((o) => o.resource !== 'trainings' || this.running(o.id)));
    const remote = [...pushed, ...reported];
    const { round, targets } = withRemote(sampled, local, remote);
    if (round) this.record(round, targets);
    // nothing runs, or the sidecar can't answer now: no latest sample rather than a stale one
    else this.latestRound = new Map();
    if (Date.now() - this.lastCompact >= COMPACT_EVERY_MS) {
      this.lastCompact = Date.now();
      this.store.tx(() => this.store.usage.compact());
    }
  }

  private record(round: SidecarRound, targets: readonly UsageTarget[]): void {
    const byKey = new Map(targets.map((t) => [t.key, t]));
    const owners = new Map<string, { resource: UsageResource; id: string; processes: ProcessSample[] }>();
    const overLimit: { worker: LocalWorker; limitMb: number; rssMb: number }[] = [];
    for (const { key, pid, ...numbers } of round.samples) {
      const target = byKey.get(key);
      if (!target) continue;
      const sample: ResourceSample = { time: round.time, ...numbers };
      for (const owner of target.owners) {
        const k = ownerKey(owner.resource, owner.id);
        const entry = owners.get(k) ?? { ...owner, processes: [] };
        entry.processes.push({ process: target.process, kind: target.kind, stage: target.stage, pid, sample });
        owners.set(k, entry);
      }
      if (target.worker) {
        const limitMb = target.worker.memoryLimitMb;
        if (limitMb !== null && sample.memoryMb > limitMb)
          overLimit.push({ worker: target.worker, limitMb, rssMb: sample.memoryMb });
      }
    }
    this.store.tx(() => {
      for (const { resource, id, processes } of owners.values()) {
        if (!this.exists(resource, id)) continue;
        const rows: NewUsageSample[] = processes.map((p) => ({ resource, ownerId: id, ...p }));
        this.store.usage.insert(rows);
        this.summarise(resource, id, processes, round.time);
        const data: UsageEventData = { processes };
        this.store.events.record(resource, 'usage', id, data);
      }
    });
    this.latestRound = new Map([...owners.entries()].map(([k, v]) => [k, v.processes]));
    for (const { worker, limitMb, rssMb } of overLimit) this.options.overMemoryLimit(worker, limitMb, rssMb);
  }

  /** The round's sums over what the resource counts, overall and (an endpoint's) per stage. */
  private summarise(resource: UsageResource, id: string, processes: readonly ProcessSample[], time: string): void {
    const counted = processes.filter((p) => p.kind === COUNTED[resource]);
    if (counted.length === 0) return;
    const scopes = new Map<string, ProcessSample[]>([['', counted]]);
    if (resource === 'endpoints') {
      for (const p of counted) if (p.stage) scopes.set(p.stage, [...(scopes.get(p.stage) ?? []), p]);
    }
    for (const [scope, list] of scopes) {
      const cpu = list.reduce((sum, p) => sum + p.sample.cpuPercent, 0);
      const memory = list.reduce((sum, p) => sum + p.sample.memoryMb, 0);
      this.store.usage.addRound(resource, id, scope, cpu, memory, time);
    }
  }

  private running(trainingId: string): boolean {
    const training = this.store.trainings.get(trainingId);
    return training !== undefined && !isSettled(trainingStates, training.state);
  }

  private exists(resource: UsageResource, id: string): boolean {
    if (resource === 'trainings') return this.store.trainings.get(id) !== undefined;
    if (resource === 'endpoints') return this.store.endpoints.get(id) !== undefined;
    return this.store.batchInferences.get(id) !== undefined;
  }
}

/** The sidecar's round (when it answered) and the processes pushed from clusters' nodes, as one round. */
function withRemote(
  sampled: SidecarRound | null,
  local: UsageTarget[],
  remote: readonly RemoteSample[],
): { round: SidecarRound | null; targets: UsageTarget[] } {
  if (remote.length === 0) return { round: sampled, targets: local };
  return {
    round: {
      time: sampled?.time ?? new Date().toISOString(),
      samples: [...(sampled?.samples ?? []), ...remote.map((r) => r.sample)],
      gone: sampled?.gone ?? [],
    },
    targets: [...local, ...remote.map((r) => r.target)],
  };
}
