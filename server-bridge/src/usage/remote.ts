import { HttpError } from '../server/errors.js';
import type { SidecarSample } from './sidecar.js';
import type { UsageTarget } from './targets.js';

/** A sample taken on a cluster's node and pushed here, with the series it belongs to. */
export interface RemoteSample {
  target: Omit<UsageTarget, 'worker'>;
  sample: SidecarSample;
}

interface Received extends RemoteSample {
  at: number;
}

/**
 * The latest sample of each process that runs on a Ray cluster's node, out of the sidecar's
 * sight (a cluster training's ranks and a cluster stage's Serve replicas sample their own
 * process trees there and push them): each
 * usage round takes those still fresh, so a rank that ended, or whose node was lost, drops out
 * of the round as a local process that ended does.
 */
export class RemoteUsage {
  private readonly latest = new Map<string, Received>();

  put(remote: RemoteSample, now = Date.now()): void {
    this.latest.set(remote.target.key, { ...remote, at: now });
  }

  /** Those received within `maxAgeMs`; the older ones are forgotten. */
  fresh(maxAgeMs: number, now = Date.now()): RemoteSample[] {
    const found: RemoteSample[] = [];
    for (const [key, { at, ...remote }] of this.latest) {
      if (now - at > maxAgeMs) this.latest.delete(key);
      else found.push(remote);
    }
    return found;
  }
}

const isCount = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;
const isAmount = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A pushed sample (a rank's, a replica's) as its node took it: the shared ResourceSample's numbers (no time: the round's) and the pid. */
export function checkPushedSample(body: unknown): Omit<SidecarSample, 'key'> {
  const usage = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const wrong = (field: string, what: string) => new HttpError(400, 'validation', `${field} must be ${what}`, field);
  if (!Number.isInteger(usage.pid) || (usage.pid as number) <= 0) throw wrong('pid', 'a positive integer');
  for (const field of ['cpuPercent', 'memoryMb']) if (!isAmount(usage[field])) throw wrong(field, 'a number ≥ 0');
  for (const field of ['threads', 'openFiles']) if (!isCount(usage[field])) throw wrong(field, 'an integer ≥ 0');
  for (const field of ['gpuPercent', 'gpuMemoryMb']) {
    if (usage[field] !== null && !isAmount(usage[field])) throw wrong(field, 'a number ≥ 0 or null');
  }
  return {
    pid: usage.pid as number,
    cpuPercent: usage.cpuPercent as number,
    memoryMb: usage.memoryMb as number,
    threads: usage.threads as number,
    openFiles: usage.openFiles as number,
    gpuPercent: usage.gpuPercent as number | null,
    gpuMemoryMb: usage.gpuMemoryMb as number | null,
  };
}
