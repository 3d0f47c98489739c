import { EventStream, type WebSocketFactory } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge } from '../support/bridge.js';

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

/** `ws`, recording the address and subprotocol each socket is opened with, as a browser console would show them. */
function recordingWebSocket(opened: { url: string; protocol: string }[]): WebSocketFactory {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      this.on('open', () => opened.push({ url, protocol: this.protocol }));
    }
  } as unknown as WebSocketFactory;
}

function upgrade(url: string, protocols?: string[]): Promise<{ status: number; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
    socket.on('open', () => {
      resolve({ status: 101, protocol: socket.protocol });
      socket.close();
    });
    socket.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    socket.on('error', reject);
  });
}

describe("the shared client's WebSockets", () => {
  it('open addresses that carry no token, and connect', async () => {
    const opened: { url: string; protocol: string }[] = [];
    const connected = new Promise<void>((resolve) => {
      const stream = new EventStream(
        bridge.client,
        {
          connection: (up) => {
            if (up) {
              stream.close();
              resolve();
            }
          },
        },
        { WebSocket: recordingWebSocket(opened) },
      );
    });
    await connected;
    expect(opened.length).toBe(1);
    expect(bridge.client.trainingLogUrl('some-training')).not.toContain('token');
    for (const { url, protocol } of opened) {
      expect(url).not.toContain(bridge.token);
      expect(url).not.toContain('token=');
      // the subprotocol the bridge answers with is the plain one, never the credential
      expect(protocol).toBe('emkit');
    }
  });

  it('take the token in the subprotocol header, not in the address', async () => {
    const url = `${bridge.url.replace('http', 'ws')}/api/v1/events`;
    expect((await upgrade(url, bridge.client.socketProtocols())).status).toBe(101);
    expect((await upgrade(`${url}?token=${bridge.token}`)).status).toBe(401);
    expect((await upgrade(url, ['emkit', 'emkit.bearer.d3Jvbmc'])).status).toBe(401);
  });
});
