import { request } from 'node:http';
import { join } from 'node:path';
import { ApiError, type RouteDef, routePath, routes } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge } from '../support/bridge.js';
import { writeTree } from '../support/trainings.js';

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

async function post(path: string, body: string) {
  const response = await fetch(bridge.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${bridge.token}`, 'content-type': 'application/json' },
    body,
  });
  return {
    status: response.status,
    body: (await response.json()) as { error: { code: string; message: string; field?: string } },
  };
}

describe('bad input gets a clear error and loses nothing', () => {
  it('malformed JSON → 400 bad_request', async () => {
    const { status, body } = await post('/api/v1/experiments', '{"name": ');
    expect(status).toBe(400);
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it.each([
    ['an invalid name', '{"name": "Has Spaces"}', 'name', /must match pattern.*lower-case letters/],
    ['a missing name', '{}', 'name', /must have required property/],
    ['an unknown field', '{"name": "ok", "colour": "red"}', 'colour', /not a known field/],
    ['a number for a string', '{"name": 5}', 'name', /must be string/],
  ])('%s → 400 naming the field', async (_what, body, field, message) => {
    const result = await post('/api/v1/experiments', body);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'validation', field });
    expect(result.body.error.message).toMatch(message);
  });

  it('names a nested field: the third package of an environment', async () => {
    const result = await post(
      '/api/v1/environments',
      JSON.stringify({ name: 'ok', packages: ['numpy', 'pandas', '--index-url=http://x'] }),
    );
    expect(result.status).toBe(400);
    expect(result.body.error.field).toBe('packages[2]');
  });

  it('rejects bad query strings and unknown ids', async () => {
    const api = bridge.client.api;
    await expect(api.listExperiments({ query: { limit: 0 } })).rejects.toMatchObject({ status: 400, field: 'limit' });
    await expect(api.getExperiment({ params: { id: 'no-such' } })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(api.getEnvironment({ params: { id: 'no-such' } })).rejects.toMatchObject({ status: 404 });
    await expect(api.deleteExperiment({ params: { id: 'no-such' } })).rejects.toMatchObject({ status: 404 });
    await expect(api.getEnvironmentLog({ params: { id: 'no-such' } })).rejects.toMatchObject({ status: 404 });
  });

  it('a name taken → 409 conflict, and the first one is untouched', async () => {
    const api = bridge.client.api;
    const first = await api.createExperiment({ body: { name: 'taken', description: 'first' } });
    const error = await api.createExperiment({ body: { name: 'taken', description: 'second' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict' });
    expect(await api.getExperiment({ params: { id: 'taken' } })).toEqual(first);
  });

  it('an oversized body → 413', async () => {
    const result = await post('/api/v1/experiments', JSON.stringify({ name: 'big', description: 'x'.repeat(2 * 1024 * 1024) }));
    expect(result.status).toBe(413);
  });

  it('keeps serving, and no failed request left a record or an event', async () => {
    const api = bridge.client.api;
    const before = await api.getStatus({});
    await post('/api/v1/experiments', '{"name": "x", "bogus": 1}');
    await post('/api/v1/experiments', 'not json');
    await post('/api/v1/environments', '{"name": "env-x", "python": "2.7"}');
    const after = await api.getStatus({});
    expect(after.counts).toEqual(before.counts);
    expect(after.eventSeq).toBe(before.eventSeq);
    expect((await api.health({})).status).toBe('ok');
  });

  it('lists page by page, newest first', async () => {
    const api = bridge.client.api;
    for (const n of [1, 2, 3]) await api.createExperiment({ body: { name: `page-${n}` } });
    const page = await api.listExperiments({ query: { limit: 2, offset: 0 } });
    expect(page.items.map((e) => e.name)).toEqual(['page-3', 'page-2']);
    const next = await api.listExperiments({ query: { limit: 2, offset: 2 } });
    expect(next.items[0]?.name).toBe('page-1');
    expect(page.total).toBe(next.total);
  });

  it('updates and deletes an experiment by name', async () => {
    const api = bridge.client.api;
    await api.createExperiment({ body: { name: 'to-change' } });
    const changed = await api.updateExperiment({ params: { id: 'to-change' }, body: { description: 'now described' } });
    expect(changed.description).toBe('now described');
    await api.deleteExperiment({ params: { id: 'to-change' } });
    await expect(api.getExperiment({ params: { id: 'to-change' } })).rejects.toMatchObject({ status: 404 });
  });
});

/** A request as sent, Host header included (fetch can't set it), with its status and parsed body. */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${bridge.url}${path}`, { headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('what the fuzzer found', () => {
  const training = (extra: object) => {
    const source = writeTree(join(bridge.home, 'test-source'), { 'train.py': 'print(1)\n' });
    return post('/api/v1/trainings', JSON.stringify({ source: { path: join(source, 'train.py') }, ...extra }));
  };

  it.each([
    ['a dataset name with "="', { datasets: { 'a=b': '/tmp' } }, 'datasets.a=b', /not a valid key.*letters, digits and "_"/],
    ['a dataset name with NUL', { datasets: { 'd\u0000': '/tmp' } }, 'datasets.d\u0000', /not a valid key/],
    ['a hyperparameter value with NUL', { hyperparameters: { lr: '1\u0000' } }, 'hyperparameters.lr', /NUL/],
    ['a dataset path with NUL', { datasets: { d: '/tmp\u0000x' } }, 'datasets.d', /NUL/],
  ])('%s → 400 naming the field, and no training', async (_what, extra, field, message) => {
    const before = await bridge.client.api.listTrainings({});
    const result = await training(extra);
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'validation', field });
    expect(result.body.error.message).toMatch(message);
    expect((await bridge.client.api.listTrainings({})).total).toBe(before.total);
  });

  it('a value with "=" is a value like any other', async () => {
    const result = await training({ hyperparameters: { lr: 'a=b' } });
    expect(result.status).toBe(202);
  });

  const withOffset = (Object.entries(routes) as [string, RouteDef][]).filter(([, route]) =>
    Object.hasOwn((route.querystring as { properties?: object } | undefined)?.properties ?? {}, 'offset'),
  );
  it.each(withOffset)('%s: an offset past 2^53 → 400, not 500', async (_name, route) => {
    const path = routePath(route.url, { id: 'x', stage: 'x', endpoint: 'x' });
    const response = await fetch(`${bridge.url}${path}?offset=100000000000000000000`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatchObject({ code: 'validation', field: 'offset' });
  });

  it.each([
    ['-r /etc/passwd\n', '-r'],
    ['numpy\n--index-url http://evil.example/simple\n', '--index-url'],
    ['numpy\n--extra-index-url=http://evil.example\n', '--extra-index-url'],
  ])('requirements %j (a pip option) → 400 naming requirements, and no environment', async (requirements, option) => {
    const before = await bridge.client.api.listEnvironments({});
    const result = await post('/api/v1/environments', JSON.stringify({ name: 'opts', requirements }));
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ code: 'validation', field: 'requirements' });
    expect(result.body.error.message).toContain(`pip option "${option}"`);
    expect((await bridge.client.api.listEnvironments({})).total).toBe(before.total);
  });

  it('a deeply nested body → 400, and the bridge keeps serving', async () => {
    const depth = 100_000;
    for (const body of [
      `${'['.repeat(depth)}${']'.repeat(depth)}`,
      `{"name":"deep","description":${'{"constructor":'.repeat(depth / 4)}1${'}'.repeat(depth / 4)}}`,
      `{"name":"deep","description":${'['.repeat(depth)}{"__proto__":1}${']'.repeat(depth)}}`,
    ]) {
      const result = await post('/api/v1/experiments', body);
      expect(result.status).toBe(400);
      expect(result.body.error.code).toMatch(/^(validation|bad_request)$/);
    }
    expect((await bridge.client.api.health({})).status).toBe('ok');
  });

  describe('a URL the router cannot take goes through the same checks, and gets the envelope', () => {
    const tooLong = `/api/v1/trainings/${'a'.repeat(200)}`;
    const malformed = '/api/v1/trainings/%zz';
    const host = () => `127.0.0.1:${bridge.port}`;

    it.each([
      ['too long', tooLong, 414],
      ['malformed', malformed, 400],
    ])('%s: foreign Host → 403, no token → 401, with the token → its own status', async (_what, path, status) => {
      const foreign = await raw(path, { host: `rebind.example:${bridge.port}` });
      expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      const origin = await raw(path, { host: host(), origin: 'http://evil.example' });
      expect(origin).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
      const anonymous = await raw(path, { host: host() });
      expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
      const answered = await raw(path, { host: host(), authorization: `Bearer ${bridge.token}` });
      expect(answered).toMatchObject({ status, body: { error: { code: 'bad_request' } } });
    });
  });
});
