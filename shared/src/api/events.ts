import type { InferenceLog } from '../schemas/endpoints.js';
import type { EventMessage, ResourceEvent } from '../schemas/events.js';
import type { EmkitClient } from './client.js';

/** The part of the WebSocket API both browsers and the `ws` package provide. */
export interface WebSocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
/** Browsers' WebSocket and the `ws` package both take (url, protocols). */
export type WebSocketFactory = new (url: string, protocols?: string[]) => WebSocketLike;

export interface EventStreamOptions {
  /** defaults to the global WebSocket (browsers, Node 22+); pass `ws` in Node 20 */
  WebSocket?: WebSocketFactory;
  /** resume after this seq (e.g. what a previous session saw last) */
  since?: number;
  /** first and largest reconnect delay in ms; the delay doubles in between */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** also receive every inference log entry, live (an endpoint's log view) */
  inferences?: boolean;
}

export interface EventStreamHandlers {
  event?: (event: ResourceEvent) => void;
  /** history was pruned past what we had: reload whatever you show, events go on from here */
  reset?: (seq: number) => void;
  /** an inference log entry, live, when asked for with `inferences` */
  inference?: (log: InferenceLog) => void;
  /** connected (true) or lost and retrying (false) */
  connection?: (connected: boolean) => void;
}

/**
 * The bridge's change feed, reconnecting with backoff and resuming from the last seq
 * it delivered, so a dropped connection loses no event and repeats none.
 */
export class EventStream {
  private socket: WebSocketLike | null = null;
  private lastSeq: number | undefined;
  private delay: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly WebSocketImpl: WebSocketFactory;
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private readonly inferences: boolean;

  constructor(
    private readonly client: EmkitClient,
    private readonly handlers: EventStreamHandlers,
    options: EventStreamOptions = {},
  ) {
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    if (!impl) throw new Error('no WebSocket implementation: pass one (the `ws` package in Node 20)');
    this.WebSocketImpl = impl;
    this.lastSeq = options.since;
    this.minDelay = options.minDelayMs ?? 250;
    this.maxDelay = options.maxDelayMs ?? 10_000;
    this.delay = this.minDelay;
    this.inferences = options.inferences ?? false;
    this.connect();
  }

  /** The seq of the last event delivered (undefined before the first). */
  get seq(): number | undefined {
    return this.lastSeq;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    const socket = new this.WebSocketImpl(this.client.eventsUrl(this.lastSeq, this.inferences), this.client.socketProtocols());
    this.socket = socket;
    socket.onopen = () => {
      this.delay = this.minDelay;
      this.handlers.connection?.(true);
    };
    socket.onmessage = (message) => this.receive(message.data);
    socket.onerror = () => {
      // onclose follows and schedules the retry
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      this.handlers.connection?.(false);
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, this.maxDelay);
    };
  }

  private receive(data: unknown): void {
    const message = JSON.parse(String(data)) as EventMessage;
    switch (message.type) {
      case 'hello':
        if (this.lastSeq === undefined) this.lastSeq = message.seq;
        break;
      case 'reset':
        this.lastSeq = message.seq;
        this.handlers.reset?.(message.seq);
        break;
      case 'event':
        // a replay after reconnect can overlap what we already have
        if (this.lastSeq !== undefined && message.event.seq <= this.lastSeq) return;
        this.lastSeq = message.event.seq;
        this.handlers.event?.(message.event);
        break;
      case 'inference':
        this.handlers.inference?.(message.log);
        break;
    }
  }
}
