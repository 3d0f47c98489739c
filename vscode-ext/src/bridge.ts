import type { ResourceStore } from '@emkit/shared';
import { ApiError, type EmkitClient, EventStream, type ResourceEvent, type WebSocketFactory } from '@emkit/shared';
import * as vscode from 'vscode';
import WebSocket from 'ws';
import { answers, clientFor, findBridge, startBridge } from './connection.js';

/**
 * The live link to the bridge: find it, load the lists on every (re)connection, then feed
 * the store from the event stream. Messages name the URL or file, never the token.
 */
export class BridgeLink implements vscode.Disposable {
  private stream: EventStream | null = null;
  private _client: EmkitClient | null = null;
  /**
   * Which connect() is current. Several can overlap (a settings change and Set Bridge Token each
   * start one): an older one that resumes after a newer began must neither set up its stream nor,
   * through its stream, load or fail the store — a wrong token's stream kept saying "refused"
   * after the right one had connected.
   */
  private generation = 0;
  private readonly eventEmitter = new vscode.EventEmitter<ResourceEvent>();
  /** Every event from the bridge, after the store has it: detail panels and notifications follow it. */
  readonly onEvent = this.eventEmitter.event;

  constructor(
    private readonly store: ResourceStore,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  /** The client of the current connection; null while no bridge was found. */
  get client(): EmkitClient | null {
    return this._client;
  }

  /** (Re)connect from scratch: runtime.json is read again, since a restarted bridge has a new token. */
  async connect(): Promise<void> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.stream?.close();
    this.stream = null;
    this._client = null;
    let found = await findBridge(this.secrets);
    // none running here (no runtime.json, or one left by a bridge that died): start one
    let startError = '';
    if (current() && ('missing' in found || (found.source !== 'settings' && !(await answers(found))))) {
      const started = await startBridge();
      if (started && 'error' in started) startError = started.error;
      else if (started) found = started;
    }
    if (!current()) return;
    if (startError) {
      this.store.fail(
        vscode.l10n.t(
          'Could not start an emkit bridge ({0}) — check emkit.cliPath, or start one with `emkit serve`.',
          startError,
        ),
      );
      return;
    }
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
          if (!current()) return;
          if (connected) void this.store.load(client);
          else void this.diagnose(client, found.url, current);
        },
        reset: () => {
          if (current()) void this.store.load(client);
        },
        event: (event) => {
          if (!current()) return;
          this.store.apply(event);
          this.eventEmitter.fire(event);
        },
      },
      // Node 20's extension host has no global WebSocket
      { WebSocket: WebSocket as unknown as WebSocketFactory },
    );
  }

  /** A socket that won't open looks the same either way: ask the bridge whether it is there and takes the token. */
  private async diagnose(client: EmkitClient, url: string, current: () => boolean): Promise<void> {
    const refused = await client.api.getStatus({}).then(
      () => false,
      (error: unknown) => error instanceof ApiError && error.status === 401,
    );
    if (!current()) return;
    this.store.fail(
      refused
        ? vscode.l10n.t(
            'The emkit bridge at {0} refused the token — run “emkit: Set Bridge Token” with the one in its runtime.json.',
            url,
          )
        : vscode.l10n.t('The emkit bridge at {0} is not reachable — start it with `emkit serve`, then Refresh.', url),
    );
  }

  dispose(): void {
    this.stream?.close();
    this.eventEmitter.dispose();
  }
}
