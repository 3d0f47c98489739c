import { type Static, Type } from '@sinclair/typebox';
import { ListOf, MAX_OFFSET, Name, Timestamp } from './common.js';

/**
 * The series a rule may watch. `endpoint.*` read one endpoint (or one stage of it), over the
 * rule's duration; `worker.*` the largest of a stage's workers; `training.*` one training, or
 * every running training where the rule names none.
 */
export const ALERT_SERIES = [
  'endpoint.errorRate', // share (0..1) of answers with a 5xx status
  'endpoint.p99LatencyMs',
  'endpoint.requestsPerMinute', // with `<`: traffic dropping
  'endpoint.featureDrift', // PSI of `feature` (left out: the worst feature) in the latest judged window
  'endpoint.predictionDrift', // PSI of the predictions in the latest judged window
  'endpoint.accuracy', // `metric` (accuracy, f1, mae, rmse) of the latest window with feedback
  'worker.memoryMb',
  'worker.cpuPercent',
  'training.minutesSinceProgress', // minutes since its last log line or metric, while RUNNING
  'training.nanLoss', // 1 once a logged loss is NaN or infinite
] as const;
export type AlertSeries = (typeof ALERT_SERIES)[number];

export const ALERT_OPS = ['>', '>=', '<', '<='] as const;
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
/** A rule is OK until its condition has held for `forSeconds`, then FIRING until it no longer holds. */
export const ALERT_RULE_STATES = ['OK', 'FIRING'] as const;
export type AlertRuleState = (typeof ALERT_RULE_STATES)[number];

const forSeconds = (options: { default?: number }) =>
  Type.Integer({ minimum: 0, maximum: 604800, description: 'how long the condition must hold', ...options });
const severity = (options: { default?: string }) =>
  Type.Union(
    ALERT_SEVERITIES.map((s) => Type.Literal(s)),
    options,
  );

const RuleSettings = {
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  series: Type.Union(ALERT_SERIES.map((s) => Type.Literal(s))),
  resource: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
      description:
        'the endpoint or training (id or name) the series is read from; null/left out only for training.* (every running training)',
    }),
  ),
  stage: Type.Optional(Type.Union([Name, Type.Null()], { description: 'one stage of the endpoint (left out: all)' })),
  feature: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  metric: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 50 }), Type.Null()])),
  op: Type.Union(ALERT_OPS.map((o) => Type.Literal(o))),
  threshold: Type.Number(),
  forSeconds: Type.Optional(forSeconds({})),
  severity: Type.Optional(severity({})),
  webhook: Type.Optional(
    Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()], {
      description: 'an http(s) URL that gets each firing and resolving as a JSON POST (retried with backoff)',
    }),
  ),
  enabled: Type.Optional(Type.Boolean()),
};

// The defaults are the create's only: on the update, a default would be filled into every PATCH and undo what it
// leaves out (a PATCH of the webhook alone set forSeconds back to 60).
export const AlertRuleCreate = Type.Object(
  {
    name: Name,
    ...RuleSettings,
    forSeconds: Type.Optional(forSeconds({ default: 60 })),
    severity: Type.Optional(severity({ default: 'warning' })),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);
export type AlertRuleCreate = Static<typeof AlertRuleCreate>;

export const AlertRuleUpdate = Type.Partial(Type.Object(RuleSettings, { additionalProperties: false }), {
  additionalProperties: false,
  minProperties: 1,
});
export type AlertRuleUpdate = Static<typeof AlertRuleUpdate>;

export const AlertRule = Type.Object(
  {
    id: Type.String(),
    name: Name,
    description: Type.String(),
    series: Type.Union(ALERT_SERIES.map((s) => Type.Literal(s))),
    resource: Type.Union([
      Type.Object({
        kind: Type.Union([Type.Literal('endpoints'), Type.Literal('trainings')]),
        id: Type.String(),
        name: Type.String(),
      }),
      Type.Null(),
    ]),
    stage: Type.Union([Type.String(), Type.Null()]),
    feature: Type.Union([Type.String(), Type.Null()]),
    metric: Type.Union([Type.String(), Type.Null()]),
    op: Type.Union(ALERT_OPS.map((o) => Type.Literal(o))),
    threshold: Type.Number(),
    forSeconds: Type.Integer(),
    severity: Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s))),
    webhook: Type.Union([Type.String(), Type.Null()], { description: 'the URL with any user:password part hidden' }),
    enabled: Type.Boolean(),
    state: Type.Union(ALERT_RULE_STATES.map((s) => Type.Literal(s))),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'the series as last read (null: no data)' }),
    evaluatedAt: Type.Union([Timestamp, Type.Null()]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  {},
);
export type AlertRule = Static<typeof AlertRule>;

export const AlertRuleList = ListOf(AlertRule, 'AlertRule');
export type AlertRuleList = Static<typeof AlertRuleList>;

export const ALERT_EVENT_KINDS = ['FIRING', 'RESOLVED'] as const;
export type AlertEventKind = (typeof ALERT_EVENT_KINDS)[number];

/** A rule firing or resolving, kept as its history; on the event stream as resource `alerts`, action `alert`. */
export const AlertEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    ruleId: Type.String(),
    rule: Type.String({ description: "the rule's name" }),
    kind: Type.Union(ALERT_EVENT_KINDS.map((k) => Type.Literal(k))),
    severity: Type.Union(ALERT_SEVERITIES.map((s) => Type.Literal(s))),
    series: Type.Union(ALERT_SERIES.map((s) => Type.Literal(s))),
    resource: Type.Union([
      Type.Object({
        kind: Type.Union([Type.Literal('endpoints'), Type.Literal('trainings')]),
        id: Type.String(),
        name: Type.String(),
      }),
      Type.Null(),
    ]),
    value: Type.Union([Type.Number(), Type.Null()]),
    threshold: Type.Number(),
    message: Type.String({ description: 'in words, e.g. "endpoint iris: p99 latency 812 ms > 500 ms for 60 s"' }),
    webhook: Type.Union(
      [
        Type.Object({
          state: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]),
          attempts: Type.Integer({ minimum: 0 }),
          error: Type.Union([Type.String(), Type.Null()]),
        }),
        Type.Null(),
      ],
      { description: 'null: the rule has no webhook' },
    ),
    time: Timestamp,
  },
  {},
);
export type AlertEvent = Static<typeof AlertEvent>;

export const AlertEventQuery = Type.Object(
  {
    rule: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "a rule's id or name" })),
    kind: Type.Optional(Type.Union(ALERT_EVENT_KINDS.map((k) => Type.Literal(k)))),
    after: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
export type AlertEventQuery = Static<typeof AlertEventQuery>;

export const AlertEventList = Type.Object(
  { items: Type.Array(AlertEvent, { description: 'newest last' }) },
  { title: 'AlertEventList' },
);
export type AlertEventList = Static<typeof AlertEventList>;
