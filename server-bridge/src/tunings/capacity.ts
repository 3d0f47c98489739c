import type { Cluster } from '@emkit/shared';
import { CPUS_PER_RANK } from '../trainings/cluster-run.js';

/** A trial's training has one rank (a tuning gives its trials no `instanceCount`). */
export const TRIAL_RANKS = 1;

/** What one trial asks of a Ray cluster: its ranks, each holding CPUS_PER_RANK CPUs, as a cluster training does. */
export const cpusPerTrial = (ranks = TRIAL_RANKS) => ranks * CPUS_PER_RANK;

export interface TrialsAtOnce {
  /** how many trials may run at once now */
  atOnce: number;
  /** why fewer than `parallel` (the tuning's stateReason while it runs); null when `parallel` is the limit */
  reason: string | null;
}

/**
 * How many trials a tuning runs at once: `parallel`, and on a REACHABLE cluster no more than its alive nodes'
 * CPUs hold (a trial asks `perTrial`): more would only wait in Ray's queue, each with its time limit running.
 * A cluster in any other state (or gone) caps nothing: the trial's training is made, or refused, as any.
 */
export function trialsAtOnce(
  parallel: number,
  cluster: Pick<Cluster, 'name' | 'state' | 'nodes'> | undefined,
  perTrial = cpusPerTrial(),
): TrialsAtOnce {
  if (cluster?.state !== 'REACHABLE') return { atOnce: parallel, reason: null };
  const cpus = cluster.nodes.filter((n) => n.alive).reduce((sum, n) => sum + n.cpus, 0);
  const capacity = Math.floor(cpus / perTrial + 1e-9);
  if (capacity >= parallel) return { atOnce: parallel, reason: null };
  const asks = `a trial asks ${figure(perTrial)} CPU${perTrial === 1 ? '' : 's'}`;
  const has = `cluster "${cluster.name}" has ${figure(cpus)} CPU${cpus === 1 ? '' : 's'} alive`;
  if (capacity === 0) return { atOnce: 0, reason: `no trial starts: ${has}, ${asks}; waiting for room for one` };
  const upTo = `up to ${capacity} trial${capacity === 1 ? '' : 's'} at once (parallel ${parallel})`;
  return { atOnce: capacity, reason: `${upTo}: ${has}, ${asks}` };
}

const figure = (n: number) => String(Number(n.toPrecision(6)));
