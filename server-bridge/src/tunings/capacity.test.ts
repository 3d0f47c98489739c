import type { ClusterNode, ClusterState } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { CPUS_PER_RANK } from '../trainings/cluster-run.js';
import { cpusPerTrial, TRIAL_RANKS, trialsAtOnce } from './capacity.js';

const node = (cpus: number, alive = true, head = false): ClusterNode => ({
  id: `n${cpus}${alive}${head}`,
  address: '127.0.0.1',
  head,
  alive,
  state: alive ? 'ALIVE' : 'DEAD',
  cpus,
  gpus: 0,
  memoryBytes: 1 << 30,
  objectStoreBytes: 1 << 28,
});

const cluster = (nodes: ClusterNode[], state: ClusterState = 'REACHABLE') => ({ name: 'tc', state, nodes });

describe('trialsAtOnce', () => {
  it('asks of a cluster what a cluster training asks: its ranks × the CPUs of a rank', () => {
    expect(cpusPerTrial()).toBe(TRIAL_RANKS * CPUS_PER_RANK);
    expect(cpusPerTrial(4)).toBe(4 * CPUS_PER_RANK);
  });

  it('is parallel without a cluster, and on a cluster that holds at least that many', () => {
    expect(trialsAtOnce(3, undefined)).toEqual({ atOnce: 3, reason: null });
    expect(trialsAtOnce(2, cluster([node(2, true, true)]), 1)).toEqual({ atOnce: 2, reason: null });
    expect(trialsAtOnce(2, cluster([node(1, true, true), node(4)]), 1)).toEqual({ atOnce: 2, reason: null });
  });

  it("is the cluster's alive CPUs over a trial's when they hold fewer than parallel, and says so", () => {
    expect(trialsAtOnce(4, cluster([node(2, true, true)]), 1)).toEqual({
      atOnce: 2,
      reason: 'up to 2 trials at once (parallel 4): cluster "tc" has 2 CPUs alive, a trial asks 1 CPU',
    });
    // a dead node's CPUs don't count; what is left over from a trial doesn't make one
    expect(trialsAtOnce(8, cluster([node(2, true, true), node(4, false), node(3)]), 2)).toEqual({
      atOnce: 2,
      reason: 'up to 2 trials at once (parallel 8): cluster "tc" has 5 CPUs alive, a trial asks 2 CPUs',
    });
    expect(trialsAtOnce(3, cluster([node(1, true, true)]), 1).atOnce).toBe(1);
    expect(trialsAtOnce(3, cluster([node(1, true, true)]), 1).reason).toMatch(/^up to 1 trial at once/);
    // fractional CPUs (Ray allows them) without float error
    expect(trialsAtOnce(8, cluster([node(0.3, true, true), node(0.3), node(0.3)]), 0.1).atOnce).toBe(8);
    expect(trialsAtOnce(16, cluster([node(0.3, true, true), node(0.3), node(0.3)]), 0.1).atOnce).toBe(9);
  });

  it('is 0 while the cluster has no room for one trial: the tuning waits, and says why', () => {
    expect(trialsAtOnce(2, cluster([node(0, true, true)]), 1)).toEqual({
      atOnce: 0,
      reason: 'no trial starts: cluster "tc" has 0 CPUs alive, a trial asks 1 CPU; waiting for room for one',
    });
    expect(trialsAtOnce(2, cluster([node(2, false, true)]), 1).atOnce).toBe(0);
    expect(trialsAtOnce(2, cluster([node(1, true, true)]), 2).atOnce).toBe(0);
  });

  it("caps nothing while the cluster isn't REACHABLE: its trials' trainings are made, or refused, as any", () => {
    for (const state of ['CONNECTING', 'UNREACHABLE', 'STARTING', 'STOPPED', 'START FAILED'] as ClusterState[]) {
      expect(trialsAtOnce(4, cluster([node(1, false, true)], state), 1)).toEqual({ atOnce: 4, reason: null });
    }
  });
});
