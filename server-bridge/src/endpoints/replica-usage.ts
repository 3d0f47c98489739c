import { createHmac, timingSafeEqual } from 'node:crypto';
import { addSecret } from '../runtime/secrets.js';
import type { ReplicaUsagePush } from './serve-pool.js';

/**
 * Where the Serve replicas of a stage on a Ray cluster push their resource usage (the bridge
 * can't see the cluster's nodes), and with what credential: one per stage, derived from the
 * bridge's own token (an HMAC, so it reveals nothing of it), so a restarted bridge accepts the
 * replicas it left running with no file to keep, and a new token (rotated) cuts them all off.
 */
export class ReplicaUsagePushes {
  /** the address the nodes reach the bridge at; set once it listens (until then, replicas don't push) */
  bridgeUrl = '';
  /** the bridge's usage interval: the replicas sample themselves as often (0: not at all) */
  everySeconds = 0;

  constructor(private readonly bridgeToken: string) {}

  /** The replicas' push config of a stage, or null while the bridge's address is unknown or usage is off. */
  configFor(endpointId: string, stageName: string, stageId: string): ReplicaUsagePush | null {
    if (!this.bridgeUrl || this.everySeconds <= 0) return null;
    const token = this.tokenFor(stageId);
    addSecret(token);
    const url = `${this.bridgeUrl}/api/v1/endpoints/${endpointId}/stages/${encodeURIComponent(stageName)}/push`;
    return { url, token, everySeconds: this.everySeconds };
  }

  /** Whether `presented` is the stage's push credential. */
  accepts(stageId: string, presented: string): boolean {
    const expected = Buffer.from(this.tokenFor(stageId));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private tokenFor(stageId: string): string {
    return createHmac('sha256', this.bridgeToken).update(`serve-replica-usage:${stageId}`).digest('hex');
  }
}
