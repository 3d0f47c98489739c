import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { TuneFormMessage, TuningViewMessage } from './protocol.js';
import { TuneFormFeed } from './tune-form-feed.js';
import { TuningFeed } from './tuning-feed.js';

// The feeds' choices (what they ask the bridge, what they tell the view) with the bridge's answers
// stood in for; the real bridge is driven by the editors' end-to-end tests.

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const event = (action: ResourceEvent['action'], data: unknown, id = 'u1'): ResourceEvent => ({
  seq: 1,
  time: '2026-12-07T00:00:00.000Z',
  resource: 'tunings',
  action,
  id,
  data: data as ResourceEvent['data'],
});

describe('the tuning feed', () => {
  it('posts the tuning and its trials, then each change the events bring; stop and copy are its own', async () => {
    const calls: string[] = [];
    const api = {
      getTuning: async () => ({ id: 'u1', state: 'RUNNING' }),
      listTuningTrials: async () => ({ items: [{ number: 0 }], total: 1 }),
      stopTuning: async () => {
        calls.push('stop');
        return { id: 'u1', state: 'STOP IN PROGRESS' };
      },
      copyTuning: async ({ body }: { body: unknown }) => {
        calls.push(`copy ${JSON.stringify(body)}`);
        return { id: 'u2' };
      },
    };
    const messages: TuningViewMessage[] = [];
    const feed = new TuningFeed({ api } as unknown as EmkitClient, 'u1', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages.map((m) => m.type)).toEqual(['tuning', 'trials']);
    feed.handleEvent(event('trial', { number: 1 }));
    feed.handleEvent(event('trial', { number: 5 }, 'other'));
    feed.handleEvent(event('updated', { id: 'u1', state: 'RUNNING' }));
    feed.handleEvent(event('metrics', { id: 'u1' }));
    expect(messages.slice(2)).toEqual([
      { type: 'trial', trial: { number: 1 } },
      { type: 'tuning', tuning: { id: 'u1', state: 'RUNNING' } },
    ]);
    expect(feed.act({ action: 'stop' })).toBe(true);
    expect(feed.act({ action: 'copy' })).toBe(true);
    expect(feed.act({ action: 'createModel', trainingId: 't1' })).toBe(false);
    await settle();
    expect(calls).toEqual(['stop', 'copy {}']);
    expect(messages.slice(4)).toEqual([
      { type: 'tuning', tuning: { id: 'u1', state: 'STOP IN PROGRESS' } },
      { type: 'copied', tuning: { id: 'u2' } },
    ]);
    feed.handleEvent(event('deleted', null));
    expect(messages.at(-1)).toEqual({ type: 'deleted' });
    feed.dispose();
    feed.handleEvent(event('trial', { number: 2 }));
    expect(messages).toHaveLength(7);
  });
});

const training = {
  id: 't9',
  name: 'train',
  experimentName: 'mnist',
  source: { path: '/w', entryPoint: 'train.ipynb', kind: 'notebook', files: 1, bytes: 1 },
  hyperparameters: { lr: '0.01', opt: 'adam' },
  cluster: null,
};

function formStub(create: () => Promise<unknown>) {
  const asked: string[] = [];
  const api = {
    listExperiments: async () => ({ items: [{ name: 'mnist' }], total: 1 }),
    listClusters: async () => ({ items: [], total: 0 }),
    listTrainings: async () => ({
      items: [{ ...training, source: { ...training.source, entryPoint: 'other.ipynb' } }, training],
    }),
    getTraining: async () => training,
    getTrainingMetrics: async ({ params }: { params: { id: string } }) => {
      asked.push(`metrics of ${params.id}`);
      return { series: [{ tag: 'val_loss' }, { tag: 'loss' }] };
    },
    createTuning: create,
  };
  return { client: { api } as unknown as EmkitClient, asked };
}

describe('the Tune form feed', () => {
  it("pre-fills from the notebook's parameters cell and the tags of that file's last training", async () => {
    const { client, asked } = formStub(async () => ({ id: 'u1' }));
    const messages: TuneFormMessage[] = [];
    const origin = {
      kind: 'notebook' as const,
      path: '/w/train.ipynb',
      parameters: [
        { name: 'lr', value: '0.01', quoted: false },
        { name: 'tag', value: '5', quoted: true },
      ],
    };
    const feed = new TuneFormFeed(client, origin, (m) => messages.push(m));
    feed.start();
    await settle();
    expect(asked).toEqual(['metrics of t9']);
    expect(messages[0]).toMatchObject({
      type: 'init',
      name: 'train-tune',
      source: { path: '/w/train.ipynb' },
      parameters: { lr: '0.01', tag: '5' },
      space: { lr: { type: 'loguniform' }, tag: { type: 'choice', values: ['5'] } },
      metrics: ['loss', 'val_loss'],
      experiments: ['mnist'],
      experiment: 'mnist',
    });
    expect(feed.act({ action: 'cancel' })).toBe(false);
    expect(feed.act({ action: 'start', body: {} as never })).toBe(true);
    await settle();
    expect(messages.at(-1)).toEqual({ type: 'started', tuning: { id: 'u1' } });
  });

  it("starts from a training's source and hyperparameters, and passes on the bridge's 400 with its field", async () => {
    const { client } = formStub(async () => {
      throw new ApiError(400, 'bad_request', 'space.lr: low must be below high', 'space.lr');
    });
    const messages: TuneFormMessage[] = [];
    const feed = new TuneFormFeed(client, { kind: 'training', training: 't9' }, (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages[0]).toMatchObject({
      source: { path: '/w', entryPoint: 'train.ipynb' },
      parameters: { lr: '0.01', opt: 'adam' },
      space: { lr: { type: 'loguniform' }, opt: { type: 'choice', values: ['adam'] } },
      ranOn: null,
    });
    feed.act({ action: 'start', body: {} as never });
    await settle();
    expect(messages.at(-1)).toEqual({ type: 'startError', message: 'space.lr: low must be below high', field: 'space.lr' });
  });
});
