import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type RouteDef, routePath, routes } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge } from '../support/bridge.js';

let bridge: TestBridge;
const editorOrigin = 'http://127.0.0.1:8888';

beforeAll(async () => {
  bridge = await startBridge({ args: ['--cors-origin', editorOrigin, '--cors-origin', 'http://localhost:*'] });
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

const protectedRoutes = (Object.entries(routes) as [string, RouteDef][]).filter(([, r]) => !r.public && !r.websocket);

/** Opens a WebSocket and resolves with the HTTP status of a refused upgrade, or 101. */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', (error) => reject(error));
  });
}

describe('the token', () => {
  it('is not needed for the health check', async () => {
    const response = await fetch(`${bridge.url}/api/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it.each(protectedRoutes)('is needed for %s (missing → 401, wrong → 401)', async (_name, route) => {
    const url = bridge.url + routePath(route.url, { id: 'x', stage: 'x', endpoint: 'x' });
    const body = route.body ? JSON.stringify({ name: 'x' }) : undefined;
    const headers = body ? { 'content-type': 'application/json' } : {};
    const missing = await fetch(url, { method: route.method, headers, body });
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('unauthorized');
    const wrong = await fetch(url, { method: route.method, headers: { ...headers, authorization: 'Bearer wrong' }, body });
    expect(wrong.status).toBe(401);
    const wrongQuery = await fetch(`${url}?token=wrong`, { method: route.method, headers, body });
    expect(wrongQuery.status).toBe(401);
  });

  it('is needed for unknown routes too (no probing for what exists)', async () => {
    expect((await fetch(`${bridge.url}/api/v1/nothing-here`)).status).toBe(401);
  });

  it('is needed for the event stream WebSocket', async () => {
    const url = `${bridge.url.replace('http', 'ws')}/api/v1/events`;
    expect(await upgradeStatus(url)).toBe(401);
    expect(await upgradeStatus(`${url}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(url, { authorization: 'Bearer wrong' })).toBe(401);
    // sockets take the token in a header (Authorization, or the subprotocol a browser can set), never in the address
    expect(await upgradeStatus(`${url}?token=${bridge.token}`)).toBe(401);
    expect(await upgradeStatus(url, { authorization: `Bearer ${bridge.token}` })).toBe(101);
  });

  it('goes in a header, never in the query of an API route', async () => {
    const header = await fetch(`${bridge.url}/api/v1/status`, { headers: { authorization: `Bearer ${bridge.token}` } });
    expect(header.status).toBe(200);
    const query = await fetch(`${bridge.url}/api/v1/experiments?token=${bridge.token}&limit=5`);
    expect(query.status).toBe(401);
  });

  it('never appears in the logs', async () => {
    await new Promise<void>((resolve) => {
      const socket = new WebSocket(`${bridge.url.replace('http', 'ws')}/api/v1/events?token=${bridge.token}`);
      socket.on('open', () => socket.close());
      // refused (401): a token in a socket's address is no longer taken, but must not be logged either
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
    await fetch(`${bridge.url}/api/v1/experiments?token=${bridge.token}`);
    await fetch(`${bridge.url}/api/v1/status`, { headers: { authorization: `Bearer ${bridge.token}` } });
    await new Promise((r) => setTimeout(r, 300));
    expect(bridge.output()).toContain('/api/v1/experiments?token=[redacted]');
    expect(bridge.output()).not.toContain(bridge.token);
    const logFile = readFileSync(join(bridge.home, 'logs', 'bridge.log'), 'utf8');
    expect(logFile).toContain('token=[redacted]');
    expect(logFile).not.toContain(bridge.token);
  });

  it('is in runtime.json, readable by the user only', () => {
    const file = join(bridge.home, 'runtime.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(file, 'utf8'));
    expect(info).toMatchObject({ url: bridge.url, token: bridge.token, pid: bridge.process.pid });
  });
});

describe('origins and hosts', () => {
  const auth = () => ({ authorization: `Bearer ${bridge.token}` });

  it('refuses a foreign Origin, even with the token', async () => {
    const response = await fetch(`${bridge.url}/api/v1/experiments`, { headers: { ...auth(), origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('forbidden');
    const ws = `${bridge.url.replace('http', 'ws')}/api/v1/events?token=${bridge.token}`;
    expect(await upgradeStatus(ws, { origin: 'http://evil.example' })).toBe(403);
  });

  it('allows the editors listed with --cors-origin, with CORS headers and preflight', async () => {
    const response = await fetch(`${bridge.url}/api/v1/experiments`, { headers: { ...auth(), origin: editorOrigin } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(editorOrigin);
    const wildcard = await fetch(`${bridge.url}/api/v1/experiments`, { headers: { ...auth(), origin: 'http://localhost:3000' } });
    expect(wildcard.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const preflight = await fetch(`${bridge.url}/api/v1/experiments`, {
      method: 'OPTIONS',
      headers: {
        origin: editorOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const notAWildcardMatch = await fetch(`${bridge.url}/api/v1/experiments`, {
      headers: { ...auth(), origin: 'http://localhost.evil.example:3000' },
    });
    expect(notAWildcardMatch.status).toBe(403);
  });

  it('refuses a Host header other than loopback (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${bridge.url}/api/v1/health`, { headers: { host: `rebind.example:${bridge.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('listens on loopback only by default', async () => {
    const info = JSON.parse(readFileSync(join(bridge.home, 'runtime.json'), 'utf8'));
    expect(new URL(info.url).hostname).toBe('127.0.0.1');
  });
});
