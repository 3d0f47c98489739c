import { join } from 'node:path';
import { type Endpoint, EventStream, type ResourceEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, infer, writeCustomModel } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { venvPython } from '../support/trainings.js';

// What watches a stage (memory limit, payload logging, drift): stored at create, changed by
// PATCH with no redeploy, announced on the event stream, kept across a restart.

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-stage-settings-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const OFF = { enabled: false, sampleRate: 1, maxBytes: 65536, redact: [], keepCount: 100000, keepDays: 7 };

describe('stage monitoring settings', () => {
  it('fills the defaults at create, changes them with no redeploy, announces and keeps them', async () => {
    await bridge.client.api.createModel({ body: { name: 'watched', artifactPath: writeCustomModel(join(work, 'w'), 'w') } });
    const created = await bridge.client.api.createEndpoint({ body: { name: 'watched', model: 'watched' } });
    expect(created.stages[0]).toMatchObject({ memoryLimitMb: null, payloadLogging: OFF, drift: null });
    const endpoint = await activeEndpoint(bridge.client, 'watched');
    const pid = endpoint.stages[0]?.instances[0]?.pid;
    expect(pid).toBeGreaterThan(0);

    const events: ResourceEvent[] = [];
    const up: boolean[] = [];
    const stream = new EventStream(
      bridge.client,
      { event: (e) => events.push(e), connection: (c) => up.push(c) },
      { WebSocket: WebSocket as never },
    );
    await waitFor(async () => up.includes(true), 10_000, 'the event stream');

    const patched = await bridge.client.api.updateEndpointStage({
      params: { id: 'watched', stage: 'default' },
      body: {
        description: 'the one in service',
        memoryLimitMb: 512,
        payloadLogging: { enabled: true, sampleRate: 0.5, redact: ['ssn'] },
        drift: { window: '10s' },
      },
    });
    expect(patched).toMatchObject({
      description: 'the one in service',
      state: 'ACTIVE',
      memoryLimitMb: 512,
      payloadLogging: { ...OFF, enabled: true, sampleRate: 0.5, redact: ['ssn'] },
      drift: { reference: null, window: '10s', psiThreshold: 0.2, pValue: 0.01, minCount: 100 },
    });
    // no redeploy: the same worker serves on
    expect(patched.instances[0]).toMatchObject({ pid, state: 'READY', restarts: 0 });
    expect((await infer(bridge, '/inference/watched', { instances: [[1, 2]] })).body.predictions).toEqual([['w', 3]]);

    const announced = await waitFor(
      async () =>
        events.find(
          (e) =>
            e.resource === 'endpoints' && e.action === 'updated' && (e.data as Endpoint | null)?.stages[0]?.memoryLimitMb === 512,
        ),
      10_000,
      'the endpoints event with the new settings',
    );
    expect((announced.data as Endpoint).stages[0]?.payloadLogging.enabled).toBe(true);
    stream.close();

    // a field left out stays; a null turns it off
    const off = await bridge.client.api.updateEndpointStage({
      params: { id: 'watched', stage: 'default' },
      body: { memoryLimitMb: null },
    });
    expect(off).toMatchObject({ memoryLimitMb: null, description: 'the one in service', drift: { window: '10s' } });

    // kept across a restart of the bridge
    const { home } = bridge;
    await bridge.stop();
    bridge = await startBridge({ home, args: ['--python', venvPython] });
    const again = await bridge.client.api.getEndpointStage({ params: { id: 'watched', stage: 'default' } });
    expect(again).toMatchObject({
      memoryLimitMb: null,
      payloadLogging: { enabled: true, sampleRate: 0.5 },
      drift: { window: '10s' },
    });
    await activeEndpoint(bridge.client, 'watched');
    await bridge.client.api.deleteEndpoint({ params: { id: 'watched' } });
  });

  it('stores the settings a new stage is given', async () => {
    await bridge.client.api.createModel({ body: { name: 'given', artifactPath: writeCustomModel(join(work, 'g'), 'g') } });
    await bridge.client.api.createEndpoint({
      body: { name: 'given', model: 'given', memoryLimitMb: 256, payloadLogging: { enabled: true, maxBytes: 1024 } },
    });
    const stage = await bridge.client.api.createEndpointStage({
      params: { id: 'given' },
      body: { name: 'canary', model: 'given', payloadLogging: { enabled: true }, drift: { reference: '/data/ref.csv' } },
    });
    expect(stage).toMatchObject({
      memoryLimitMb: null,
      payloadLogging: { enabled: true },
      drift: { reference: '/data/ref.csv' },
    });
    const endpoint = await activeEndpoint(bridge.client, 'given');
    expect(endpoint.stages.find((s) => s.name === 'default')).toMatchObject({
      memoryLimitMb: 256,
      payloadLogging: { ...OFF, enabled: true, maxBytes: 1024 },
      drift: null,
    });
    await bridge.client.api.deleteEndpointStage({ params: { id: 'given', stage: 'canary' } });
    await bridge.client.api.deleteEndpoint({ params: { id: 'given' } });
  });

  it('refuses bad settings with the field named, and changes nothing', async () => {
    await bridge.client.api.createModel({ body: { name: 'strict', artifactPath: writeCustomModel(join(work, 's'), 's') } });
    await bridge.client.api.createEndpoint({ body: { name: 'strict', model: 'strict' } });
    const params = { id: 'strict', stage: 'default' };
    const api = bridge.client.api;

    const tooSmall = await refusal(api.updateEndpointStage({ params, body: { memoryLimitMb: 10 } }));
    expect([tooSmall.status, tooSmall.field]).toEqual([400, 'memoryLimitMb']);
    const rate = await refusal(api.updateEndpointStage({ params, body: { payloadLogging: { enabled: true, sampleRate: 2 } } }));
    expect([rate.status, rate.field]).toEqual([400, 'payloadLogging.sampleRate']);
    const window = await refusal(api.updateEndpointStage({ params, body: { drift: { window: '1 hour' } } }));
    expect([window.status, window.field]).toEqual([400, 'drift.window']);
    const unknown = await refusal(api.updateEndpointStage({ params, body: { instanceCount: 2 } as never }));
    expect(unknown.status).toBe(400);
    const empty = await refusal(api.updateEndpointStage({ params, body: {} }));
    expect(empty.status).toBe(400);
    // a drift watch reads the payload log: not without it
    const noLog = await refusal(api.updateEndpointStage({ params, body: { drift: {} } }));
    expect([noLog.status, noLog.field]).toEqual([400, 'drift']);
    expect(noLog.message).toMatch(/payload logging/);
    const atCreate = await refusal(
      api.createEndpointStage({ params: { id: 'strict' }, body: { name: 'b', model: 'strict', drift: {} } }),
    );
    expect([atCreate.status, atCreate.field]).toEqual([400, 'drift']);
    expect(
      (await refusal(api.updateEndpointStage({ params: { id: 'strict', stage: 'nope' }, body: { memoryLimitMb: 100 } }))).status,
    ).toBe(404);
    expect(
      (await refusal(api.updateEndpointStage({ params: { id: 'nope', stage: 'default' }, body: { memoryLimitMb: 100 } }))).status,
    ).toBe(404);

    const stage = await api.getEndpointStage({ params });
    expect(stage).toMatchObject({ memoryLimitMb: null, payloadLogging: OFF, drift: null });
    expect((await api.getEndpoint({ params: { id: 'strict' } })).stages).toHaveLength(1);
    // and the bridge keeps serving
    await activeEndpoint(bridge.client, 'strict');
    await api.deleteEndpoint({ params: { id: 'strict' } });
  });
});
