import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import { NewModelFeed } from './new-model-feed.js';
import type { NewModelViewMessage } from './protocol.js';

// The feed's choices (what it asks the bridge, what it tells the view) with the bridge's answers
// stood in for; the real bridge is driven by the editors' end-to-end tests.

function stub() {
  const calls: string[] = [];
  const api = {
    listRecipes: async () => ({
      items: [
        { id: 'image-classification', builtin: true, modelType: 'image-classification' },
        { id: 'mine', builtin: false, modelType: null },
      ],
      total: 2,
    }),
    listDatasets: async () => {
      calls.push('list datasets');
      return { items: [{ name: 'digits', latest: { version: 2 } }], total: 1 };
    },
    getDataset: async ({ params }: { params: { id: string } }) => {
      calls.push(`get ${params.id}`);
      return { id: 'ds-1', name: params.id, latest: { version: 2 } };
    },
    previewDataset: async ({ params, query }: { params: { id: string }; query: { version: number; rows: number } }) => {
      calls.push(`preview ${params.id} v${query.version}`);
      return { dataset: params.id, version: query.version, schema: {}, rows: [], samples: [] };
    },
    trainRecipe: async ({ params, body }: { params: { id: string }; body: { name?: string } }) => {
      calls.push(`train ${params.id} ${body.name}`);
      if (body.name === 'bad') throw new ApiError(400, 'bad_request', 'column "x" is not in train', 'hyperparameters.label');
      return { id: 'tr-1', name: body.name };
    },
  };
  return { client: { api } as unknown as EmkitClient, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the new-model feed', () => {
  it('posts the built-in recipes and the datasets, then a version previewed', async () => {
    const { client, calls } = stub();
    const messages: NewModelViewMessage[] = [];
    const feed = new NewModelFeed(client, (m) => messages.push(m));
    feed.start();
    await settle();
    expect(messages.find((m) => m.type === 'recipes')).toMatchObject({ recipes: [{ id: 'image-classification' }] });
    expect(messages.find((m) => m.type === 'datasets')).toMatchObject({ datasets: [{ name: 'digits' }] });

    expect(feed.act({ action: 'selectDataset', ref: 'digits:1' })).toBe(true);
    await settle();
    expect(calls).toContain('preview digits v1');
    expect(messages.at(-1)).toMatchObject({
      type: 'preview',
      ref: 'digits:1',
      dataset: { name: 'digits' },
      preview: { version: 1 },
    });
  });

  it('lists the datasets again after an upload, picking the new one, and when the bridge says one changed', async () => {
    const { client, calls } = stub();
    const messages: NewModelViewMessage[] = [];
    const feed = new NewModelFeed(client, (m) => messages.push(m));
    await feed.reloadDatasets('digits:2');
    expect(messages.at(-1)).toMatchObject({ type: 'datasets', select: 'digits:2' });
    const event: ResourceEvent = {
      seq: 1,
      time: '2026-12-06T00:00:00.000Z',
      resource: 'datasets',
      action: 'created',
      id: 'x',
      data: {},
    };
    feed.handleEvent(event);
    await settle();
    expect(calls.filter((c) => c === 'list datasets')).toHaveLength(2);
  });

  it("trains the recipe and says it started, or passes on the bridge's refusal with its field", async () => {
    const { client } = stub();
    const messages: NewModelViewMessage[] = [];
    const feed = new NewModelFeed(client, (m) => messages.push(m));
    feed.act({ action: 'train', recipe: 'image-classification', body: { name: 'ok', datasets: { train: 'digits:2' } } });
    await settle();
    expect(messages.at(-1)).toMatchObject({ type: 'started', training: { name: 'ok' } });
    feed.act({ action: 'train', recipe: 'image-classification', body: { name: 'bad', datasets: { train: 'digits:2' } } });
    await settle();
    expect(messages.at(-1)).toEqual({
      type: 'trainError',
      message: 'column "x" is not in train',
      field: 'hyperparameters.label',
    });
    // upload and cancel are the host's
    expect(feed.act({ action: 'upload', modelType: 'image-classification' })).toBe(false);
    expect(feed.act({ action: 'cancel' })).toBe(false);
  });
});
