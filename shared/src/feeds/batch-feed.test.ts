import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import { BatchFeed } from './batch-feed.js';
import type { BatchViewMessage } from './protocol.js';

// The feed's choices (what it asks the bridge, what it tells the view) with the bridge's answers
// stood in for; the real bridge is driven by the editors' end-to-end tests.

const job = (state: string, done: number, errors = 0) => ({
  id: 'b1',
  name: 'score-1',
  state,
  progress: { done, total: 100, errors, rate: 10, etaSeconds: 5 },
});

function stub(log: string) {
  const calls: string[] = [];
  let errors: { key: string; reason: string }[] = [];
  const api = {
    getBatchInference: async () => job('RUNNING', 10),
    getBatchInferenceLog: async ({ query }: { query: { offset: number } }) => {
      calls.push(`log from ${query.offset}`);
      const text = log.slice(query.offset);
      return { text, offset: query.offset, nextOffset: log.length, size: log.length };
    },
    listBatchInferenceErrors: async () => {
      calls.push('errors');
      return { items: errors, total: errors.length };
    },
    stopBatchInference: async () => {
      calls.push('stop');
      return job('STOP IN PROGRESS', 10);
    },
  };
  return {
    client: { api } as unknown as EmkitClient,
    calls,
    grow: (more: string) => (log += more),
    bad: (items: typeof errors) => (errors = items),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (action: ResourceEvent['action'], data: unknown, id = 'b1'): ResourceEvent => ({
  seq: 1,
  time: '2026-12-06T00:00:00.000Z',
  resource: 'batch-inferences',
  action,
  id,
  data: data as ResourceEvent['data'],
});

describe('the batch job feed', () => {
  it('posts the job and its log, then each change with the log read on from where it was', async () => {
    const { client, calls, grow } = stub('[emkit] loading\n');
    const messages: BatchViewMessage[] = [];
    const feed = new BatchFeed(client, 'b1', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages[0]).toMatchObject({ type: 'batch', batch: { progress: { done: 10 } } });
    expect(messages[1]).toEqual({ type: 'log', text: '[emkit] loading\n', reset: true });

    grow('[emkit] scored 50 items, 0 bad\n');
    feed.handleEvent(event('updated', job('RUNNING', 50)));
    feed.handleEvent(event('updated', job('RUNNING', 60), 'other'));
    await settle();
    await settle();
    expect(messages.filter((m) => m.type === 'batch').map((m) => m.type === 'batch' && m.batch.progress.done)).toEqual([10, 50]);
    expect(messages.at(-1)).toEqual({ type: 'log', text: '[emkit] scored 50 items, 0 bad\n' });
    expect(calls).toContain('log from 16');
  });

  it('reads the bad items at start and again only when their count grows', async () => {
    const { client, calls, bad } = stub('');
    const messages: BatchViewMessage[] = [];
    const feed = new BatchFeed(client, 'b1', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages.find((m) => m.type === 'errors')).toEqual({ type: 'errors', items: [] });
    feed.handleEvent(event('updated', job('RUNNING', 20)));
    await settle();
    expect(calls.filter((c) => c === 'errors')).toHaveLength(1);
    bad([{ key: '17', reason: 'unparseable row' }]);
    feed.handleEvent(event('updated', job('RUNNING', 30, 1)));
    await settle();
    expect(calls.filter((c) => c === 'errors')).toHaveLength(2);
    expect(messages.filter((m) => m.type === 'errors').at(-1)).toEqual({
      type: 'errors',
      items: [{ key: '17', reason: 'unparseable row' }],
    });
  });

  it('stops the job itself and leaves the other actions to its host; says when the job is deleted', async () => {
    const { client, calls } = stub('');
    const messages: BatchViewMessage[] = [];
    const feed = new BatchFeed(client, 'b1', (m) => messages.push(m));
    expect(feed.act({ action: 'stop' })).toBe(true);
    expect(feed.act({ action: 'openOutput' })).toBe(false);
    expect(feed.act({ action: 'delete' })).toBe(false);
    await settle();
    expect(calls).toContain('stop');
    expect(messages[0]).toMatchObject({ type: 'batch', batch: { state: 'STOP IN PROGRESS' } });
    feed.handleEvent(event('deleted', null));
    expect(messages.at(-1)).toEqual({ type: 'deleted' });
  });

  it("leaves a `usage` event (its runner's resource samples) alone: it is no job to show", async () => {
    const { client, calls } = stub('');
    const messages: BatchViewMessage[] = [];
    const feed = new BatchFeed(client, 'b1', (m) => messages.push(m));
    feed.start();
    await settle();
    const shown = messages.length;
    const before = calls.length;
    const sample = { time: '2026-12-06T00:00:01.000Z', cpuPercent: 90, memoryMb: 300, threads: 3, openFiles: 4 };
    feed.handleEvent(event('usage', { processes: [{ process: 'runner', kind: 'batch-worker', stage: null, pid: 7, sample }] }));
    await settle();
    expect(messages).toHaveLength(shown);
    expect(calls).toHaveLength(before);
  });
});
