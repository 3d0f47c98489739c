import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { Endpoint, StageMinute } from '../schemas/endpoints.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { EndpointViewMessage } from './protocol.js';

/** How long after a call the stats are read again, so a burst of calls costs one read. */
const STATS_AFTER_CALL_MS = 500;

/**
 * Everything an endpoint view shows: the endpoint and its last hour of traffic once, then
 * its changes and finished minutes from the host's event stream. Calls from the try-it box
 * go through the gateway as any caller's would, and the current minute is read again after
 * them so the chart counts them.
 */
export class EndpointFeed {
  private disposed = false;
  private endpointName: string | null = null;
  private statsTimer: ReturnType<typeof setTimeout> | null = null;

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
    } else if (event.action === 'updated' || event.action === 'created' || event.action === 'finished') {
      const endpoint = event.data as unknown as Endpoint | null;
      if (!endpoint) return;
      this.endpointName = endpoint.name;
      this.post({ type: 'endpoint', endpoint });
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
      await this.loadStats();
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
    }, STATS_AFTER_CALL_MS);
  }
}
