import { socketProtocols, type WebSocketLike } from '@emkit/shared';
import { describe, expect, it } from 'vitest';
import { BridgeConnection, type ConnectionStatus } from './connection.js';
import type { Discovery } from './discover.js';

/** A socket the test opens and closes by hand. */
class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    FakeSocket.all.push(this);
  }
  close(): void {
    this.onclose?.({});
  }
  open(): void {
    this.onopen?.({});
    this.onmessage?.({ data: JSON.stringify({ type: 'hello', seq: 0 }) });
  }
}

const found = (overrides: Partial<Discovery> = {}): Discovery => ({
  url: 'http://127.0.0.1:8765',
  token: 'secret',
  source: 'runtime.json',
  home: '/home/me/.emkit',
  reachable: true,
  ...overrides,
});

const answer = (status: number) => async () => new Response(JSON.stringify({ error: { code: 'x', message: 'no' } }), { status });
const refused = async () => {
  throw new TypeError('Failed to fetch');
};

function connect(discover: () => Promise<Discovery | null>, fetchImpl: typeof fetch = answer(200)) {
  FakeSocket.all = [];
  const seen: ConnectionStatus['kind'][] = [];
  const connection = new BridgeConnection({
    discover,
    origin: 'http://127.0.0.1:8888',
    retryMs: 10,
    WebSocket: FakeSocket,
    fetch: fetchImpl,
  });
  connection.statusChanged.connect((_, status) => seen.push(status.kind));
  return { connection, seen };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('the bridge connection', () => {
  it('says no bridge runs, then connects by itself once the server finds one, and asks for a load', async () => {
    let discovery = found({ url: null, token: null, source: null, reachable: false });
    const { connection, seen } = connect(async () => discovery);
    let loads = 0;
    connection.reloadNeeded.connect(() => {
      loads++;
    });
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => connection.status.kind === 'no-bridge');
    discovery = found();
    await until(() => FakeSocket.all.length === 1);
    // the token goes in the subprotocol header, not in the address
    expect(FakeSocket.all[0]?.url).toBe('ws://127.0.0.1:8765/api/v1/events');
    expect(FakeSocket.all[0]?.protocols).toEqual(socketProtocols('secret'));
    FakeSocket.all[0]?.open();
    expect(connection.status).toEqual({ kind: 'connected', url: 'http://127.0.0.1:8765' });
    expect(loads).toBe(1);
    expect(seen).toEqual(['no-bridge', 'connecting', 'connected']);
    connection.dispose();
  });

  it('tells a refused origin (the server reaches the bridge, the page cannot) from a bridge that is down', async () => {
    let reachable = true;
    const { connection } = connect(async () => found({ reachable }), refused);
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => FakeSocket.all.length === 1);
    FakeSocket.all[0]?.close();
    await until(() => connection.status.kind === 'origin-refused');
    expect(connection.status).toMatchObject({ origin: 'http://127.0.0.1:8888' });

    reachable = false;
    await until(() => FakeSocket.all.length >= 2);
    FakeSocket.all.at(-1)?.close();
    await until(() => connection.status.kind === 'unreachable');
    connection.dispose();
  });

  it('says the token was refused when the bridge answers 401', async () => {
    const { connection } = connect(async () => found(), answer(401));
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => FakeSocket.all.length === 1);
    FakeSocket.all[0]?.close();
    await until(() => connection.status.kind === 'token-refused');
    connection.dispose();
  });

  it('uses the settings when they name a bridge, and says when the server cannot look for one', async () => {
    const { connection } = connect(async () => null);
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => connection.status.kind === 'no-server-extension');
    connection.configure({ bridgeUrl: 'http://127.0.0.1:9999/', token: 'mine' });
    await until(() => FakeSocket.all.length === 1);
    expect(FakeSocket.all[0]?.url).toBe('ws://127.0.0.1:9999/api/v1/events');
    expect(FakeSocket.all[0]?.protocols).toEqual(socketProtocols('mine'));
    connection.dispose();
  });

  it('hands a restored tab the client once connected, or null when no bridge comes within the wait', async () => {
    const { connection } = connect(async () => found());
    const waiting = connection.whenConnected(1000);
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => FakeSocket.all.length === 1);
    FakeSocket.all[0]?.open();
    expect(connection.client).not.toBeNull();
    expect(await waiting).toBe(connection.client);
    expect(await connection.whenConnected(0)).toBe(connection.client);
    connection.dispose();

    const none = connect(async () => found({ url: null, token: null, source: null, reachable: false }));
    none.connection.configure({ bridgeUrl: '', token: '' });
    expect(await none.connection.whenConnected(30)).toBeNull();
    none.connection.dispose();
  });

  it('follows the bridge to its new address after a restart', async () => {
    let discovery = found();
    const { connection } = connect(async () => discovery, refused);
    connection.configure({ bridgeUrl: '', token: '' });
    await until(() => FakeSocket.all.length === 1);
    FakeSocket.all[0]?.open();
    discovery = found({ url: 'http://127.0.0.1:8766' });
    FakeSocket.all[0]?.close();
    await until(() => FakeSocket.all.some((s) => s.url.startsWith('ws://127.0.0.1:8766/')));
    FakeSocket.all.at(-1)?.open();
    expect(connection.status).toEqual({ kind: 'connected', url: 'http://127.0.0.1:8766' });
    connection.dispose();
  });
});
