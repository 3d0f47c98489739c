import type { AlertEvent } from '@emkit/shared';
import type { AlertRuleRecord } from '../store/alerts.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import type { AlertSources } from './sources.js';
import { MAX_WINDOW_MS, type TrafficWindows } from './traffic-window.js';
import { minutesSinceProgress, nonFiniteLoss, runningTrainings } from './training-progress.js';

export interface SeriesReading {
  /** null: no data (never fires) */
  value: number | null;
  /** what the value came from: the rule's resource, or the worst running training of a rule that names none */
  resource: AlertEvent['resource'];
  /** said in the message after the subject, e.g. "loss at step 12" */
  detail?: string;
  /** a window not yet covered (a new rule, a restarted bridge): the rule's state is left as it is */
  warming?: boolean;
}

/** Endpoint traffic series are read over a rolling window, not held point by point. */
export const isWindowed = (rule: Pick<AlertRuleRecord, 'series'>) =>
  rule.series === 'endpoint.errorRate' || rule.series === 'endpoint.p99LatencyMs' || rule.series === 'endpoint.requestsPerMinute';

/** The window of a windowed series: its duration, at least one tick, at most MAX_WINDOW_MS. */
export const windowOf = (rule: Pick<AlertRuleRecord, 'forSeconds'>, tickMs: number) =>
  Math.min(MAX_WINDOW_MS, Math.max(tickMs, rule.forSeconds * 1000));

export interface SeriesDeps {
  store: Store;
  windows: TrafficWindows;
  sources: AlertSources;
  tickMs: number;
}

/** Reads the value of a rule's series now. */
export async function readSeries(rule: AlertRuleRecord, at: number, deps: SeriesDeps): Promise<SeriesReading> {
  const resource = rule.resource;
  const stage = rule.stage ?? undefined;
  const none = { value: null, resource };
  // a deleted endpoint has nothing to read (no traffic is not "0 requests a minute" then)
  if (resource?.kind === 'endpoints' && !deps.store.endpoints.get(resource.id)) return none;
  switch (rule.series) {
    case 'endpoint.errorRate':
    case 'endpoint.p99LatencyMs':
    case 'endpoint.requestsPerMinute': {
      if (!resource) return none;
      const window = deps.windows.read(resource.id, rule.stage, windowOf(rule, deps.tickMs), at);
      if (!window) return { ...none, warming: true };
      if (rule.series === 'endpoint.requestsPerMinute') return { value: (window.count * 60_000) / window.spanMs, resource };
      if (window.count === 0) return none;
      if (rule.series === 'endpoint.errorRate') return { value: window.serverErrors / window.count, resource };
      return { value: window.p99, resource };
    }
    case 'endpoint.featureDrift':
    case 'endpoint.predictionDrift': {
      if (!resource || !deps.sources.drift) return none;
      const window = deps.sources.drift.latest(resource.id, stage);
      if (!window?.judged) return none;
      if (rule.series === 'endpoint.predictionDrift') return { value: window.prediction?.psi ?? null, resource };
      const features = rule.feature ? window.features.filter((f) => f.feature === rule.feature) : window.features;
      const worst = features.reduce<(typeof features)[number] | null>((w, f) => (w === null || f.psi > w.psi ? f : w), null);
      return worst ? { value: worst.psi, resource, detail: rule.feature ? undefined : `worst feature ${worst.feature}` } : none;
    }
    case 'endpoint.accuracy': {
      if (!resource || !deps.sources.modelQuality || !rule.metric) return none;
      return { value: deps.sources.modelQuality.latest(resource.id, stage, rule.metric)?.value ?? null, resource };
    }
    case 'worker.memoryMb':
    case 'worker.cpuPercent': {
      if (!resource || !deps.sources.usage) return none;
      const workers = deps.sources.usage.latest('endpoints', resource.id, stage).filter((p) => p.kind === 'worker');
      if (workers.length === 0) return none;
      const pick = (s: (typeof workers)[number]['sample']) => (rule.series === 'worker.memoryMb' ? s.memoryMb : s.cpuPercent);
      return { value: Math.max(...workers.map((w) => pick(w.sample))), resource };
    }
    case 'training.minutesSinceProgress':
    case 'training.nanLoss':
      return readTrainings(rule, at, deps);
  }
}

/** One training's value, or the worst of every running one when the rule names none. */
async function readTrainings(rule: AlertRuleRecord, at: number, deps: SeriesDeps): Promise<SeriesReading> {
  const named = rule.resource ? deps.store.trainings.get(rule.resource.id) : undefined;
  if (rule.resource && !named) return { value: null, resource: rule.resource };
  const trainings = named ? [named] : runningTrainings(deps.store);
  let worst: SeriesReading = { value: null, resource: rule.resource };
  for (const training of trainings) {
    const reading = await readTraining(rule, training, at, deps);
    if (reading.value !== null && (worst.value === null || reading.value > worst.value)) worst = reading;
  }
  return worst;
}

async function readTraining(
  rule: AlertRuleRecord,
  training: TrainingRecord,
  at: number,
  deps: SeriesDeps,
): Promise<SeriesReading> {
  const resource = { kind: 'trainings' as const, id: training.id, name: training.name };
  if (rule.series === 'training.minutesSinceProgress') return { value: await minutesSinceProgress(training, at), resource };
  const bad = nonFiniteLoss(deps.store, training.id, rule.metric);
  return { value: bad ? 1 : 0, resource, detail: bad ? `${bad.tag} at step ${bad.step}` : undefined };
}
