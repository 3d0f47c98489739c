// What the bridge's cluster dashboard proxy passes on and back, seen from the other side: a
// small HTTP server that answers Ray's version and nodes calls (so the bridge finds the cluster
// REACHABLE) and records every other request it gets. A real Ray can't show which headers it
// was sent; this can. The proxy against a real Ray dashboard is in clusters.test.ts.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, waitFor } from '../support/bridge.js';

const RAY_TOKEN = 'ray-token-the-browser-must-never-see';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let bridge: TestBridge;
let ray: Server;
let address: string;
let page: string;
const seen: Seen[] = [];

function standIn(): Server {
  return createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      const url = request.url ?? '/';
      const json = (value: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(200, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(value));
      };
      // the bridge's own checks of the cluster
      if (url === '/api/version') return json({ version: '4', ray_version: '2.60.0' });
      if (url.startsWith('/api/v0/nodes')) {
        const node = { node_id: 'n0', node_ip: '127.0.0.2', is_head_node: true, state: 'ALIVE', resources_total: { CPU: 1 } };
        return json({ result: true, msg: '', data: { result: { result: [node] } } });
      }
      seen.push({ method: request.method ?? '', url, headers: request.headers, body });
      if (url === '/moved') {
        response.writeHead(302, { location: '/#/jobs' });
        return response.end();
      }
      if (url === '/absolute') {
        response.writeHead(307, { location: `${address}/api/jobs/` });
        return response.end();
      }
      json({ ok: true }, { 'set-cookie': 'ray-authentication-token=x; Path=/' });
    });
  });
}

beforeAll(async () => {
  ray = standIn();
  await new Promise<void>((resolve) => ray.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(ray.address() as AddressInfo).port}`;
  // checked once at the start, then not for an hour: the proxy alone meets a dashboard that is gone
  bridge = await startBridge({ args: ['--cluster-poll', '3600'] });
  const cluster = await bridge.client.api.createCluster({ body: { name: 'stand', address, token: RAY_TOKEN } });
  await waitFor(
    async () => (await bridge.client.api.getCluster({ params: { id: 'stand' } })).state === 'REACHABLE',
    20_000,
    'the cluster to be REACHABLE',
  );
  page = `${bridge.url}/clusters/${cluster.id}/dashboard/`;
}, 60_000);

afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  ray?.close();
});

const bearer = () => ({ authorization: `Bearer ${bridge.token}` });

describe('the cluster dashboard proxy', () => {
  it("sends Ray its token in place of the bridge's credentials, and the path and body as they came", async () => {
    seen.length = 0;
    const got = await fetch(`${page}api/jobs/?limit=5`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json', cookie: 'emkit_session=abc; other=1' },
      body: JSON.stringify({ entrypoint: 'echo hi' }),
    });
    expect(got.status).toBe(200);
    // a cookie Ray sets would land on the bridge's own origin: dropped
    expect(got.headers.get('set-cookie')).toBeNull();
    const [request] = seen;
    expect(request).toMatchObject({ method: 'POST', url: '/api/jobs/?limit=5', body: '{"entrypoint":"echo hi"}' });
    expect(request?.headers.authorization).toBe(`Bearer ${RAY_TOKEN}`);
    expect(request?.headers.cookie).toBeUndefined();
    expect(request?.headers.host).toBe(new URL(address).host);
    expect(JSON.stringify(request?.headers)).not.toContain(bridge.token);

    // a browser tab's one-time credential in the address never reaches Ray either
    seen.length = 0;
    const opened = await fetch(`${page}index.html?token=${bridge.token}&x=1`, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const followed = await fetch(`${bridge.url}${opened.headers.get('location')}`, { headers: { cookie } });
    expect(followed.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(['/index.html?x=1']);
    expect(JSON.stringify(seen[0]?.headers)).not.toContain(bridge.token);
    expect(seen[0]?.headers.cookie).toBeUndefined();
  });

  it('is what `emkit cluster dashboard NAME` prints: the address with a one-time ticket, which opens a session', async () => {
    const printed = await emkitCli(bridge, 'cluster', 'dashboard', 'stand');
    expect(printed.code, printed.stderr).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toMatch(new RegExp(`^${page.replace(/[.?]/g, '\\$&')}\\?ticket=[\\w-]+$`));
    expect(url).not.toContain(bridge.token);
    const opened = await fetch(url, { redirect: 'manual' });
    expect([opened.status, opened.headers.get('location')]).toEqual([303, new URL(page).pathname]);
    expect(opened.headers.get('set-cookie')).toMatch(/^emkit_session=[\w-]+; Path=\/clusters\/[\w-]+\/dashboard;/);
    // spent
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(401);
    const json = await emkitCli(bridge, '--json', 'cluster', 'dashboard', 'stand');
    expect(JSON.parse(json.stdout)).toEqual({ url: expect.stringContaining(`${page}?ticket=`) });
    const missing = await emkitCli(bridge, 'cluster', 'dashboard', 'nope');
    expect([missing.code, missing.stderr.trim()]).toEqual([4, 'emkit: cluster "nope" doesn\'t exist']);
  });

  it("points Ray's redirects back under the proxy", async () => {
    const scope = new URL(page).pathname.replace(/\/$/, '');
    const moved = await fetch(`${page}moved`, { headers: bearer(), redirect: 'manual' });
    expect([moved.status, moved.headers.get('location')]).toEqual([302, `${scope}/#/jobs`]);
    const absolute = await fetch(`${page}absolute`, { headers: bearer(), redirect: 'manual' });
    expect([absolute.status, absolute.headers.get('location')]).toEqual([307, `${scope}/api/jobs/`]);
    // the dashboard's own root, without its slash, goes to it with one
    const bare = await fetch(page.slice(0, -1), { headers: bearer(), redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([302, `${scope}/`]);
  });

  it('answers 503 at once, with the reason, when the dashboard has gone, and the bridge keeps serving', async () => {
    await new Promise<void>((resolve) => ray.close(() => resolve()));
    ray.closeAllConnections();
    const gone = await fetch(`${page}api/v0/nodes`, { headers: bearer() });
    expect(gone.status).toBe(503);
    expect(await gone.json()).toEqual({
      error: {
        code: 'not_ready',
        message: expect.stringMatching(/^the Ray dashboard of cluster "stand" did not answer: .*ECONNREFUSED/),
      },
    });
    // the failure has the cluster checked at once, not at the next poll (an hour away)
    const unreachable = await waitFor(
      async () => {
        const c = await bridge.client.api.getCluster({ params: { id: 'stand' } });
        return c.state === 'UNREACHABLE' ? c : undefined;
      },
      10_000,
      'the cluster to show UNREACHABLE',
    );
    expect(unreachable.stateReason).toMatch(/ECONNREFUSED/);
    const refused = await fetch(`${page}`, { headers: { ...bearer(), accept: 'text/html' } });
    expect([refused.status, refused.headers.get('content-type')]).toEqual([503, 'text/html; charset=utf-8']);
    expect(await refused.text()).toContain('cluster &quot;stand&quot; is UNREACHABLE');
    expect((await fetch(`${bridge.url}/api/v1/health`)).ok).toBe(true);
  });
});
