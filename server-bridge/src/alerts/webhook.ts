import type { AlertEvent } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import { hideCredentials, requestTarget } from './webhook-url.js';

export interface WebhookOptions {
  /** one attempt's limit (default 5 s) */
  timeoutMs?: number;
  /** attempts in all (default 4) */
  attempts?: number;
  /** the wait before the second attempt, doubled before each next (default 1 s) */
  backoffMs?: number;
}

const DEFAULTS = { timeoutMs: 5_000, attempts: 4, backoffMs: 1_000 };

/** What a chat tool (or any listener) gets: one JSON object per firing or resolving. */
export const webhookBody = (event: AlertEvent) => ({
  rule: event.rule,
  kind: event.kind,
  severity: event.severity,
  message: event.message,
  value: event.value,
  threshold: event.threshold,
  resource: event.resource,
  time: event.time,
});

/**
 * Delivers events to their rules' webhooks in the background: a timeout per attempt, retries with a doubling
 * wait, and how it went kept on the event (`webhook.state`, attempts, error). Nothing waits on it: not the
 * evaluator, not a route. The URL's credentials reach only the request (as Basic auth), never the log.
 */
export class WebhookSender {
  private readonly settings: typeof DEFAULTS;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    options: WebhookOptions = {},
  ) {
    this.settings = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  send(url: string, event: AlertEvent): void {
    void this.attempt(url, event, 1);
  }

  private async attempt(url: string, event: AlertEvent, attempt: number): Promise<void> {
    if (this.stopped) return;
    const error = await this.post(url, event);
    if (this.stopped) return;
    const last = error !== null && attempt >= this.settings.attempts;
    const state = error === null ? 'sent' : last ? 'failed' : 'pending';
    this.record(event.seq, { state, attempts: attempt, error });
    if (error === null) return;
    const hidden = hideCredentials(url);
    if (last) {
      this.log.warn({ rule: event.rule, webhook: hidden, attempts: attempt, error }, 'an alert webhook failed');
      return;
    }
    this.log.debug({ rule: event.rule, webhook: hidden, attempt, error }, 'an alert webhook attempt failed: retrying');
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        void this.attempt(url, event, attempt + 1);
      },
      this.settings.backoffMs * 2 ** (attempt - 1),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /** One POST; null when it was taken (2xx), else why not, in words without the URL. */
  private async post(url: string, event: AlertEvent): Promise<string | null> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.settings.timeoutMs);
    try {
      const target = requestTarget(url);
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'emkit-alerts',
          ...(target.authorization ? { authorization: target.authorization } : {}),
        },
        body: JSON.stringify(webhookBody(event)),
        redirect: 'manual',
        signal: controller.signal,
      });
      await response.body?.cancel();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      if (controller.signal.aborted) return `no answer in ${this.settings.timeoutMs / 1000} s`;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      // undici's own message may carry the URL; its cause's code does not
      return cause?.code ?? 'the request failed';
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }

  private record(seq: number, webhook: NonNullable<AlertEvent['webhook']>): void {
    try {
      this.store.tx(() => this.store.alerts.setWebhook(seq, webhook));
    } catch (error) {
      // the rule (and its history) was deleted meanwhile, or the store closed
      this.log.debug({ seq, error: (error as Error).message }, 'an alert webhook result could not be kept');
    }
  }

  /** Retries waiting are dropped and requests going are cut: the bridge is closing. */
  shutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
  }
}
