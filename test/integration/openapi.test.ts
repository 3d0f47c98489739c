import {
  DATASET_NAME_PATTERN,
  EmkitClient,
  HYPERPARAMETER_KEY_PATTERN,
  type RouteDef,
  routePath,
  routes,
  TAG_KEY_PATTERN,
} from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge } from '../support/bridge.js';

let bridge: TestBridge;
interface Operation {
  operationId?: string;
  responses?: object;
  requestBody?: { content: Record<string, { schema: { properties: Record<string, object> } }> };
}
let document: { openapi: string; paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  bridge = await startBridge();
  document = (await bridge.client.api.getOpenApi({})) as typeof document;
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

/** `:id` → `{id}`; `::` is a literal colon and `(…)` a parameter's router pattern (the KServe path). */
const toOpenApiPath = (url: string) =>
  url.replace(/::|:([A-Za-z]+)(?:\([^)]*\))?/g, (_match, key: string | undefined) => (key ? `{${key}}` : ':'));

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists exactly the routes of the shared table', () => {
    expect(document.openapi).toBe('3.1.0');
    const served = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const table = (Object.values(routes) as RouteDef[]).map((r) => `${r.method} ${toOpenApiPath(r.url)}`).sort();
    expect(served).toEqual(table);
  });

  it('has an operation id, a success response and the error envelope for every route', () => {
    for (const [name, route] of Object.entries(routes) as [string, RouteDef][]) {
      const operation = document.paths[toOpenApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation?.operationId).toBe(name);
      expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining([String(route.status), '4XX']));
    }
  });

  it('has a typed client method for every JSON route, and the client calls the path it documents', async () => {
    const calls: string[] = [];
    const recording = new EmkitClient({
      baseUrl: bridge.url,
      token: bridge.token,
      fetch: async (input, init) => {
        calls.push(`${init?.method} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    for (const [name, route] of Object.entries(routes) as [string, RouteDef][]) {
      if (route.websocket) continue;
      const method = (recording.api as unknown as Record<string, (input: object) => Promise<unknown>>)[name];
      expect(method, name).toBeTypeOf('function');
      const params = { id: 'probe', stage: 'probe', endpoint: 'probe' };
      await method?.({ params, body: { name: 'probe-x', description: 'probe' } }).catch(() => undefined);
      const expected = `${route.method} ${routePath(route.url, params)}`;
      expect(calls.at(-1)).toBe(expected);
    }
  });

  it('keeps the key patterns of the maps (hyperparameters, datasets, tags), and refuses other keys', () => {
    const body = document.paths['/api/v1/trainings']?.post?.requestBody?.content['application/json']?.schema;
    for (const [field, pattern] of [
      ['hyperparameters', HYPERPARAMETER_KEY_PATTERN],
      ['datasets', DATASET_NAME_PATTERN],
      ['tags', TAG_KEY_PATTERN],
    ] as const) {
      const map = body?.properties[field] as { patternProperties?: Record<string, object>; additionalProperties?: unknown };
      expect(Object.keys(map.patternProperties ?? {}), field).toEqual([pattern]);
      expect(map.additionalProperties, field).toBe(false);
    }
  });
});
