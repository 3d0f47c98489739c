import type {
  AlertEventList,
  AlertEventQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRuleList,
  AlertRuleUpdate,
  ListQuery,
} from '@emkit/shared';
import { AlertEventQuery as AlertEventQuerySchema } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { conflict, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { AlertRuleRecord } from '../store/alerts.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import { checkTarget, resourceKindOf } from './check.js';
import { AlertEvaluator, eventOf } from './evaluator.js';
import type { AlertSources } from './sources.js';
import type { TrafficOf } from './traffic-window.js';
import { ruleView } from './view.js';
import { type WebhookOptions, WebhookSender } from './webhook.js';
import { checkWebhookUrl, hideCredentials } from './webhook-url.js';

export interface AlertServiceOptions {
  log: FastifyBaseLogger;
  /** the endpoints' live traffic counters (EndpointService.traffic) */
  trafficOf: TrafficOf;
  /** drift, model quality and resource usage, where the bridge has them */
  sources: AlertSources;
  /** how often the rules are read (default 5 s) */
  tickMs?: number;
  webhook?: WebhookOptions;
}

const DEFAULT_EVENT_LIMIT = AlertEventQuerySchema.properties.limit.default as number;

/** Alert rules, as the routes see them, and the evaluator that fires and resolves them. */
export class AlertService {
  private readonly webhooks: WebhookSender;
  private readonly evaluator: AlertEvaluator;
  private readonly sources: AlertSources;

  constructor(
    private readonly store: Store,
    options: AlertServiceOptions,
  ) {
    this.sources = options.sources;
    this.webhooks = new WebhookSender(store, options.log, options.webhook);
    this.evaluator = new AlertEvaluator(store, this.webhooks, {
      tickMs: options.tickMs,
      trafficOf: options.trafficOf,
      sources: options.sources,
      log: options.log,
    });
  }

  list(query: ListQuery | undefined): AlertRuleList {
    const { limit, offset } = pageOf(query);
    const page = this.store.alerts.list(limit, offset);
    return { items: page.items.map((r) => this.view(r)), total: page.total };
  }

  find(key: string): AlertRule {
    return this.view(this.record(key));
  }

  create(input: AlertRuleCreate): AlertRule {
    const target = checkTarget(this.store, input, this.sources);
    const webhook = input.webhook ? checkWebhookUrl(input.webhook) : null;
    if (this.store.alerts.get(input.name)) throw conflict(`an alert rule named "${input.name}" already exists`);
    try {
      const record = this.store.tx(() =>
        this.store.alerts.insert(
          {
            name: input.name,
            description: input.description ?? '',
            series: input.series,
            ...target,
            op: input.op,
            threshold: input.threshold,
            forSeconds: input.forSeconds ?? 60,
            severity: input.severity ?? 'warning',
            webhook,
            enabled: input.enabled ?? true,
            state: 'OK',
          },
          (r) => this.view(r),
        ),
      );
      return this.view(record);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`an alert rule named "${input.name}" already exists`);
      throw error;
    }
  }

  /**
   * Any change starts the rule again from OK: one FIRING says so with a RESOLVED event ("rule changed"). A
   * webhook sent back as the API shows it (credentials hidden) keeps the stored one.
   */
  update(key: string, changes: AlertRuleUpdate): AlertRule {
    const current = this.record(key);
    const series = changes.series ?? current.series;
    // what another series doesn't take isn't carried over: the resource and stage of another kind, the
    // feature or metric of another series
    const sameKind = current.resource?.kind === resourceKindOf(series);
    const sameSeries = series === current.series;
    const given = <T>(value: T | undefined, carried: T | null) => (value !== undefined ? value : carried);
    const target = checkTarget(
      this.store,
      {
        series,
        resource: given(changes.resource, sameKind ? (current.resource?.id ?? null) : null),
        stage: given(changes.stage, sameKind ? current.stage : null),
        feature: given(changes.feature, sameSeries ? current.feature : null),
        metric: given(changes.metric, sameSeries ? current.metric : null),
      },
      this.sources,
    );
    let webhook = current.webhook;
    if (changes.webhook === null) webhook = null;
    else if (changes.webhook !== undefined) {
      const unchanged = current.webhook !== null && changes.webhook === hideCredentials(current.webhook);
      webhook = unchanged ? current.webhook : checkWebhookUrl(changes.webhook);
    }
    const updated = this.store.tx(() => {
      const now = this.record(current.id);
      if (now.state === 'FIRING') {
        const reading = this.evaluator.reading(now.id);
        const resolved = eventOf(
          now,
          'RESOLVED',
          { value: reading?.value ?? null, resource: now.resource },
          Date.now(),
          `alert rule ${now.name} changed: it starts again from OK (resolved)`,
        );
        this.store.alerts.recordEvent({ ...resolved, webhook: null });
      }
      this.evaluator.forget(now.id);
      return this.store.alerts.update(
        now,
        {
          description: changes.description ?? now.description,
          series,
          ...target,
          op: changes.op ?? now.op,
          threshold: changes.threshold ?? now.threshold,
          forSeconds: changes.forSeconds ?? now.forSeconds,
          severity: changes.severity ?? now.severity,
          webhook,
          enabled: changes.enabled ?? now.enabled,
          state: 'OK',
        },
        (r) => this.view(r),
      );
    });
    return this.view(updated);
  }

  /** The rule and its history go. */
  delete(key: string): void {
    const record = this.record(key);
    this.store.tx(() => this.store.alerts.delete(record.id));
    this.evaluator.forget(record.id);
  }

  events(query: AlertEventQuery | undefined): AlertEventList {
    const ruleId = query?.rule ? this.record(query.rule).id : undefined;
    return {
      items: this.store.alerts.eventList({
        ruleId,
        kind: query?.kind,
        after: query?.after,
        limit: query?.limit ?? DEFAULT_EVENT_LIMIT,
      }),
    };
  }

  /** Read the rules now (tests and `start`); resolves once the pass is done. */
  evaluate(): Promise<void> {
    return this.evaluator.tick();
  }

  start(): void {
    this.evaluator.start();
  }

  async shutdown(): Promise<void> {
    await this.evaluator.stop();
    this.webhooks.shutdown();
  }

  private record(key: string): AlertRuleRecord {
    const record = this.store.alerts.get(key);
    if (!record) throw notFound('alert rule', key);
    return record;
  }

  private view(record: AlertRuleRecord): AlertRule {
    return ruleView(record, this.evaluator.reading(record.id));
  }
}
