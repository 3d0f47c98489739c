import type { AlertEvent, AlertEventKind } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { AlertReading, AlertRuleRecord } from '../store/alerts.js';
import type { Store } from '../store/index.js';
import { alertMessage, holds } from './condition.js';
import { isWindowed, readSeries, type SeriesDeps, type SeriesReading, windowOf } from './series.js';
import type { AlertSources } from './sources.js';
import { type TrafficOf, TrafficWindows } from './traffic-window.js';
import { ruleView } from './view.js';
import type { WebhookSender } from './webhook.js';

export const DEFAULT_ALERT_TICK_MS = 5_000;

export interface EvaluatorOptions {
  /** how often every enabled rule is read (default 5 s) */
  tickMs?: number;
  trafficOf: TrafficOf;
  sources: AlertSources;
  log: FastifyBaseLogger;
}

/** How a rule's resource is named in its messages, e.g. "endpoint iris/canary". */
export function subjectOf(rule: Pick<AlertRuleRecord, 'stage'>, reading: SeriesReading): string {
  const resource = reading.resource;
  const subject = !resource
    ? 'no running training'
    : resource.kind === 'endpoints'
      ? `endpoint ${resource.name}${rule.stage ? `/${rule.stage}` : ''}`
      : `training ${resource.name}`;
  return reading.detail ? `${subject} (${reading.detail})` : subject;
}

/**
 * The bridge's one alert timer: each tick reads every enabled rule's series, and a rule goes OK → FIRING once
 * its condition has held for its duration, FIRING → OK (a RESOLVED event) once it no longer holds. Each change
 * and its event are one transaction; the webhook goes after, in the background.
 */
export class AlertEvaluator {
  readonly tickMs: number;
  private readonly readings = new Map<string, AlertReading>();
  /** since when a rule in state OK has seen its condition hold */
  private readonly pending = new Map<string, number>();
  private readonly windows: TrafficWindows;
  private readonly deps: SeriesDeps;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly webhooks: WebhookSender,
    private readonly options: EvaluatorOptions,
  ) {
    this.tickMs = options.tickMs ?? DEFAULT_ALERT_TICK_MS;
    this.windows = new TrafficWindows(options.trafficOf);
    this.deps = { store, windows: this.windows, sources: options.sources, tickMs: this.tickMs };
  }

  reading(ruleId: string): AlertReading | undefined {
    return this.readings.get(ruleId);
  }

  /** A rule changed or went: what was read of it and how long it held start again. */
  forget(ruleId: string): void {
    this.readings.delete(ruleId);
    this.pending.delete(ruleId);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** One pass over the enabled rules; a pass still going (a slow read) is not doubled. */
  tick(at = Date.now()): Promise<void> {
    this.running ??= this.pass(at).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async pass(at: number): Promise<void> {
    const rules = this.store.alerts.everyRule().filter((rule) => rule.enabled);
    const watched = rules
      .filter((rule) => isWindowed(rule) && rule.resource)
      .map((rule) => ({ endpointId: (rule.resource as { id: string }).id, stage: rule.stage }));
    this.windows.tick(watched, at);
    for (const rule of rules) {
      try {
        await this.evaluate(rule, at);
      } catch (error) {
        this.options.log.warn({ rule: rule.name, error: (error as Error).message }, 'an alert rule could not be evaluated');
      }
    }
  }

  private async evaluate(rule: AlertRuleRecord, at: number): Promise<void> {
    const reading = await readSeries(rule, at, this.deps);
    this.readings.set(rule.id, { value: reading.value, evaluatedAt: new Date(at).toISOString() });
    // a FIRING rule read again after a restart is not resolved by the window it has yet to fill
    if (reading.warming) return;
    const held = holds(rule.op, reading.value, rule.threshold);
    if (rule.state === 'FIRING') {
      if (!held) this.change(rule, 'RESOLVED', reading, at);
      return;
    }
    if (!held) {
      this.pending.delete(rule.id);
      return;
    }
    const since = this.pending.get(rule.id) ?? at;
    this.pending.set(rule.id, since);
    // a windowed series already covers its duration (up to the longest window): only the rest is held
    const hold = rule.forSeconds * 1000 - (isWindowed(rule) ? windowOf(rule, this.tickMs) : 0);
    if (at - since >= hold) this.change(rule, 'FIRING', reading, at);
  }

  private change(rule: AlertRuleRecord, kind: AlertEventKind, reading: SeriesReading, at: number): void {
    this.pending.delete(rule.id);
    const event = this.store.tx(() => {
      const current = this.store.alerts.get(rule.id);
      // changed, disabled or deleted while it was read: the next tick reads it as it is now
      if (!current || current.updatedAt !== rule.updatedAt || !current.enabled) return null;
      const live = this.readings.get(rule.id);
      this.store.alerts.update(current, { state: kind === 'FIRING' ? 'FIRING' : 'OK' }, (r) => ruleView(r, live));
      return this.store.alerts.recordEvent(eventOf(current, kind, reading, at));
    });
    if (event && rule.webhook) this.webhooks.send(rule.webhook, event);
  }
}

/** The event of a rule changing state, as kept and sent. */
export function eventOf(
  rule: AlertRuleRecord,
  kind: AlertEventKind,
  reading: SeriesReading,
  at: number,
  message?: string,
): Omit<AlertEvent, 'seq'> {
  return {
    ruleId: rule.id,
    rule: rule.name,
    kind,
    severity: rule.severity,
    series: rule.series,
    resource: reading.resource,
    value: reading.value,
    threshold: rule.threshold,
    message: message ?? alertMessage({ ...rule, kind, subject: subjectOf(rule, reading), value: reading.value }),
    webhook: rule.webhook === null ? null : { state: 'pending', attempts: 0, error: null },
    time: new Date(at).toISOString(),
  };
}
