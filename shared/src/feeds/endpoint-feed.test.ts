import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import { EndpointFeed } from './endpoint-feed.js';
import type { EndpointViewMessage } from './protocol.js';

// The endpoint feed's monitoring choices (what it asks the bridge, what it tells the view) with
// the bridge's answers stood in for; the real bridge is driven by the editors' end-to-end tests.

const endpoint = { id: 'e1', name: 'iris', stages: [{ name: 'prod', payloadLogging: { enabled: false } }] };
const notFound = async () => {
  throw new ApiError(404, 'not_found', 'Route not found');
};

function stub(monitoring: 'present' | 'absent') {
  const calls: string[] = [];
  const answer =
    <T>(name: string, value: T) =>
    async (args?: { params?: { stage?: string }; body?: unknown }) => {
      calls.push(args?.params?.stage ? `${name} ${args.params.stage}` : name);
      return value;
    };
  const api = {
    getEndpoint: async () => endpoint,
    getEndpointStats: async () => ({ minutes: [] }),
    getEndpointResources: monitoring === 'present' ? answer('resources', { resource: 'endpoints', processes: [] }) : notFound,
    getEndpointDrift: monitoring === 'present' ? answer('drift', { endpointId: 'e1', windows: [] }) : notFound,
    getEndpointModelQuality: monitoring === 'present' ? answer('quality', { endpointId: 'e1', windows: [] }) : notFound,
    deactivateEndpointStage: answer('deactivate', {}),
    activateEndpointStage: answer('activate', {}),
    deployEndpointStage: async () => {
      calls.push('deploy');
      throw new ApiError(409, 'conflict', 'stage prod is ACTIVE: only a failed stage is deployed again');
    },
    updateEndpointStage: answer('update', {}),
  };
  return { client: { api } as unknown as EmkitClient, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (action: ResourceEvent['action'], data: unknown): ResourceEvent => ({
  seq: 1,
  time: '2026-12-07T03:00:00.000Z',
  resource: 'endpoints',
  action,
  id: 'e1',
  data: data as ResourceEvent['data'],
});

describe('the endpoint feed', () => {
  it("reads the workers' usage, drift and quality after the endpoint, then follows usage rounds", async () => {
    const { client, calls } = stub('present');
    const messages: EndpointViewMessage[] = [];
    const feed = new EndpointFeed(client, 'e1', (m) => messages.push(m));
    feed.start();
    await settle();
    await settle();
    expect(messages.map((m) => m.type).sort()).toEqual(['drift', 'endpoint', 'quality', 'stats', 'usage']);
    const round = { processes: [{ process: 'worker 0', kind: 'worker', stage: 'prod', pid: 3, sample: {} }] };
    feed.handleEvent(event('usage', round));
    expect(messages.at(-1)).toEqual({ type: 'usageRound', data: round });
    // a finished minute: drift and quality are read again
    calls.length = 0;
    feed.handleEvent(event('stats', { stageId: 's1', minute: '2026-12-07T03:00:00.000Z' }));
    await settle();
    expect(calls.sort()).toEqual(['drift', 'quality']);
    feed.dispose();
  });

  it('shows nothing, and no error, where the bridge has no monitoring routes', async () => {
    const { client } = stub('absent');
    const messages: EndpointViewMessage[] = [];
    const feed = new EndpointFeed(client, 'e1', (m) => messages.push(m));
    feed.start();
    await settle();
    await settle();
    expect(messages.map((m) => m.type).sort()).toEqual(['endpoint', 'stats']);
    feed.dispose();
  });

  it("does the stage lifecycle and settings itself, answering done or the bridge's words", async () => {
    const { client, calls } = stub('present');
    const messages: EndpointViewMessage[] = [];
    const feed = new EndpointFeed(client, 'e1', (m) => messages.push(m));
    expect(feed.act({ action: 'deactivateStage', stage: 'prod' })).toBe(true);
    expect(feed.act({ action: 'activateStage', stage: 'prod' })).toBe(true);
    expect(feed.act({ action: 'redeployStage', stage: 'prod' })).toBe(true);
    expect(feed.act({ action: 'updateStage', stage: 'prod', body: { memoryLimitMb: 256 } })).toBe(true);
    // the host's own
    expect(feed.act({ action: 'addAlert', stage: 'prod' })).toBe(false);
    expect(feed.act({ action: 'addStage' })).toBe(false);
    await settle();
    await settle();
    expect(calls.filter((c) => !['drift', 'quality'].includes(c))).toEqual([
      'deactivate prod',
      'activate prod',
      'deploy',
      'update prod',
    ]);
    expect(messages.filter((m) => m.type === 'stageSaved' || m.type === 'stageError')).toEqual([
      { type: 'stageSaved', stage: 'prod' },
      { type: 'stageSaved', stage: 'prod' },
      { type: 'stageError', stage: 'prod', message: 'stage prod is ACTIVE: only a failed stage is deployed again' },
      { type: 'stageSaved', stage: 'prod' },
    ]);
    feed.dispose();
  });
});
