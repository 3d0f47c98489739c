import { describe, expect, it } from 'vitest';
import { EmkitClient } from './client.js';
import { ApiError } from './errors.js';
import { routePath, routes } from './routes/index.js';
import { tokenFromSocketProtocols } from './socket-auth.js';

describe('routePath', () => {
  it('fills and escapes path parameters', () => {
    expect(routePath('/api/v1/experiments/:id', { id: 'a b/c' })).toBe('/api/v1/experiments/a%20b%2Fc');
    expect(() => routePath('/api/v1/experiments/:id', {})).toThrow(/missing path parameter "id"/);
  });

  it("keeps a literal colon and drops a parameter's router pattern (the KServe path)", () => {
    expect(routePath(routes.kservePredict.url, { endpoint: 'iris-api' })).toBe('/v1/models/iris-api:predict');
  });
});

describe('EmkitClient', () => {
  it('turns an error envelope into an ApiError with status, code, field and message', async () => {
    const client = new EmkitClient({
      baseUrl: 'http://bridge.test/',
      token: 't',
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'validation', message: 'body.name: bad', field: 'name' } }), {
          status: 400,
        }),
    });
    const error = await client.api.createExperiment({ body: { name: 'x' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation', field: 'name', message: 'body.name: bad' });
  });

  it('says the bridge is unreachable, and how to start it, when fetch fails', async () => {
    const client = new EmkitClient({
      baseUrl: 'http://127.0.0.1:9',
      token: 't',
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });
    await expect(client.api.getStatus({})).rejects.toMatchObject({
      status: 0,
      code: 'unreachable',
      message: expect.stringMatching(/emkit serve/),
    });
  });

  it('sends the token, the query and the JSON body', async () => {
    let seen: { url: string; init: RequestInit | undefined } | undefined;
    const client = new EmkitClient({
      baseUrl: 'http://bridge.test',
      token: 'secret',
      fetch: async (url, init) => {
        seen = { url: String(url), init };
        return new Response(JSON.stringify({ items: [], total: 0 }), { status: 200 });
      },
    });
    await client.api.listExperiments({ query: { limit: 5, offset: undefined } });
    expect(seen?.url).toBe('http://bridge.test/api/v1/experiments?limit=5');
    expect((seen?.init?.headers as Record<string, string> | undefined)?.authorization).toBe('Bearer secret');
    // the token rides in the subprotocol header, never in a socket's address
    expect(client.eventsUrl(7)).toBe('ws://bridge.test/api/v1/events?since=7');
    expect(client.trainingLogUrl('run 1', 2, 300)).toBe('ws://bridge.test/api/v1/trainings/run%201/log/stream?rank=2&offset=300');
    expect(client.socketProtocols()).toEqual(['emkit', `emkit.bearer.${Buffer.from('secret').toString('base64url')}`]);
    expect(tokenFromSocketProtocols(client.socketProtocols().join(', '))).toBe('secret');
    expect(tokenFromSocketProtocols('emkit, emkit.bearer.%%%')).toBeUndefined();
    expect(tokenFromSocketProtocols(undefined)).toBeUndefined();
  });

  it("gives TensorBoard's address a one-time ticket, not the token", async () => {
    const client = new EmkitClient({
      baseUrl: 'http://bridge.test',
      token: 'secret',
      fetch: async () => new Response(JSON.stringify({ ticket: 'once', expiresAt: 'x' }), { status: 201 }),
    });
    expect(await client.tensorboardUrl('abc')).toBe('http://bridge.test/tensorboard/abc/?ticket=once');
  });

  it('answers a non-JSON file as text', async () => {
    const client = new EmkitClient({
      baseUrl: 'http://bridge.test',
      token: 'secret',
      fetch: async () => new Response('plain text\n', { status: 200, headers: { 'content-type': 'text/plain' } }),
    });
    expect(await client.api.getTrainingFile({ params: { id: 't' }, query: { path: 'logs/rank-0.log' } })).toBe('plain text\n');
  });
});
