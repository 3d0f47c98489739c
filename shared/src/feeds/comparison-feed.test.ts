import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { ExperimentComparison } from '../schemas/metrics.js';
import { ComparisonFeed, type ComparisonViewMessage } from './comparison-feed.js';

const comparison = (trainingIds: string[]): ExperimentComparison => ({
  experimentId: 'exp-1',
  experimentName: 'sweep',
  hyperparameters: [],
  metrics: [],
  trainings: trainingIds.map((id) => ({
    id,
    name: id,
    state: 'RUNNING',
    createdAt: '2026-12-06T10:00:00.000Z',
    startedAt: null,
    endedAt: null,
    hyperparameters: {},
    metrics: {},
  })),
});

/** A client whose comparison is whatever `current` holds, counting the reads. */
function fakeClient(current: { value: ExperimentComparison; reads: number }): EmkitClient {
  return {
    api: {
      compareExperiment: async () => {
        current.reads += 1;
        return current.value;
      },
    },
  } as unknown as EmkitClient;
}

const event = (action: ResourceEvent['action'], id: string, data: Record<string, unknown> | null): ResourceEvent => ({
  seq: 1,
  time: '2026-12-06T10:00:00.000Z',
  resource: 'trainings',
  action,
  id,
  data,
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the comparison feed', () => {
  it("reads the comparison again after its trainings' changes and metric points, once per burst, and not for others", async () => {
    const current = { value: comparison(['t1']), reads: 0 };
    const messages: ComparisonViewMessage[] = [];
    const feed = new ComparisonFeed(fakeClient(current), 'sweep', (m) => messages.push(m), 5);
    feed.start();
    await settle();
    expect(current.reads).toBe(1);

    // another experiment's training: nothing to read
    feed.handleEvent(event('created', 't9', { experimentId: 'exp-2' }));
    feed.handleEvent(event('metrics', 't9', { trainingId: 't9', points: [] }));
    await settle();
    expect(current.reads).toBe(1);

    // a new training of this experiment, then a burst of points from a listed one
    current.value = comparison(['t2', 't1']);
    feed.handleEvent(event('created', 't2', { experimentId: 'exp-1' }));
    for (let i = 0; i < 5; i++) feed.handleEvent(event('metrics', 't1', { trainingId: 't1', points: [] }));
    await settle();
    expect(current.reads).toBe(2);
    const last = messages.at(-1);
    expect(last?.type === 'comparison' && last.comparison.trainings.map((t) => t.id)).toEqual(['t2', 't1']);

    // a listed training deleted (its event carries no data)
    feed.handleEvent(event('deleted', 't2', null));
    await settle();
    expect(current.reads).toBe(3);

    feed.dispose();
    feed.handleEvent(event('updated', 't1', { experimentId: 'exp-1' }));
    await settle();
    expect(current.reads).toBe(3);
  });

  it('says what went wrong when the bridge refuses', async () => {
    const client = {
      api: {
        compareExperiment: async () => {
          throw new Error('experiment "gone" not found');
        },
      },
    } as unknown as EmkitClient;
    const messages: ComparisonViewMessage[] = [];
    new ComparisonFeed(client, 'gone', (m) => messages.push(m)).start();
    await settle();
    expect(messages).toEqual([{ type: 'error', message: 'experiment "gone" not found' }]);
  });
});
