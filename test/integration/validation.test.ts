import { ApiError } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge } from '../support/bridge.js';

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
