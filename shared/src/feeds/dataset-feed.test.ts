import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import { DatasetFeed, type DatasetViewMessage } from './dataset-feed.js';

// The feed's choices (which version to preview, when to read again) with the bridge's answers
// stood in for; the real bridge is driven by the editors' end-to-end tests.

function stub() {
  const state = { latest: 1 };
  const calls: string[] = [];
  const api = {
    getDataset: async ({ params }: { params: { id: string } }) => {
      calls.push(`get ${params.id}`);
      return { id: 'ds-1', name: 'iris', latest: { version: state.latest } };
    },
    listDatasetVersions: async () => ({
      items: Array.from({ length: state.latest }, (_, i) => ({ version: i + 1 })),
      total: state.latest,
    }),
    previewDataset: async ({ query }: { query: { version: number; rows: number } }) => {
      calls.push(`preview v${query.version} rows=${query.rows}`);
      return { dataset: 'iris', version: query.version, schema: {}, rows: [], samples: [] };
    },
  };
  return { client: { api } as unknown as EmkitClient, calls, state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const updated = (id: string): ResourceEvent => ({
  seq: 1,
  time: '2026-12-06T00:00:00.000Z',
  resource: 'datasets',
  action: 'updated',
  id,
  data: {},
});

describe('the dataset feed', () => {
  it('previews the newest version, follows a new one, and keeps a version the user chose', async () => {
    const { client, calls, state } = stub();
    const messages: DatasetViewMessage[] = [];
    const feed = new DatasetFeed(client, 'iris', (m) => messages.push(m));
    feed.start();
    await settle();
    expect(calls).toEqual(['get iris', 'preview v1 rows=20']);
    expect(messages.map((m) => m.type)).toEqual(['dataset', 'preview']);

    state.latest = 2;
    feed.handleEvent(updated('ds-1'));
    await settle();
    expect(calls.slice(2)).toEqual(['get iris', 'preview v2 rows=20']);
    expect(messages.at(-2)).toMatchObject({ type: 'dataset', versions: [2, 1] });

    expect(feed.act({ action: 'selectVersion', version: 1 })).toBe(true);
    await settle();
    state.latest = 3;
    feed.handleEvent(updated('ds-1'));
    await settle();
    // a new version is listed, but the one chosen stays shown
    expect(calls.slice(4)).toEqual(['preview v1 rows=20', 'get iris']);
    expect(messages.at(-1)).toMatchObject({ type: 'dataset', versions: [3, 2, 1] });
  });

  it("ignores other datasets' events and says when its own is deleted", async () => {
    const { client, calls } = stub();
    const messages: DatasetViewMessage[] = [];
    const feed = new DatasetFeed(client, 'iris', (m) => messages.push(m));
    feed.start();
    await settle();
    feed.handleEvent(updated('ds-other'));
    await settle();
    expect(calls).toHaveLength(2);
    feed.handleEvent({ ...updated('ds-1'), action: 'deleted', data: null });
    expect(messages.at(-1)).toEqual({ type: 'deleted' });
  });
});
