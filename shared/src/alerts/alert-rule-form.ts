import { type Translate, untranslated } from '../feeds/protocol.js';
import { ALERT_OPS, ALERT_SEVERITIES, type AlertRule, type AlertRuleCreate, type AlertSeries } from '../schemas/alerts.js';
import { NAME_PATTERN } from '../schemas/common.js';

/**
 * The "Add Alert…" form of both editors: which series a rule on an endpoint or a training may
 * watch, in words, with a sensible first threshold each; and the check of what was typed. One
 * rule here; JupyterLab draws it as a dialog, VS Code as quick picks and input boxes.
 */
export const ALERT_FORM_STRINGS = {
  'endpoint.errorRate': 'Error rate (share of 5xx answers, 0 to 1)',
  'endpoint.p99LatencyMs': 'p99 latency (ms)',
  'endpoint.requestsPerMinute': 'Requests per minute',
  'endpoint.featureDrift': "A feature's drift (PSI)",
  'endpoint.predictionDrift': "The predictions' drift (PSI)",
  'endpoint.accuracy': 'Accuracy from feedback',
  'worker.memoryMb': "A worker's memory (MB)",
  'worker.cpuPercent': "A worker's CPU (%)",
  'training.minutesSinceProgress': 'Minutes with no new log line or metric',
  'training.nanLoss': 'A NaN or infinite loss',
  name: 'The rule name is lower-case letters, digits, "-" and "_" (at most 50), starting with a letter or digit.',
  threshold: 'The threshold is a number.',
  forSeconds: 'The duration is a whole number of seconds from 0 to 604800.',
  webhook: 'The webhook is an http:// or https:// address, or empty for none.',
  held: 'for {0} s',
  stage: 'stage {0}',
} as const;

export const ENDPOINT_ALERT_SERIES: readonly AlertSeries[] = [
  'endpoint.errorRate',
  'endpoint.p99LatencyMs',
  'endpoint.requestsPerMinute',
  'endpoint.featureDrift',
  'endpoint.predictionDrift',
  'endpoint.accuracy',
  'worker.memoryMb',
  'worker.cpuPercent',
];
export const TRAINING_ALERT_SERIES: readonly AlertSeries[] = ['training.minutesSinceProgress', 'training.nanLoss'];

/** The condition a new rule starts from: the direction that is bad news, and a common first threshold. */
const STARTS: Record<AlertSeries, { op: AlertRuleCreate['op']; threshold: number }> = {
  'endpoint.errorRate': { op: '>', threshold: 0.05 },
  'endpoint.p99LatencyMs': { op: '>', threshold: 500 },
  'endpoint.requestsPerMinute': { op: '<', threshold: 1 },
  'endpoint.featureDrift': { op: '>', threshold: 0.2 },
  'endpoint.predictionDrift': { op: '>', threshold: 0.2 },
  'endpoint.accuracy': { op: '<', threshold: 0.8 },
  'worker.memoryMb': { op: '>', threshold: 1024 },
  'worker.cpuPercent': { op: '>', threshold: 90 },
  'training.minutesSinceProgress': { op: '>', threshold: 10 },
  'training.nanLoss': { op: '>=', threshold: 1 },
};

/** The series' words, for a picker. */
export function alertSeriesLabel(series: AlertSeries, t: Translate = untranslated): string {
  return t(ALERT_FORM_STRINGS[series]);
}

/** A rule's condition in a few words: "p99 latency (ms) > 500 for 60 s · stage prod". */
export function alertConditionInWords(
  rule: Pick<AlertRule, 'series' | 'op' | 'threshold' | 'forSeconds' | 'stage' | 'feature' | 'metric'>,
  t: Translate = untranslated,
): string {
  const what = rule.feature ?? rule.metric;
  const parts = [
    `${alertSeriesLabel(rule.series, t)}${what ? ` (${what})` : ''} ${rule.op} ${rule.threshold} ${t(ALERT_FORM_STRINGS.held, rule.forSeconds)}`,
    rule.stage ? t(ALERT_FORM_STRINGS.stage, rule.stage) : null,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The form's entries, as typed. */
export interface AlertRuleValues {
  name: string;
  series: AlertSeries;
  /** one stage of the endpoint; empty: all */
  stage: string;
  /** endpoint.featureDrift: one feature; empty: the worst */
  feature: string;
  /** endpoint.accuracy: accuracy, f1, mae or rmse */
  metric: string;
  op: AlertRuleCreate['op'];
  threshold: string;
  forSeconds: string;
  severity: NonNullable<AlertRuleCreate['severity']>;
  webhook: string;
}

const SHORT: Record<AlertSeries, string> = {
  'endpoint.errorRate': 'errors',
  'endpoint.p99LatencyMs': 'latency',
  'endpoint.requestsPerMinute': 'traffic',
  'endpoint.featureDrift': 'drift',
  'endpoint.predictionDrift': 'prediction-drift',
  'endpoint.accuracy': 'accuracy',
  'worker.memoryMb': 'memory',
  'worker.cpuPercent': 'cpu',
  'training.minutesSinceProgress': 'stalled',
  'training.nanLoss': 'nan-loss',
};

/** A rule name from the resource and the series, within the name rule ("iris-latency"). */
export function alertRuleName(resource: string, series: AlertSeries, stage = ''): string {
  const base = [resource, stage, SHORT[series]].filter(Boolean).join('-');
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^[-_]+/, '')
      .slice(0, 50)
      .replace(/[-_]+$/, '') || 'alert'
  );
}

/** The form as it opens on a resource (and a stage of it), for a series. */
export function alertRuleValues(resource: string, series: AlertSeries, stage = ''): AlertRuleValues {
  const start = STARTS[series];
  return {
    name: alertRuleName(resource, series, stage),
    series,
    stage,
    feature: '',
    metric: series === 'endpoint.accuracy' ? 'accuracy' : '',
    op: start.op,
    threshold: String(start.threshold),
    forSeconds: '60',
    severity: 'warning',
    webhook: '',
  };
}

/** A series' first threshold and direction: the form takes them when the series is changed. */
export function alertSeriesStart(series: AlertSeries): { op: AlertRuleCreate['op']; threshold: string } {
  return { op: STARTS[series].op, threshold: String(STARTS[series].threshold) };
}

export type AlertRuleResult = { ok: true; body: AlertRuleCreate } | { ok: false; message: string; field: keyof AlertRuleValues };

/** The create body for the form's entries on a resource (its id), or the first wrong entry in words. */
export function alertRuleFrom(resourceId: string, values: AlertRuleValues, t: Translate = untranslated): AlertRuleResult {
  const name = values.name.trim();
  if (!new RegExp(NAME_PATTERN).test(name)) return { ok: false, message: t(ALERT_FORM_STRINGS.name), field: 'name' };
  const threshold = Number(values.threshold.trim());
  if (values.threshold.trim() === '' || !Number.isFinite(threshold))
    return { ok: false, message: t(ALERT_FORM_STRINGS.threshold), field: 'threshold' };
  const forSeconds = Number(values.forSeconds.trim() || '0');
  if (!(Number.isInteger(forSeconds) && forSeconds >= 0 && forSeconds <= 604800))
    return { ok: false, message: t(ALERT_FORM_STRINGS.forSeconds), field: 'forSeconds' };
  const webhook = values.webhook.trim();
  if (webhook && !/^https?:\/\/[^\s/]/i.test(webhook))
    return { ok: false, message: t(ALERT_FORM_STRINGS.webhook), field: 'webhook' };
  const op = (ALERT_OPS as readonly string[]).includes(values.op) ? values.op : STARTS[values.series].op;
  const severity = (ALERT_SEVERITIES as readonly string[]).includes(values.severity) ? values.severity : 'warning';
  const body: AlertRuleCreate = {
    name,
    series: values.series,
    resource: resourceId,
    op,
    threshold,
    forSeconds,
    severity,
    ...(values.stage.trim() && !values.series.startsWith('training.') ? { stage: values.stage.trim() } : {}),
    ...(values.series === 'endpoint.featureDrift' && values.feature.trim() ? { feature: values.feature.trim() } : {}),
    ...(values.series === 'endpoint.accuracy' ? { metric: values.metric.trim() || 'accuracy' } : {}),
    ...(webhook ? { webhook } : {}),
  };
  return { ok: true, body };
}
