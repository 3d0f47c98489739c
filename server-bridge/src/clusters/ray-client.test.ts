import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RayClient } from './ray-client.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A stand-in for Ray's dashboard that records what it was sent. */
async function dashboard(answer: (req: IncomingMessage, body: string) => [number, string] | null) {
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const listening = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      const reply = answer(req, body);
      if (!reply) return; // never answers
      res.writeHead(reply[0], { 'Content-Type': 'application/json' }).end(reply[1]);
    });
  });
  server = listening;
  await new Promise<void>((r) => listening.listen(0, '127.0.0.1', r));
  return { address: `http://127.0.0.1:${(listening.address() as AddressInfo).port}`, seen };
}

describe("the bridge's Ray client", () => {
  it('sends the token as a Bearer header and JSON bodies as JSON, with no browser headers', async () => {
    const ray = await dashboard(() => [200, '{"submission_id":"s1","job_id":null}']);
    const client = new RayClient({ address: ray.address, token: 'secret-token-1234' });
    expect(await client.submitJob({ entrypoint: 'python x.py', submission_id: 's1' })).toEqual({
      submission_id: 's1',
      job_id: null,
    });
    const [call] = ray.seen;
    expect(call?.method).toBe('POST');
    expect(call?.url).toBe('/api/jobs/');
    expect(call?.headers.authorization).toBe('Bearer secret-token-1234');
    expect(call?.headers['sec-fetch-mode']).toBeUndefined();
    expect(JSON.parse(call?.body ?? '')).toEqual({ entrypoint: 'python x.py', submission_id: 's1' });
  });

  it('says the token was refused on 401, and what Ray said otherwise', async () => {
    const ray = await dashboard((req) => (req.url === '/api/version' ? [401, 'Unauthorized'] : [500, 'boom']));
    const client = new RayClient({ address: ray.address });
    await expect(client.version()).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/refused the token/) });
    await expect(client.job('x')).rejects.toMatchObject({ status: 500, message: expect.stringMatching(/HTTP 500: boom/) });
  });

  it('gives up on a dashboard that accepts and never answers, and on one that is not there', async () => {
    const ray = await dashboard(() => null);
    await expect(new RayClient({ address: ray.address, timeoutMs: 300 }).version()).rejects.toMatchObject({
      status: 0,
      message: expect.stringMatching(/didn't answer within 0.3 s/),
    });
    await expect(new RayClient({ address: 'http://127.0.0.1:9', timeoutMs: 300 }).nodes()).rejects.toMatchObject({
      status: 0,
      message: expect.stringMatching(/not reachable \(ECONNREFUSED\)/),
    });
  });

  it('tells a package Ray has from one it lacks, and uploads the zip as it is', async () => {
    const stored = new Set<string>();
    const ray = await dashboard((req, body) => {
      const name = req.url?.split('/').pop() ?? '';
      if (req.method === 'PUT') {
        stored.add(`${name}:${body}`);
        return [200, '{}'];
      }
      return [...stored].some((s) => s.startsWith(`${name}:`)) ? [200, 'zip'] : [404, 'not found'];
    });
    const client = new RayClient({ address: ray.address });
    expect(await client.hasPackage('_ray_pkg_ab.zip')).toBe(false);
    expect(await client.ensurePackage('_ray_pkg_ab.zip', Buffer.from('PK-bytes'))).toBe('gcs://_ray_pkg_ab.zip');
    expect([...stored]).toEqual(['_ray_pkg_ab.zip:PK-bytes']);
    await client.ensurePackage('_ray_pkg_ab.zip', Buffer.from('PK-bytes'));
    expect(ray.seen.filter((s) => s.method === 'PUT')).toHaveLength(1);
  });
});
