import { type AlertRule, type AlertSeries, isSettled, trainingStates } from '@emkit/shared';
import { HttpError, notFound } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { ALL_QUALITY_METRICS, type AlertSources } from './sources.js';

/** What a rule's series is read from. */
export const resourceKindOf = (series: AlertSeries): 'endpoints' | 'trainings' =>
  series.startsWith('training.') ? 'trainings' : 'endpoints';

export interface RuleTarget {
  resource: AlertRule['resource'];
  stage: string | null;
  feature: string | null;
  metric: string | null;
}

const bad = (message: string, field: string) => new HttpError(400, 'validation', message, field);

/**
 * A rule's target checked against what exists: the endpoint or training (404 naming it), the stage (404), and the
 * fields only some series take (400 naming the field). Gives the resource with its id and name as stored.
 */
export function checkTarget(
  store: Store,
  input: {
    series: AlertSeries;
    resource?: string | null;
    stage?: string | null;
    feature?: string | null;
    metric?: string | null;
  },
  sources: AlertSources = {},
): RuleTarget {
  const { series } = input;
  const kind = resourceKindOf(series);
  const stage = input.stage ?? null;
  const feature = input.feature ?? null;
  const metric = input.metric ?? null;
  if (feature !== null && series !== 'endpoint.featureDrift') {
    throw bad(`feature applies only to endpoint.featureDrift, not ${series}`, 'feature');
  }
  if (metric !== null && series !== 'endpoint.accuracy' && series !== 'training.nanLoss') {
    throw bad(`metric applies only to endpoint.accuracy and training.nanLoss, not ${series}`, 'metric');
  }
  if (kind === 'trainings') {
    if (stage !== null) throw bad(`stage applies only to endpoint and worker series, not ${series}`, 'stage');
    if (input.resource === undefined || input.resource === null) return { resource: null, stage, feature, metric };
    const training = store.trainings.get(input.resource);
    if (!training) throw notFound('training', input.resource);
    if (metric !== null && isSettled(trainingStates, training.state)) {
      // a settled training logs nothing more: a metric it lacks would never read
      const tags = store.metrics.tags(training.id);
      if (!tags.includes(metric)) {
        throw bad(
          `training "${training.name}" has no metric "${metric}"${tags.length ? ` (it has ${tags.join(', ')})` : ' (it logged none)'}`,
          'metric',
        );
      }
    }
    return { resource: { kind, id: training.id, name: training.name }, stage, feature, metric };
  }
  if (input.resource === undefined || input.resource === null) {
    throw bad(`${series} is read from an endpoint: give resource (its name or id)`, 'resource');
  }
  const endpoint = store.endpoints.get(input.resource);
  if (!endpoint) throw notFound('endpoint', input.resource);
  const stages = store.endpoints.stages(endpoint.id).filter((s) => stage === null || s.name === stage);
  if (stages.length === 0 && stage !== null) {
    throw new HttpError(404, 'not_found', `endpoint "${endpoint.name}" has no stage "${stage}"`, 'stage');
  }
  const where = `endpoint "${endpoint.name}"${stage ? ` stage "${stage}"` : ''}`;
  if (series === 'endpoint.featureDrift' || series === 'endpoint.predictionDrift') {
    if (!stages.some((s) => s.drift)) {
      throw bad(`${where} has no drift watch: give its stage one first (PATCH …/stages/{stage} with drift)`, 'series');
    }
    // the features a judged window has: a rule on another one would never read
    const window = feature === null ? null : sources.drift?.latest(endpoint.id, stage ?? undefined);
    if (window && window.features.length > 0 && !window.features.some((f) => f.feature === feature)) {
      const known = window.features.map((f) => f.feature).join(', ');
      throw bad(`${where} has no input feature "${feature}" (its drift watches ${known})`, 'feature');
    }
  }
  if (series === 'endpoint.accuracy') {
    if (metric === null) throw bad(`endpoint.accuracy needs metric: one of ${ALL_QUALITY_METRICS.join(', ')}`, 'metric');
    if (!ALL_QUALITY_METRICS.includes(metric)) {
      throw bad(`metric "${metric}" is not one of ${ALL_QUALITY_METRICS.join(', ')}`, 'metric');
    }
    const names = sources.modelQuality?.metricNames(endpoint.id, stage ?? undefined);
    if (names && !names.includes(metric)) {
      throw bad(`${where} is judged by ${names.join(' and ')} (its task's), not "${metric}"`, 'metric');
    }
    // labels are joined to logged predictions: without the log there is nothing to judge
    if (!stages.some((s) => s.payloadLogging.enabled)) {
      throw bad(`${where} logs no payloads, so feedback has nothing to join: turn payload logging on first`, 'series');
    }
  }
  return { resource: { kind, id: endpoint.id, name: endpoint.name }, stage, feature, metric };
}
