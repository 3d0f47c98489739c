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
 * sight (a cluster training's ranks sample their own process trees there and push them): each
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
