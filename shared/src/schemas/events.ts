import { type Static, Type } from '@sinclair/typebox';
import { MAX_OFFSET, Timestamp } from './common.js';
import type { InferenceLog } from './endpoints.js';

export const RESOURCES = [
  'environments',
  'experiments',
  'datasets',
  'recipes',
  'trainings',
  'models',
  'evaluations',
  'batch-inferences',
  'endpoints',
  'tensorboards',
  'clusters',
  'schedules',
  'alerts',
  'tunings',
] as const;
export type ResourceName = (typeof RESOURCES)[number];

/**
 * created / updated / deleted carry the resource as it is now (null when deleted);
 * `finished` marks a training that has settled (COMPLETE, FAIL TRAIN, STOPPED,
 * CREATE FAILED) or an evaluation that has (COMPLETE, FAILED, STOPPED), for the editors'
 * notifications; `metrics` carries a training's new
 * metric points (MetricsEventData) while it runs; `stats` carries an endpoint stage's
 * finished minute of traffic (StageMinute); `usage` carries one sampling round of a training's,
 * endpoint's or batch job's processes (UsageEventData); `alert` an alert rule firing or resolving
 * (AlertEvent), for the editors' notifications; `trial` a tuning's trial as it is now (TuningTrial), whenever
 * it starts, reports a new objective point, or ends (the tuning itself comes as `updated`).
 */
export const EVENT_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'finished',
  'metrics',
  'stats',
  'usage',
  'alert',
  'trial',
] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** One resource change, numbered in commit order; `seq` is what a reconnecting client resumes from. */
export const ResourceEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    time: Timestamp,
    resource: Type.Union(RESOURCES.map((r) => Type.Literal(r))),
    action: Type.Union(EVENT_ACTIONS.map((a) => Type.Literal(a))),
    id: Type.String(),
    data: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  },
  {},
);
export type ResourceEvent = Static<typeof ResourceEvent>;

/** What the bridge sends on /api/v1/events. */
export type EventMessage =
  /** First message: the newest seq, so a client knows where "now" is. */
  | { type: 'hello'; seq: number }
  | { type: 'event'; event: ResourceEvent }
  /** The asked-for `since` is older than the kept history: reload state, then go on from `seq`. */
  | { type: 'reset'; seq: number }
  /**
   * One inference log entry, live, to the clients that asked with `inferences=true`; not
   * numbered with the events (there may be thousands a second) and not replayed: read
   * them back with GET /api/v1/endpoints/{id}/logs.
   */
  | { type: 'inference'; log: InferenceLog };

export const EventsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_OFFSET, description: 'replay every event after this seq first' }),
    ),
    inferences: Type.Optional(Type.Boolean({ description: 'also send every inference log entry as it happens' })),
    token: Type.Optional(Type.String({ description: 'the bridge token, where a header cannot be set' })),
  },
  { additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;
