import type { AlertEvent, AlertEventKind, AlertRule, AlertRuleState } from '@emkit/shared';
import type Database from 'better-sqlite3';
import type { EventLog } from './events.js';
import { BY_ID_OR_NAME, newId, now } from './rows.js';

interface RuleRow {
  id: string;
  name: string;
  description: string;
  series: AlertRule['series'];
  resource_kind: 'endpoints' | 'trainings' | null;
  resource_id: string | null;
  resource_name: string | null;
  stage: string | null;
  feature: string | null;
  metric: string | null;
  op: AlertRule['op'];
  threshold: number;
  for_seconds: number;
  severity: AlertRule['severity'];
  webhook: string | null;
  enabled: number;
  state: AlertRuleState;
  created_at: string;
  updated_at: string;
}

interface EventRow {
  seq: number;
  rule_id: string;
  rule: string;
  kind: AlertEventKind;
  severity: AlertEvent['severity'];
  series: AlertEvent['series'];
  resource: string | null;
  value: number | null;
  threshold: number;
  message: string;
  webhook: string | null;
  time: string;
}

/** A rule as stored: the API's shape less what the evaluator reads live, with the webhook's full URL. */
export interface AlertRuleRecord extends Omit<AlertRule, 'value' | 'evaluatedAt' | 'webhook'> {
  /** the URL as given, credentials included: for the sender only (the API shows it hidden) */
  webhook: string | null;
}

/** The series as the evaluator last read it (not stored: a restart reads it again at its first tick). */
export interface AlertReading {
  value: number | null;
  evaluatedAt: string | null;
}

/** The API's rule: the record with its live reading and the webhook's credentials hidden. */
export type RuleView = (record: AlertRuleRecord) => AlertRule;

export type NewAlertRule = Omit<AlertRuleRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type AlertRuleChanges = Partial<Omit<AlertRuleRecord, 'id' | 'name' | 'createdAt' | 'updatedAt'>>;
export type NewAlertEvent = Omit<AlertEvent, 'seq'>;

/** How many events are kept, all rules together; older ones are pruned. */
export const ALERT_EVENTS_KEPT = 100_000;

const toRecord = (row: RuleRow): AlertRuleRecord => ({
  id: row.id,
  name: row.name,
  description: row.description,
  series: row.series,
  resource:
    row.resource_kind && row.resource_id
      ? { kind: row.resource_kind, id: row.resource_id, name: row.resource_name ?? row.resource_id }
      : null,
  stage: row.stage,
  feature: row.feature,
  metric: row.metric,
  op: row.op,
  threshold: row.threshold,
  forSeconds: row.for_seconds,
  severity: row.severity,
  webhook: row.webhook,
  enabled: row.enabled === 1,
  state: row.state,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toEvent = (row: EventRow): AlertEvent => ({
  seq: row.seq,
  ruleId: row.rule_id,
  rule: row.rule,
  kind: row.kind,
  severity: row.severity,
  series: row.series,
  resource: row.resource === null ? null : (JSON.parse(row.resource) as AlertEvent['resource']),
  value: row.value,
  threshold: row.threshold,
  message: row.message,
  webhook: row.webhook === null ? null : (JSON.parse(row.webhook) as AlertEvent['webhook']),
  time: row.time,
});

/**
 * Alert rules and their history. A rule's change records an `alerts` event with its view; a rule firing or
 * resolving records its AlertEvent as action `alert` (what the editors notify), in the same transaction.
 */
export class AlertsRepository {
  private readonly byKey;
  private readonly all;
  private readonly page;
  private readonly count;
  private readonly insertRow;
  private readonly updateRow;
  private readonly deleteRow;
  private readonly insertEventRow;
  private readonly updateEventWebhook;
  private readonly eventBySeq;
  private readonly eventsAfter;
  private readonly eventsHead;
  private readonly pruneEvents;
  private eventWrites = 0;

  constructor(
    db: Database.Database,
    private readonly events: EventLog,
  ) {
    this.byKey = db.prepare<{ key: string }, RuleRow>(`SELECT * FROM alert_rules WHERE ${BY_ID_OR_NAME}`);
    this.all = db.prepare<[], RuleRow>('SELECT * FROM alert_rules ORDER BY created_at, rowid');
    this.page = db.prepare<[number, number], RuleRow>(
      'SELECT * FROM alert_rules ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alert_rules');
    const columns = `description = @description, series = @series, resource_kind = @resourceKind,
      resource_id = @resourceId, resource_name = @resourceName, stage = @stage, feature = @feature, metric = @metric,
      op = @op, threshold = @threshold, for_seconds = @forSeconds, severity = @severity, webhook = @webhook,
      enabled = @enabled, state = @state, updated_at = @updatedAt`;
    this.insertRow = db.prepare(
      `INSERT INTO alert_rules (id, name, description, series, resource_kind, resource_id, resource_name, stage, feature,
         metric, op, threshold, for_seconds, severity, webhook, enabled, state, created_at, updated_at)
       VALUES (@id, @name, @description, @series, @resourceKind, @resourceId, @resourceName, @stage, @feature,
         @metric, @op, @threshold, @forSeconds, @severity, @webhook, @enabled, @state, @createdAt, @updatedAt)`,
    );
    this.updateRow = db.prepare(`UPDATE alert_rules SET ${columns} WHERE id = @id`);
    this.deleteRow = db.prepare('DELETE FROM alert_rules WHERE id = ?');
    this.insertEventRow = db.prepare<
      [string, string, string, string, string, string | null, number | null, number, string, string | null, string],
      EventRow
    >(
      `INSERT INTO alert_events (rule_id, rule, kind, severity, series, resource, value, threshold, message, webhook, time)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.updateEventWebhook = db.prepare<[string, number]>('UPDATE alert_events SET webhook = ? WHERE seq = ?');
    this.eventBySeq = db.prepare<[number], EventRow>('SELECT * FROM alert_events WHERE seq = ?');
    this.eventsAfter = db.prepare<
      { after: number; rule: string | null; kind: string | null; limit: number; newest: number },
      EventRow
    >(
      // the newest `limit` after `after` when asked for the latest (newest = 1), else the oldest ones after it
      `SELECT * FROM (
         SELECT * FROM alert_events
          WHERE seq > @after AND (@rule IS NULL OR rule_id = @rule) AND (@kind IS NULL OR kind = @kind)
          ORDER BY CASE WHEN @newest = 1 THEN -seq ELSE seq END LIMIT @limit)
       ORDER BY seq`,
    );
    this.eventsHead = db.prepare<[], { seq: number | null }>('SELECT max(seq) AS seq FROM alert_events');
    this.pruneEvents = db.prepare<[number]>('DELETE FROM alert_events WHERE seq <= ?');
  }

  get(key: string): AlertRuleRecord | undefined {
    const row = this.byKey.get({ key });
    return row && toRecord(row);
  }

  /** Newest first, as the API lists them. */
  list(limit: number, offset: number): { items: AlertRuleRecord[]; total: number } {
    return { items: this.page.all(limit, offset).map(toRecord), total: this.count.get()?.n ?? 0 };
  }

  everyRule(): AlertRuleRecord[] {
    return this.all.all().map(toRecord);
  }

  insert(input: NewAlertRule, view: RuleView): AlertRuleRecord {
    const time = now();
    const record: AlertRuleRecord = { ...input, id: newId(), createdAt: time, updatedAt: time };
    this.insertRow.run(this.toParams(record));
    this.events.record('alerts', 'created', record.id, view(record));
    return record;
  }

  update(current: AlertRuleRecord, changes: AlertRuleChanges, view: RuleView): AlertRuleRecord {
    const next: AlertRuleRecord = { ...current, ...changes, updatedAt: now() };
    this.updateRow.run(this.toParams(next));
    this.events.record('alerts', 'updated', next.id, view(next));
    return next;
  }

  delete(id: string): void {
    this.deleteRow.run(id);
    this.events.record('alerts', 'deleted', id, null);
  }

  /** Call inside a transaction: the rule's new state, its event kept and put on the stream (action `alert`). */
  recordEvent(event: NewAlertEvent): AlertEvent {
    const row = this.insertEventRow.get(
      event.ruleId,
      event.rule,
      event.kind,
      event.severity,
      event.series,
      event.resource === null ? null : JSON.stringify(event.resource),
      event.value,
      event.threshold,
      event.message,
      event.webhook === null ? null : JSON.stringify(event.webhook),
      event.time,
    ) as EventRow;
    const stored = toEvent(row);
    this.events.record('alerts', 'alert', stored.ruleId, stored);
    this.eventWrites += 1;
    if (this.eventWrites >= 1000) {
      this.eventWrites = 0;
      const head = this.eventsHead.get()?.seq ?? 0;
      if (head > ALERT_EVENTS_KEPT) this.pruneEvents.run(head - ALERT_EVENTS_KEPT);
    }
    return stored;
  }

  /** How the event's webhook went (kept in the history; not put on the stream again). */
  setWebhook(seq: number, webhook: NonNullable<AlertEvent['webhook']>): void {
    this.updateEventWebhook.run(JSON.stringify(webhook), seq);
  }

  event(seq: number): AlertEvent | undefined {
    const row = this.eventBySeq.get(seq);
    return row && toEvent(row);
  }

  /** Newest last; with `after`, the ones following it (oldest first), else the newest `limit`. */
  eventList(query: { ruleId?: string; kind?: AlertEventKind; after?: number; limit: number }): AlertEvent[] {
    return this.eventsAfter
      .all({
        after: query.after ?? 0,
        rule: query.ruleId ?? null,
        kind: query.kind ?? null,
        limit: query.limit,
        newest: query.after === undefined ? 1 : 0,
      })
      .map(toEvent);
  }

  private toParams(record: AlertRuleRecord) {
    return {
      id: record.id,
      name: record.name,
      description: record.description,
      series: record.series,
      resourceKind: record.resource?.kind ?? null,
      resourceId: record.resource?.id ?? null,
      resourceName: record.resource?.name ?? null,
      stage: record.stage,
      feature: record.feature,
      metric: record.metric,
      op: record.op,
      threshold: record.threshold,
      forSeconds: record.forSeconds,
      severity: record.severity,
      webhook: record.webhook,
      enabled: record.enabled ? 1 : 0,
      state: record.state,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }
}
