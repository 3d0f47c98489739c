import { describe, expect, it } from 'vitest';
import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ScheduleEditorMessage } from './protocol.js';
import { ScheduleEditorFeed } from './schedule-editor-feed.js';

// The feed's choices with the bridge's answers stood in for; the real bridge is driven by the
// editors' end-to-end tests.

const training = {
  id: 'tr-2',
  name: 'churn-fit',
  state: 'COMPLETE',
  source: { path: '/home/me/work', entryPoint: 'churn.ipynb' },
  hyperparameters: { max_iter: '300' },
  datasets: {},
};

function stub() {
  const bodies: unknown[] = [];
  const list =
    <T>(items: T[]) =>
    async () => ({ items, total: items.length });
  const api = {
    listTrainings: list([training]),
    listRecipes: list([]),
    listModels: list([{ id: 'm1', name: 'churn', version: 3, source: { training: { id: 'tr-2', name: 'churn-fit' } } }]),
    listDatasets: list([]),
    previewSchedule: async ({ body }: { body: { cron?: string; every?: string } }) => {
      bodies.push(body);
      if (body.cron === '61 * * * *') {
        throw new ApiError(400, 'bad_request', 'cron: "61 * * * *" is invalid: Invalid value for minute: 61', 'cron');
      }
      return { nextRuns: ['2026-12-07T02:00:00.000Z'] };
    },
    createSchedule: async ({ body }: { body: { name: string } }) => {
      if (body.name === 'taken') throw new ApiError(409, 'conflict', 'schedule "taken" already exists', 'name');
      return { id: 's1', name: body.name };
    },
  };
  return { client: { api } as unknown as EmkitClient, bodies };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the schedule editor feed', () => {
  it("drafts a notebook's schedule from its newest training, retraining from the notebook as saved", async () => {
    const { client } = stub();
    const messages: ScheduleEditorMessage[] = [];
    new ScheduleEditorFeed(client, { kind: 'notebook', path: '/home/me/work/churn.ipynb' }, 'ko', (m) =>
      messages.push(m),
    ).start();
    await settle();
    expect(messages[0]).toMatchObject({
      type: 'init',
      locale: 'ko',
      note: null,
      draft: {
        name: 'churn-schedule',
        every: '1d',
        steps: [{ kind: 'training', training: 'tr-2', source: 'latest', hyperparameters: { max_iter: '300' }, model: 'churn' }],
      },
    });
  });

  it('answers a preview with the due times or the bridge’s reason, and a save with the schedule or its refusal', async () => {
    const { client, bodies } = stub();
    const messages: ScheduleEditorMessage[] = [];
    const feed = new ScheduleEditorFeed(client, { kind: 'none' }, 'en', (m) => messages.push(m));
    expect(feed.act({ action: 'preview', requestId: 1, cron: '0 2 * * *', timezone: 'Asia/Seoul' })).toBe(true);
    expect(feed.act({ action: 'preview', requestId: 2, cron: '61 * * * *' })).toBe(true);
    expect(feed.act({ action: 'preview', requestId: 3, every: '30s', cron: 'ignored' })).toBe(true);
    await settle();
    expect(bodies).toEqual([{ cron: '0 2 * * *', timezone: 'Asia/Seoul' }, { cron: '61 * * * *' }, { every: '30s' }]);
    expect(messages).toContainEqual({ type: 'preview', requestId: 1, nextRuns: ['2026-12-07T02:00:00.000Z'] });
    expect(messages).toContainEqual({
      type: 'previewError',
      requestId: 2,
      message: 'cron: "61 * * * *" is invalid: Invalid value for minute: 61',
    });
    const body = { name: 'taken', every: '1d', steps: [{ kind: 'training' as const, training: 'tr-2' }] };
    feed.act({ action: 'save', body });
    feed.act({ action: 'save', body: { ...body, name: 'fresh' } });
    await settle();
    expect(messages).toContainEqual({ type: 'saveError', message: 'schedule "taken" already exists', field: 'name' });
    expect(messages).toContainEqual({ type: 'saved', schedule: { id: 's1', name: 'fresh' } });
    expect(feed.act({ action: 'cancel' })).toBe(false);
  });
});
