import { type Translate, untranslated } from './feeds/protocol.js';
import { formatDuration } from './format.js';
import type { BatchProgress } from './schemas/batch-inferences.js';
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
  // an alert rule whose condition holds
  'FIRING',
]);
// a deactivated model version is at rest, as a stopped training is; so is a tuning's pruned trial
const STOPPED = new Set(['STOPPED', 'INACTIVE', 'PRUNED']);
const OK = new Set(['ACTIVE', 'COMPLETE', 'READY', 'RUNNING', 'REACHABLE', 'ALIVE', 'OK', 'RESOLVED']);

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

/**
 * A run of a schedule, or one of its steps: a SKIPPED run (overlap) is at rest like a stopped
 * one, QUEUED and PENDING are waiting (busy), and a RUNNING run is work going on (ok).
 */
export function runTone(state: string): Tone {
  if (state === 'SKIPPED') return 'stopped';
  return stateTone(state);
}

// grouped as the CLI prints counts: 12,000 (Korean groups the same way)
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A batch job's progress in one line: "12,000 / 50,000 · 3,100/s · ETA 12s · 4 bad"; before the
 * input is counted, "12,000 done". The parts the runner doesn't know yet are left out.
 */
export function batchProgressText(progress: BatchProgress, t: Translate = untranslated): string {
  const parts = [
    progress.total === null
      ? t('{0} done', count.format(progress.done))
      : t('{0} / {1}', count.format(progress.done), count.format(progress.total)),
  ];
  if (progress.rate !== null && progress.rate > 0) parts.push(t('{0}/s', count.format(progress.rate)));
  if (progress.etaSeconds !== null && progress.done !== progress.total)
    parts.push(t('ETA {0}', formatDuration(progress.etaSeconds)));
  if (progress.errors > 0) parts.push(t('{0} bad', count.format(progress.errors)));
  return parts.join(' · ');
}

/** The share done, 0 to 1; null until the input is counted (an empty input is done). */
export function batchFraction(progress: Pick<BatchProgress, 'done' | 'total'>): number | null {
  if (progress.total === null) return null;
  if (progress.total === 0) return 1;
  return Math.min(1, progress.done / progress.total);
}

/** The words batchProgressText passes to `t`, for the editors' catalogs (VIEW_STRINGS holds them). */
export const PROGRESS_STRINGS = ['{0} done', '{0} / {1}', '{0}/s', 'ETA {0}', '{0} bad'] as const;
