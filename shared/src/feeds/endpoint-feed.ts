import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Endpoint, StageMinute, StageUpdate } from '../schemas/endpoints.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { UsageEventData } from '../schemas/monitoring.js';
import type { EndpointViewAction, EndpointViewMessage } from './protocol.js';

/** How long after a call the stats are read again, so a burst of calls costs one read. */
const STATS_AFTER_CALL_MS = 500;

/**
 * How often drift and model quality are read again while a stage watches drift: they are
 * computed per window and come with no event, so the view asks — seldom, and only then.
 */
export const MONITORING_REFRESH_MS = 30_000;

/** A route an older bridge (or a part not built yet) answers 404: nothing to show, not an error. */
const absent = (error: unknown): null => {
  if (error instanceof ApiError && error.status === 404) return null;
  throw error;
};

/**
 * Everything an endpoint view shows: the endpoint, its last hour of traffic and of its
 * workers' CPU and memory, and its drift and model quality once, then its changes, finished
 * minutes and sampling rounds from the host's event stream. Calls from the try-it box go
 * through the gateway as any caller's would, and the current minute is read again after them
 * so the chart counts them. The stage lifecycle (deactivate, activate, redeploy) and its
 * monitoring settings are the feed's to do; the stage's new state comes as an event.
 */
export class EndpointFeed {
  private disposed = false;
  private endpointName: string | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;
  private monitoringTimer: ReturnType<typeof setInterval> | null = null;
  /** the monitoring read asked for last: an older answer arriving later is dropped */
  private monitoringAsked = 0;

  constructor(
    private readonly client: EmkitClient,
    readonly endpointId: string,
    private readonly post: (message: EndpointViewMessage) => void,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'endpoints' || event.id !== this.endpointId) return;
    if (event.action === 'stats') {
      this.post({ type: 'statMinute', minute: event.data as unknown as StageMinute });
      // a finished minute: the current drift window has more inputs, and maybe feedback
      void this.loadMonitoring();
    } else if (event.action === 'usage') {
      this.post({ type: 'usageRound', data: event.data as unknown as UsageEventData });
    } else if (event.action === 'updated' || event.action === 'created' || event.action === 'finished') {
      const endpoint = event.data as unknown as Endpoint | null;
      if (!endpoint) return;
      this.endpointName = endpoint.name;
      this.post({ type: 'endpoint', endpoint });
      this.watchMonitoring(endpoint);
    }
  }

  /** The view's actions this feed answers (calls, stage lifecycle and settings, refresh); false for the host's own. */
  act(action: EndpointViewAction): boolean {
    const params = (stage: string) => ({ params: { id: this.endpointId, stage } });
    switch (action.action) {
      case 'predict':
        void this.predict(action.requestId, action.stage, action.body);
        return true;
      case 'deactivateStage':
        void this.stageAnswer(action.stage, () => this.client.api.deactivateEndpointStage(params(action.stage)));
        return true;
      case 'activateStage':
        void this.stageAnswer(action.stage, () => this.client.api.activateEndpointStage(params(action.stage)));
        return true;
      case 'redeployStage':
        void this.stageAnswer(action.stage, () => this.client.api.deployEndpointStage(params(action.stage)));
        return true;
      case 'updateStage':
        void this.updateStage(action.stage, action.body);
        return true;
      case 'refreshMonitoring':
        void this.loadMonitoring();
        return true;
      default:
        return false;
    }
  }

  /** Sends `body` to the default stage (`stage` null) or a named one; answers with a `prediction` message. */
  async predict(requestId: number, stage: string | null, body: unknown): Promise<void> {
    const started = performance.now();
    try {
      const endpoint = this.endpointName ?? (await this.loadEndpoint()).name;
      const answer =
        stage === null
          ? await this.client.api.infer({ params: { endpoint }, body: body as never })
          : await this.client.api.inferStage({ params: { endpoint, stage }, body: body as never });
      if (!this.disposed)
        this.post({ type: 'prediction', requestId, status: 200, body: answer, latencyMs: performance.now() - started });
    } catch (error) {
      if (this.disposed) return;
      const status = error instanceof ApiError ? error.status : 0;
      if (status === 0) this.post({ type: 'error', message: (error as Error).message });
      else
        this.post({
          type: 'prediction',
          requestId,
          status,
          body: (error as Error).message,
          latencyMs: performance.now() - started,
        });
    }
    this.refreshStatsSoon();
  }

  dispose(): void {
    this.disposed = true;
    if (this.statsTimer) clearTimeout(this.statsTimer);
    if (this.monitoringTimer) clearInterval(this.monitoringTimer);
  }

  /** The stage's new state comes as the endpoint's `updated` event; the answer only says done, or why not. */
  private async stageAnswer(stage: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
      if (!this.disposed) this.post({ type: 'stageSaved', stage });
    } catch (error) {
      if (this.disposed) return;
      const field = error instanceof ApiError ? error.field : undefined;
      this.post({ type: 'stageError', stage, message: (error as Error).message, ...(field ? { field } : {}) });
    }
  }

  private async updateStage(stage: string, body: StageUpdate): Promise<void> {
    await this.stageAnswer(stage, async () => {
      const updated = await this.client.api.updateEndpointStage({ params: { id: this.endpointId, stage }, body });
      // the drift settings changed what the drift answer holds
      void this.loadMonitoring();
      return updated;
    });
  }

  /** Drift and quality are read again every MONITORING_REFRESH_MS while a stage logs payloads (their source). */
  private watchMonitoring(endpoint: Endpoint): void {
    const watching = endpoint.stages.some((stage) => stage.payloadLogging?.enabled);
    if (watching && !this.monitoringTimer && !this.disposed)
      this.monitoringTimer = setInterval(() => void this.loadMonitoring(), MONITORING_REFRESH_MS);
    else if (!watching && this.monitoringTimer) {
      clearInterval(this.monitoringTimer);
      this.monitoringTimer = null;
    }
  }

  private async loadUsage(): Promise<void> {
    const usage = await this.client.api
      .getEndpointResources({ params: { id: this.endpointId }, query: { minutes: 60 } })
      .catch(absent);
    if (usage && !this.disposed) this.post({ type: 'usage', usage });
  }

  /** Drift and model quality, both or whichever the bridge has (an older one has neither). */
  private async loadMonitoring(): Promise<void> {
    const asked = ++this.monitoringAsked;
    const params = { params: { id: this.endpointId } };
    try {
      const [drift, quality] = await Promise.all([
        this.client.api.getEndpointDrift({ ...params, query: {} }).catch(absent),
        this.client.api.getEndpointModelQuality({ ...params, query: {} }).catch(absent),
      ]);
      if (this.disposed || asked !== this.monitoringAsked) return;
      if (drift) this.post({ type: 'drift', drift });
      if (quality) this.post({ type: 'quality', quality });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async loadEndpoint(): Promise<Endpoint> {
    const endpoint = await this.client.api.getEndpoint({ params: { id: this.endpointId } });
    this.endpointName = endpoint.name;
    return endpoint;
  }

  private async load(): Promise<void> {
    try {
      const endpoint = await this.loadEndpoint();
      if (this.disposed) return;
      this.post({ type: 'endpoint', endpoint });
      this.watchMonitoring(endpoint);
      await Promise.all([this.loadStats(), this.loadUsage(), this.loadMonitoring()]);
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async loadStats(): Promise<void> {
    const stats = await this.client.api.getEndpointStats({ params: { id: this.endpointId }, query: { minutes: 60 } });
    if (!this.disposed) this.post({ type: 'stats', minutes: stats.minutes });
  }

  private refreshStatsSoon(): void {
    if (this.statsTimer || this.disposed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      this.loadStats().catch(() => undefined);
      // the call may have been logged: the current window's drift counts it
      void this.loadMonitoring();
    }, STATS_AFTER_CALL_MS);
  }
}
