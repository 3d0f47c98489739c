import { EventStream, type ResourceEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, waitFor } from '../support/bridge.js';

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

/** Every message of a raw connection, until closed. */
function collect(url: string): {
  messages: { type: string; seq?: number; event?: ResourceEvent }[];
  close(): void;
  opened: Promise<void>;
} {
  const socket = new WebSocket(url, bridge.client.socketProtocols());
  const messages: { type: string; seq?: number; event?: ResourceEvent }[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const opened = new Promise<void>((resolve) => socket.on('open', () => resolve()));
  return { messages, close: () => socket.close(), opened };
}

describe('the event stream', () => {
  it('delivers every change, in commit order, with the resource in it', async () => {
    const api = bridge.client.api;
    const live = collect(bridge.client.eventsUrl());
    await live.opened;
    await waitFor(async () => live.messages.length >= 1, 5000, 'hello');
    const start = live.messages[0]?.seq ?? 0;
    const names = Array.from({ length: 40 }, (_, i) => `ev-${i}`);
    await Promise.all(names.map((name) => api.createExperiment({ body: { name } })));
    await Promise.all(
      names.slice(0, 10).map((name) => api.updateExperiment({ params: { id: name }, body: { description: 'd' } })),
    );
    await Promise.all(names.slice(0, 5).map((name) => api.deleteExperiment({ params: { id: name } })));
    const events = () => live.messages.filter((m) => m.type === 'event').map((m) => m.event as ResourceEvent);
    await waitFor(async () => events().length >= 55, 10_000, '55 events');
    live.close();
    const received = events();
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: 55 }, (_, i) => start + 1 + i));
    expect(
      received
        .filter((e) => e.action === 'created')
        .map((e) => e.data?.name)
        .sort(),
    ).toEqual([...names].sort());
    expect(received.filter((e) => e.action === 'updated')).toHaveLength(10);
    expect(received.filter((e) => e.action === 'deleted').map((e) => e.data)).toEqual(Array(5).fill(null));
    // per experiment: created before updated before deleted
    for (const name of names.slice(0, 5)) {
      const id = received.find((e) => e.data?.name === name)?.id;
      expect(received.filter((e) => e.id === id).map((e) => e.action)).toEqual(['created', 'updated', 'deleted']);
    }

    // a late subscriber asking from `start` gets exactly the same sequence, replayed
    const replay = collect(bridge.client.eventsUrl(start));
    await waitFor(async () => replay.messages.filter((m) => m.type === 'event').length >= 55, 10_000, 'replay');
    replay.close();
    expect(replay.messages.filter((m) => m.type === 'event').map((m) => m.event)).toEqual(received);
  });

  it('says reset when asked to resume from a seq it never had', async () => {
    const head = (await bridge.client.api.getStatus({})).eventSeq;
    const stale = collect(bridge.client.eventsUrl(head + 1000));
    await waitFor(async () => stale.messages.length >= 2, 5000, 'reset');
    stale.close();
    expect(stale.messages[1]).toEqual({ type: 'reset', seq: head });
  });

  it('resumes across a reconnect (the bridge restarted) without losing or repeating an event', async () => {
    const received: ResourceEvent[] = [];
    const connections: boolean[] = [];
    const stream = new EventStream(
      bridge.client,
      { event: (e) => received.push(e), connection: (up) => connections.push(up) },
      { WebSocket: WebSocket as never, minDelayMs: 50, maxDelayMs: 200 },
    );
    await waitFor(async () => connections.includes(true), 5000, 'connected');
    const api = bridge.client.api;
    await api.createExperiment({ body: { name: 'before-restart' } });
    await waitFor(async () => received.length >= 1, 5000, 'first event');

    // the stream drops; changes happen while it is away
    const { home, port } = bridge;
    await bridge.stop();
    const offline = await startBridge({ home, port: 0 });
    for (const n of [1, 2, 3]) await offline.client.api.createExperiment({ body: { name: `while-away-${n}` } });
    await offline.stop();
    bridge = await startBridge({ home, port });
    await bridge.client.api.createExperiment({ body: { name: 'after-restart' } });

    await waitFor(async () => received.length >= 5, 15_000, 'all five events');
    stream.close();
    expect(connections).toContain(false);
    expect(received.map((e) => e.data?.name)).toEqual([
      'before-restart',
      'while-away-1',
      'while-away-2',
      'while-away-3',
      'after-restart',
    ]);
    const seqs = received.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
