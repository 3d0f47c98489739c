import { ApiError } from './errors.js';
import { type CallableRouteName, type RouteInput, type RouteOutput, routePath, routes } from './routes/index.js';
import { socketProtocols } from './socket-auth.js';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8765 (from runtime.json) */
  baseUrl: string;
  token: string;
  /** defaults to the global fetch (browsers, Node 18+) */
  fetch?: typeof fetch;
}

type Methods = { [K in CallableRouteName]: (input: RouteInput<K>) => Promise<RouteOutput<K>> };

/**
 * The typed client for every management route. `client.api.listExperiments({ query })`
 * and `client.call('listExperiments', { query })` are the same call; both are typed
 * from the route table the bridge serves.
 */
export class EmkitClient {
  readonly baseUrl: string;
  readonly token: string;
  readonly api: Methods;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    const api: Record<string, unknown> = {};
    for (const name of Object.keys(routes) as (keyof typeof routes)[]) {
      if ('websocket' in routes[name]) continue;
      api[name] = (input: never) => this.call(name as CallableRouteName, input);
    }
    this.api = api as Methods;
  }

  async call<K extends CallableRouteName>(name: K, input: RouteInput<K>): Promise<RouteOutput<K>> {
    const route = routes[name];
    const { params, query, body } = (input ?? {}) as {
      params?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    let url = this.baseUrl + routePath(route.url, params);
    if (query) {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value));
      const text = search.toString();
      if (text) url += `?${text}`;
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    // a file goes as its bytes with its own media type (a browser File or Blob has one)
    const upload = 'upload' in route && body !== undefined;
    if (upload) headers['content-type'] = (body as Partial<Blob>).type || 'application/octet-stream';
    else if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: route.method,
        headers,
        body: body === undefined ? undefined : upload ? (body as BodyInit) : JSON.stringify(body),
      });
    } catch (cause) {
      throw new ApiError(
        0,
        'unreachable',
        `the emkit bridge at ${this.baseUrl} is not reachable (${(cause as Error).message}); start it with \`emkit serve\` or \`npm start\``,
      );
    }
    if (response.status === 204) return undefined as RouteOutput<K>;
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // a training's text file (getTrainingFile) is answered as it is; on an error, a
      // proxy's HTML page, say, falls through to the generic message
      if (response.ok) return text as RouteOutput<K>;
    }
    if (!response.ok) throw ApiError.fromEnvelope(response.status, parsed);
    return parsed as RouteOutput<K>;
  }

  /**
   * What every WebSocket to the bridge is opened with, beside its URL: the token rides in the
   * `Sec-WebSocket-Protocol` header, so the URL (which browser consoles print) carries none.
   */
  socketProtocols(): string[] {
    return socketProtocols(this.token);
  }

  /** The WebSocket URL of the event stream; open it with `socketProtocols()`. */
  eventsUrl(since?: number, inferences = false): string {
    return this.socketUrl(routes.events.url, {
      ...(since === undefined ? {} : { since: String(since) }),
      ...(inferences ? { inferences: 'true' } : {}),
    });
  }

  /** The WebSocket URL of one rank's live log (LogStreamMessage), from a byte offset; open it with `socketProtocols()`. */
  trainingLogUrl(training: string, rank = 0, offset = 0): string {
    return this.socketUrl(routePath(routes.streamTrainingLog.url, { id: training }), {
      rank: String(rank),
      offset: String(offset),
    });
  }

  /**
   * Where the bridge serves a TensorBoard, with a one-time ticket a browser tab spends once
   * (it then keeps a session cookie): the address may be shown, copied or kept in a history,
   * the token must not be.
   */
  async tensorboardUrl(id: string): Promise<string> {
    const { ticket } = await this.api.createBrowserTicket({});
    return `${this.baseUrl}/tensorboard/${encodeURIComponent(id)}/?ticket=${encodeURIComponent(ticket)}`;
  }

  /**
   * Where the bridge serves a cluster's Ray dashboard (its proxy adds Ray's token), with a
   * one-time ticket, as for TensorBoard; refused (503) while the cluster can't be reached.
   */
  async clusterDashboardUrl(cluster: string): Promise<string> {
    const { path } = await this.api.openClusterDashboard({ params: { id: cluster } });
    return `${this.baseUrl}${path}`;
  }

  private socketUrl(path: string, query: Record<string, string>): string {
    const url = new URL(`${this.baseUrl}${path}`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url.toString();
  }
}
