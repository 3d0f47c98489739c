import { type Translate, untranslated } from '../feeds/protocol.js';
import type { Cluster } from '../schemas/clusters.js';
import type { StageAutoscaling } from '../schemas/endpoints.js';
import type { PlacementStrategy } from '../schemas/trainings.js';

/**
 * The "Run on" choice of both editors' training and stage forms: this machine or one of the
 * clusters, with what a cluster adds (the placement strategy of a training's ranks, a stage's
 * autoscaling bounds). One rule here; each editor draws it its own way.
 */
export const RUN_ON_STRINGS = {
  runOn: 'Run on',
  thisMachine: 'This machine',
  cluster: '{0} ({1}, {2} nodes)',
  clusterDefault: '{0} ({1}, {2} nodes, default)',
  unavailable: '{0} ({1}): {2}',
  placement: 'Placement',
  spread: 'SPREAD: across nodes where it can',
  strictSpread: 'STRICT_SPREAD: each rank on its own node',
  pack: 'PACK: as few nodes as it can',
  minReplicas: 'Minimum replicas',
  maxReplicas: 'Maximum replicas',
  autoscalingHelp: 'optional, on a cluster: Ray Serve keeps the replicas between the two',
  bounds: 'Autoscaling: give both minimum and maximum replicas, or neither.',
  boundNumber: 'Autoscaling: "{0}" is not a whole number from {1} to 16.',
  boundOrder: 'Autoscaling: the minimum ({0}) is more than the maximum ({1}).',
  localScaling: 'Autoscaling is for a stage on a cluster: choose one under "Run on", or leave the replicas empty.',
} as const;

/** The choice's value for this machine (a cluster's is its name, never empty). */
export const THIS_MACHINE = '';

export interface RunOnChoice {
  value: string;
  label: string;
  /** a cluster the bridge can't use now: shown, not choosable */
  disabled: boolean;
}

export const PLACEMENT_STRATEGIES: readonly PlacementStrategy[] = ['SPREAD', 'STRICT_SPREAD', 'PACK'];

export class RunOnError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunOnError';
  }
}

/** What the bridge says a cluster it can't use is, when it gives no reason of its own. */
function reasonOf(cluster: Cluster): string {
  return cluster.stateReason ?? cluster.state;
}

/**
 * This machine, then every cluster by name with its state: a REACHABLE one is choosable, any
 * other is shown with why not. The initial choice is the default cluster when it can be used,
 * else this machine; a copy passes `ranOn` (where the original ran: a cluster's name, null for
 * this machine) and starts there instead when it can.
 */
export function runOnChoices(
  clusters: readonly Cluster[],
  t: Translate = untranslated,
  ranOn?: string | null,
): { choices: RunOnChoice[]; initial: string } {
  const sorted = [...clusters].sort((a, b) => a.name.localeCompare(b.name));
  const choices: RunOnChoice[] = [
    { value: THIS_MACHINE, label: t(RUN_ON_STRINGS.thisMachine), disabled: false },
    ...sorted.map((cluster): RunOnChoice => {
      const usable = cluster.state === 'REACHABLE';
      const alive = cluster.nodes.filter((n) => n.alive).length;
      const label = !usable
        ? t(RUN_ON_STRINGS.unavailable, cluster.name, cluster.state, reasonOf(cluster))
        : t(cluster.isDefault ? RUN_ON_STRINGS.clusterDefault : RUN_ON_STRINGS.cluster, cluster.name, cluster.state, alive);
      return { value: cluster.name, label, disabled: !usable };
    }),
  ];
  if (ranOn === null) return { choices, initial: THIS_MACHINE };
  const usable = (c: Cluster) => c.state === 'REACHABLE';
  const preferred = sorted.find((c) => (ranOn === undefined ? c.isDefault : c.name === ranOn) && usable(c));
  return { choices, initial: preferred?.name ?? THIS_MACHINE };
}

/** The placement strategies as [value, label] for a select or a quick pick. */
export function placementChoices(t: Translate = untranslated): [PlacementStrategy, string][] {
  const labels: Record<PlacementStrategy, string> = {
    SPREAD: RUN_ON_STRINGS.spread,
    STRICT_SPREAD: RUN_ON_STRINGS.strictSpread,
    PACK: RUN_ON_STRINGS.pack,
  };
  return PLACEMENT_STRATEGIES.map((s) => [s, t(labels[s])]);
}

/**
 * What a training's body gets from the choice: this machine is said outright (`cluster: null`,
 * so a default cluster doesn't take it), a cluster with its placement strategy.
 */
export function trainingTarget(
  runOn: string,
  placement?: string,
): { cluster: string | null; placementStrategy?: PlacementStrategy } {
  if (runOn === THIS_MACHINE) return { cluster: null };
  const strategy = PLACEMENT_STRATEGIES.find((s) => s === placement);
  return { cluster: runOn, ...(strategy ? { placementStrategy: strategy } : {}) };
}

function bound(text: string, minimum: number, t: Translate): number {
  if (!/^\d+$/.test(text) || Number(text) < minimum || Number(text) > 16) {
    throw new RunOnError(t(RUN_ON_STRINGS.boundNumber, text, minimum));
  }
  return Number(text);
}

/**
 * What a stage's body gets from the choice and the two replica boxes (empty: no autoscaling).
 * Throws a RunOnError in the front end's language when the bounds don't make sense.
 */
export function stageTarget(
  runOn: string,
  minReplicas = '',
  maxReplicas = '',
  t: Translate = untranslated,
): { cluster: string | null; autoscaling?: StageAutoscaling } {
  const min = minReplicas.trim();
  const max = maxReplicas.trim();
  if (!min && !max) return { cluster: runOn === THIS_MACHINE ? null : runOn };
  if (runOn === THIS_MACHINE) throw new RunOnError(t(RUN_ON_STRINGS.localScaling));
  if (!min || !max) throw new RunOnError(t(RUN_ON_STRINGS.bounds));
  const autoscaling = { minReplicas: bound(min, 0, t), maxReplicas: bound(max, 1, t) };
  if (autoscaling.minReplicas > autoscaling.maxReplicas) {
    throw new RunOnError(t(RUN_ON_STRINGS.boundOrder, autoscaling.minReplicas, autoscaling.maxReplicas));
  }
  return { cluster: runOn, autoscaling };
}
