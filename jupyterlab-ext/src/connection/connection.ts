import { ApiError, EmkitClient, EventStream, type ResourceEvent, type WebSocketFactory } from '@emkit/shared';
import { type ISignal, Signal } from '@lumino/signaling';
import { type Discovery, discoverBridge } from './discover.js';

/** The connection settings of the settings registry (schema/plugin.json); empty means "the running bridge's". */
export interface ConnectionSettings {
  bridgeUrl: string;
  token: string;
}

/** Where the panel stands with the bridge; every kind but `connected` is shown with what to do about it. */
export type ConnectionStatus =
  | { kind: 'starting' }
  | { kind: 'connecting'; url: string }
  | { kind: 'connected'; url: string }
  /** neither the settings nor the Jupyter server name a bridge: none has run for `home` */
  | { kind: 'no-bridge'; home: string | null }
  /** no settings, and the Jupyter server has no emkit part to ask */
  | { kind: 'no-server-extension' }
  | { kind: 'unreachable'; url: string; detail: string }
  /** the bridge runs (the Jupyter server reached it) but refuses this page's origin */
  | { kind: 'origin-refused'; url: string; origin: string }
  | { kind: 'token-refused'; url: string };

export interface ConnectionOptions {
  discover?: () => Promise<Discovery | null>;
  /** this page's origin, for the message when the bridge refuses it */
  origin?: string;
  /** how often to look again for a bridge while none is known */
  retryMs?: number;
  WebSocket?: WebSocketFactory;
  fetch?: typeof fetch;
}

interface Target {
  url: string;
  token: string;
  /** found by the Jupyter server rather than set by hand: its reachability then says something */
  discovered: boolean;
}

/**
 * The one connection to the bridge: where it is (settings, else the Jupyter server's
 * discovery), its event stream (which reconnects and resumes by itself), and, whenever
 * the stream is down, why — so the panel can say what to do and recover with no reload.
 */
export class BridgeConnection {
  private _status: ConnectionStatus = { kind: 'starting' };
  private _client: EmkitClient | null = null;
  private stream: EventStream | null = null;
  private target: Target | null = null;
  private connected = false;
  private settings: ConnectionSettings = { bridgeUrl: '', token: '' };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private checking: Promise<void> | null = null;
  private checkAgain = false;
  private disposed = false;
  private readonly _statusChanged = new Signal<this, ConnectionStatus>(this);
  private readonly _event = new Signal<this, ResourceEvent>(this);
  private readonly _reloadNeeded = new Signal<this, EmkitClient>(this);

  constructor(private readonly options: ConnectionOptions = {}) {}

  get status(): ConnectionStatus {
    return this._status;
  }

  /** The client of the current bridge; null until one is known. */
  get client(): EmkitClient | null {
    return this._client;
  }

  get statusChanged(): ISignal<this, ConnectionStatus> {
    return this._statusChanged;
  }

  /** Every resource event, live, in commit order. */
  get event(): ISignal<this, ResourceEvent> {
    return this._event;
  }

  /** Connected (again), or the bridge's history was reset: whatever is shown must be loaded afresh. */
  get reloadNeeded(): ISignal<this, EmkitClient> {
    return this._reloadNeeded;
  }

  configure(settings: ConnectionSettings): void {
    this.settings = { bridgeUrl: settings.bridgeUrl.trim(), token: settings.token.trim() };
    void this.check();
  }

  /** The client once the stream is up, or null if it isn't within `timeoutMs` (restoring a tab after a reload). */
  whenConnected(timeoutMs: number): Promise<EmkitClient | null> {
    if (this._client && this._status.kind === 'connected') return Promise.resolve(this._client);
    return new Promise((resolve) => {
      const done = (client: EmkitClient | null) => {
        clearTimeout(timer);
        this._statusChanged.disconnect(onStatus);
        resolve(client);
      };
      const onStatus = (_: this, status: ConnectionStatus) => {
        if (status.kind === 'connected') done(this._client);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      this._statusChanged.connect(onStatus);
    });
  }

  /** Look again now (the refresh command): a bridge started on another port is found. */
  recheck(): Promise<void> {
    return this.check();
  }

  dispose(): void {
    this.disposed = true;
    this.closeStream();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    Signal.clearData(this);
  }

  /** One check at a time; a request during one runs one more afterwards. */
  private check(): Promise<void> {
    if (this.checking) {
      this.checkAgain = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.checkAgain = false;
        await this.checkOnce().catch(() => undefined);
      } while (this.checkAgain && !this.disposed);
      this.checking = null;
    })();
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    if (this.disposed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const { bridgeUrl, token } = this.settings;
    const discovery = bridgeUrl && token ? undefined : await (this.options.discover ?? discoverBridge)();
    const url = (bridgeUrl || discovery?.url || '').replace(/\/+$/, '');
    const chosenToken = token || discovery?.token || '';
    if (!url || !chosenToken) {
      this.closeStream();
      this.setStatus(discovery === null ? { kind: 'no-server-extension' } : { kind: 'no-bridge', home: discovery?.home ?? null });
      this.retryLater();
      return;
    }
    const target = { url, token: chosenToken, discovered: !bridgeUrl };
    if (!this.target || this.target.url !== target.url || this.target.token !== target.token) {
      this.open(target);
      return;
    }
    if (this.connected) return;
    await this.diagnose(this.target, discovery);
  }

  /** The stream is down: say why, while it keeps retrying by itself. */
  private async diagnose(target: Target, discovery: Discovery | null | undefined): Promise<void> {
    const client = this._client;
    if (!client) return;
    try {
      await client.api.getStatus({});
      // it answers plain requests: the socket is on its way back
      if (!this.connected) this.setStatus({ kind: 'connecting', url: target.url });
    } catch (error) {
      if (this.connected || this.target !== target) return;
      const apiError = error instanceof ApiError ? error : null;
      if (apiError?.status === 401) this.setStatus({ kind: 'token-refused', url: target.url });
      else if (apiError?.status === 0 && target.discovered && discovery?.reachable) {
        this.setStatus({
          kind: 'origin-refused',
          url: target.url,
          origin: this.options.origin ?? globalThis.location?.origin ?? '',
        });
      } else this.setStatus({ kind: 'unreachable', url: target.url, detail: apiError?.message ?? String(error) });
    }
  }

  private open(target: Target): void {
    this.closeStream();
    this.target = target;
    const client = new EmkitClient({
      baseUrl: target.url,
      token: target.token,
      ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
    });
    this._client = client;
    this.setStatus({ kind: 'connecting', url: target.url });
    this.stream = new EventStream(
      client,
      {
        // only the current stream speaks: one replaced a moment ago may still be closing
        event: (event) => {
          if (this._client === client) this._event.emit(event);
        },
        reset: () => {
          if (this._client === client) this._reloadNeeded.emit(client);
        },
        connection: (up) => {
          if (this._client !== client) return;
          this.connected = up;
          if (up) {
            this.setStatus({ kind: 'connected', url: target.url });
            this._reloadNeeded.emit(client);
          } else void this.check();
        },
      },
      // a local bridge: come back quickly once it is up again
      { minDelayMs: 250, maxDelayMs: 3000, ...(this.options.WebSocket ? { WebSocket: this.options.WebSocket } : {}) },
    );
  }

  private closeStream(): void {
    this.stream?.close();
    this.stream = null;
    this.target = null;
    this._client = null;
    this.connected = false;
  }

  private retryLater(): void {
    if (this.disposed) return;
    this.retryTimer = setTimeout(() => void this.check(), this.options.retryMs ?? 2000);
  }

  private setStatus(status: ConnectionStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this._status)) return;
    this._status = status;
    this._statusChanged.emit(status);
  }
}
