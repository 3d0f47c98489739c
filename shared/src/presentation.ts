import type { EndpointStage, InstanceState } from './schemas/endpoints.js';
import type { Training } from './schemas/trainings.js';

/**
 * How the editors show a state: one tone per kind of situation, so every resource's
 * badge reads the same way in JupyterLab, VS Code and the CLI's colours.
 */
export type Tone = 'ok' | 'busy' | 'failed' | 'stopped';

// a cluster (or a node) the bridge can't reach is a failure to look at, like a failed deploy
const FAILED = new Set([
  'CREATE FAILED',
  'FAIL TRAIN',
  'DEPLOY FAILED',
  'UPDATE FAILED',
  'DELETE FAILED',
  'FAILED',
  'START FAILED',
  'UNREACHABLE',
  'DEAD',
]);
// a deactivated model version is at rest, as a stopped training is
const STOPPED = new Set(['STOPPED', 'INACTIVE']);
const OK = new Set(['ACTIVE', 'COMPLETE', 'READY', 'RUNNING', 'REACHABLE', 'ALIVE']);

/**
 * Any resource's, stage's or instance's state → its badge tone. A RUNNING training or
 * TensorBoard is healthy work in progress, so it reads `ok`; everything moving between
 * states (…IN PROGRESS, REQUESTED, STARTING, RESTARTING) reads `busy`.
 */
export function stateTone(state: string): Tone {
  if (FAILED.has(state)) return 'failed';
  if (STOPPED.has(state)) return 'stopped';
  if (OK.has(state)) return 'ok';
  return 'busy';
}

/** Seconds a training has run: start → end, or → now while it runs; null before it starts. */
export function trainingSeconds(training: Pick<Training, 'startedAt' | 'endedAt'>, now: number = Date.now()): number | null {
  if (!training.startedAt) return null;
  const start = Date.parse(training.startedAt);
  const end = training.endedAt ? Date.parse(training.endedAt) : now;
  return Math.max(0, (end - start) / 1000);
}

export interface StageHealth {
  ready: number;
  total: number;
  tone: Tone;
  /** each instance's state in index order, for per-instance dots */
  instances: readonly InstanceState[];
}

/** A stage's workers at a glance: "2/2 ready", failed when any worker gave up, busy while some come up. */
export function stageHealth(stage: Pick<EndpointStage, 'instances' | 'instanceCount'>): StageHealth {
  const instances = [...stage.instances].sort((a, b) => a.index - b.index).map((i) => i.state);
  const ready = instances.filter((s) => s === 'READY').length;
  const total = Math.max(stage.instanceCount, instances.length);
  let tone: Tone = 'ok';
  if (instances.includes('FAILED')) tone = 'failed';
  else if (ready < total) tone = instances.length > 0 && instances.every((s) => s === 'STOPPED') ? 'stopped' : 'busy';
  return { ready, total, tone, instances };
}
