import type { ResourceStore } from '@emkit/shared';
import { type EmkitClient, EventStream, type ResourceEvent, type WebSocketFactory } from '@emkit/shared';
import * as vscode from 'vscode';
import WebSocket from 'ws';
import { clientFor, findBridge } from './connection.js';

/**
 * The live link to the bridge: find it, load the lists on every (re)connection, then feed
 * the store from the event stream. Messages name the URL or file, never the token.
 */
export class BridgeLink implements vscode.Disposable {
  private stream: EventStream | null = null;
  private _client: EmkitClient | null = null;
  private readonly eventEmitter = new vscode.EventEmitter<ResourceEvent>();
  /** Every event from the bridge, after the store has it: detail panels and notifications follow it. */
  readonly onEvent = this.eventEmitter.event;

  constructor(private readonly store: ResourceStore) {}

  /** The client of the current connection; null while no bridge was found. */
  get client(): EmkitClient | null {
    return this._client;
  }

  /** (Re)connect from scratch: runtime.json is read again, since a restarted bridge has a new token. */
  async connect(): Promise<void> {
    this.stream?.close();
    this.stream = null;
    this._client = null;
    const found = await findBridge();
    if ('missing' in found) {
      this.store.fail(
        vscode.l10n.t(
          'No emkit bridge found ({0} is missing) — start one with `emkit serve` or `npm start`, or set emkit.bridgeUrl and emkit.token.',
          found.missing,
        ),
      );
      return;
    }
    const client = clientFor(found);
    this._client = client;
    this.stream = new EventStream(
      client,
      {
        connection: (connected) => {
          if (connected) void this.store.load(client);
          else
            this.store.fail(
              vscode.l10n.t('The emkit bridge at {0} is not reachable — start it with `emkit serve`, then Refresh.', found.url),
            );
        },
        reset: () => void this.store.load(client),
        event: (event) => {
          this.store.apply(event);
          this.eventEmitter.fire(event);
        },
      },
      // Node 20's extension host has no global WebSocket
      { WebSocket: WebSocket as unknown as WebSocketFactory },
    );
  }

  dispose(): void {
    this.stream?.close();
    this.eventEmitter.dispose();
  }
}
