import { describe, expect, it } from 'vitest';
import type { EmkitClient } from './api/client.js';
import { ApiError } from './api/errors.js';
import { displayName, ResourceStore } from './resources.js';
import type { ResourceEvent } from './schemas/events.js';
import type { Training } from './schemas/trainings.js';

const training = (id: string, state: Training['state'], updatedAt: string) =>
  ({ id, name: `t-${id}`, experimentId: 'e1', state, createdAt: '2026-11-22T10:00:00.000Z', updatedAt }) as Training;

let seq = 0;
const event = (action: ResourceEvent['action'], data: Training | null, id = data?.id ?? ''): ResourceEvent => ({
  seq: ++seq,
  time: new Date().toISOString(),
  resource: 'trainings',
  action,
  id,
  data: data as unknown as ResourceEvent['data'],
});

/** A client whose list routes answer when the test says so. */
function fakeClient(trainings: Training[]) {
  let answer: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    answer = resolve;
  });
  const list = <T>(items: T[]) => gate.then(() => ({ items, total: items.length }));
  const client = {
    api: {
      listEnvironments: () => list([]),
      listExperiments: () => list([]),
      listTrainings: () => list(trainings),
      listModels: () => list([]),
      listEvaluations: () => list([]),
      listEndpoints: () => list([]),
      listClusters: () => list([]),
      listDatasets: () => list([]),
      listRecipes: () => list([]),
      listBatchInferences: () => list([]),
      listSchedules: () => list([]),
      listAlertRules: () => list([]),
      listTunings: () => list([]),
      listAlertEvents: () => gate.then(() => ({ items: [] })),
    },
  } as unknown as EmkitClient;
  return { client, answer };
}

describe('the resource store', () => {
  it('loads the lists, then follows events', async () => {
    const store = new ResourceStore();
    const { client, answer } = fakeClient([training('a', 'RUNNING', '2026-11-22T10:00:01.000Z')]);
    const loading = store.load(client);
    answer();
    await loading;
    expect(store.state.kind).toBe('loaded');
    store.apply(event('updated', training('a', 'COMPLETE', '2026-11-22T10:00:05.000Z')));
    expect(store.find('trainings', 'a')?.state).toBe('COMPLETE');
    expect(store.find('trainings', 't-a')?.id).toBe('a');
    store.apply(event('deleted', null, 'a'));
    expect(store.snapshot.trainings).toEqual([]);
  });

  it('never lets a list answer and events that cross it bring back an old state or a deleted resource', async () => {
    const store = new ResourceStore();
    // the list was read after b finished but before it was deleted; a's update is older than the list
    const { client, answer } = fakeClient([
      training('a', 'COMPLETE', '2026-11-22T10:00:05.000Z'),
      training('b', 'COMPLETE', '2026-11-22T10:00:06.000Z'),
    ]);
    const loading = store.load(client);
    store.apply(event('updated', training('a', 'RUNNING', '2026-11-22T10:00:02.000Z')));
    store.apply(event('deleted', null, 'b'));
    store.apply(event('created', training('c', 'CREATE REQUESTED', '2026-11-22T10:00:07.000Z')));
    answer();
    await loading;
    const states = Object.fromEntries(store.snapshot.trainings.map((t) => [t.id, t.state]));
    expect(states).toEqual({ a: 'COMPLETE', c: 'CREATE REQUESTED' });
  });

  it('says so when the lists cannot be loaded, and tells its views each time', async () => {
    const store = new ResourceStore();
    let changes = 0;
    store.onChange(() => {
      changes++;
    });
    const refused = () => Promise.reject(new Error('the bridge answered HTTP 500'));
    const names = [
      'listEnvironments',
      'listExperiments',
      'listTrainings',
      'listModels',
      'listEvaluations',
      'listEndpoints',
      'listClusters',
      'listDatasets',
      'listRecipes',
      'listBatchInferences',
      'listSchedules',
      'listAlertRules',
      'listTunings',
      'listAlertEvents',
    ];
    await store.load({ api: Object.fromEntries(names.map((name) => [name, refused])) } as unknown as EmkitClient);
    expect(store.state).toEqual({ kind: 'failed', message: 'the bridge answered HTTP 500' });
    expect(changes).toBeGreaterThanOrEqual(2);
  });

  it('follows evaluations too: created, updated and finished events, shown by their id', async () => {
    const store = new ResourceStore();
    const { client, answer } = fakeClient([]);
    const loading = store.load(client);
    answer();
    await loading;
    const evaluation = (state: string, updatedAt: string) =>
      ({
        id: 'e1',
        model: { id: 'm1', name: 'churn', version: 3 },
        state,
        createdAt: '2026-11-22T10:00:00.000Z',
        updatedAt,
      }) as never;
    store.apply({ ...event('created', evaluation('CREATE REQUESTED', '2026-11-22T10:00:00.000Z')), resource: 'evaluations' });
    store.apply({ ...event('finished', evaluation('COMPLETE', '2026-11-22T10:00:09.000Z')), resource: 'evaluations' });
    expect(store.snapshot.evaluations.map((e) => [e.id, e.state])).toEqual([['e1', 'COMPLETE']]);
    expect(store.find('evaluations', 'e1')?.model.name).toBe('churn');
    expect(displayName('evaluations', store.list('evaluations')[0] as never)).toBe('e1');
  });

  it("lists datasets by name and follows their events; recipes in the bridge's order, read again on demand", async () => {
    const store = new ResourceStore();
    const recipe = (id: string, builtin: boolean) => ({ id, name: id, builtin, createdAt: null }) as never;
    let recipes = [recipe('image-classification', true), recipe('clustering', true)];
    const client = {
      api: {
        listEnvironments: async () => ({ items: [], total: 0 }),
        listExperiments: async () => ({ items: [], total: 0 }),
        listTrainings: async () => ({ items: [], total: 0 }),
        listModels: async () => ({ items: [], total: 0 }),
        listEvaluations: async () => ({ items: [], total: 0 }),
        listEndpoints: async () => ({ items: [], total: 0 }),
        listClusters: async () => ({ items: [], total: 0 }),
        listDatasets: async () => ({ items: [], total: 0 }),
        listRecipes: async () => ({ items: recipes, total: recipes.length }),
        listBatchInferences: async () => ({ items: [], total: 0 }),
        listSchedules: async () => ({ items: [], total: 0 }),
        listAlertRules: async () => ({ items: [], total: 0 }),
        listTunings: async () => ({ items: [], total: 0 }),
        listAlertEvents: async () => ({ items: [] }),
      },
    } as unknown as EmkitClient;
    await store.load(client);
    expect(store.list('recipes').map((r) => r.id)).toEqual(['image-classification', 'clustering']);
    const dataset = (id: string, name: string) =>
      ({ id, name, createdAt: '2026-11-22T10:00:00.000Z', updatedAt: '2026-11-22T10:00:00.000Z' }) as never;
    store.apply({ ...event('created', dataset('d2', 'wines')), resource: 'datasets' });
    store.apply({ ...event('created', dataset('d1', 'digits')), resource: 'datasets' });
    expect(store.list('datasets').map((d) => d.name)).toEqual(['digits', 'wines']);
    store.apply({ ...event('deleted', null, 'd2'), resource: 'datasets' });
    expect(store.list('datasets').map((d) => d.name)).toEqual(['digits']);

    recipes = [...recipes, recipe('my-recipe', false)];
    await store.reloadRecipes(client);
    expect(store.find('recipes', 'my-recipe')?.builtin).toBe(false);
    expect(store.list('recipes')).toHaveLength(3);
  });

  it('shows no datasets or recipes, rather than no lists, from a bridge without those routes', async () => {
    const store = new ResourceStore();
    const absent = async () => {
      throw new ApiError(404, 'not_found', 'Route GET:/api/v1/recipes not found');
    };
    const { client, answer } = fakeClient([]);
    Object.assign(client.api, {
      listDatasets: absent,
      listRecipes: absent,
      listBatchInferences: absent,
      listSchedules: absent,
      listTunings: absent,
    });
    answer();
    await store.load(client);
    expect(store.state.kind).toBe('loaded');
    expect(store.snapshot.recipes).toEqual([]);
    expect(store.snapshot['batch-inferences']).toEqual([]);
    expect(store.snapshot.schedules).toEqual([]);
  });

  it("follows batch jobs' progress newest first, and schedules by name with their last run", async () => {
    const store = new ResourceStore();
    const { client, answer } = fakeClient([]);
    answer();
    await store.load(client);
    const job = (id: string, createdAt: string, done: number) =>
      ({ id, name: id, state: 'RUNNING', createdAt, progress: { done, total: 100, errors: 0, rate: 5, etaSeconds: 1 } }) as never;
    store.apply({ ...event('created', job('b1', '2026-11-22T10:00:00.000Z', 0)), resource: 'batch-inferences' });
    store.apply({ ...event('created', job('b2', '2026-11-22T10:00:05.000Z', 0)), resource: 'batch-inferences' });
    store.apply({ ...event('updated', job('b1', '2026-11-22T10:00:00.000Z', 40)), resource: 'batch-inferences' });
    expect(store.list('batch-inferences').map((b) => [b.id, b.progress.done])).toEqual([
      ['b2', 0],
      ['b1', 40],
    ]);
    const schedule = (id: string, name: string, updatedAt: string, lastRun: unknown) =>
      ({ id, name, state: 'ACTIVE', createdAt: updatedAt, updatedAt, lastRun }) as never;
    store.apply({ ...event('created', schedule('s1', 'nightly', '2026-11-22T10:00:00.000Z', null)), resource: 'schedules' });
    store.apply({ ...event('created', schedule('s2', 'hourly', '2026-11-22T10:00:00.000Z', null)), resource: 'schedules' });
    store.apply({
      ...event('updated', schedule('s1', 'nightly', '2026-11-22T10:00:09.000Z', { number: 1, state: 'FAILED' })),
      resource: 'schedules',
    });
    expect(store.list('schedules').map((s) => s.name)).toEqual(['hourly', 'nightly']);
    expect(store.find('schedules', 'nightly')?.lastRun?.state).toBe('FAILED');
    store.apply({ ...event('deleted', null, 's2'), resource: 'schedules' });
    expect(store.list('schedules').map((s) => s.name)).toEqual(['nightly']);
  });

  it("lists tunings newest first and follows their events, leaving a trial's event to the tuning's view", async () => {
    const store = new ResourceStore();
    const { client, answer } = fakeClient([]);
    const tuning = (id: string, state: string, createdAt: string, updatedAt = createdAt) =>
      ({ id, name: `tune-${id}`, state, createdAt, updatedAt }) as never;
    Object.assign(client.api, {
      listTunings: async () => ({ items: [tuning('u1', 'RUNNING', '2026-12-07T00:00:00.000Z')], total: 1 }),
    });
    answer();
    await store.load(client);
    store.apply({ ...event('created', tuning('u2', 'CREATE REQUESTED', '2026-12-07T01:00:00.000Z')), resource: 'tunings' });
    store.apply({
      ...event('finished', tuning('u1', 'COMPLETE', '2026-12-07T00:00:00.000Z', '2026-12-07T02:00:00.000Z')),
      resource: 'tunings',
    });
    const changes: number[] = [];
    store.onChange(() => changes.push(1));
    store.apply({ ...event('trial', { number: 3 } as never, 'u1'), resource: 'tunings' });
    expect(changes).toEqual([]);
    expect(store.list('tunings').map((t) => [t.id, t.state])).toEqual([
      ['u2', 'CREATE REQUESTED'],
      ['u1', 'COMPLETE'],
    ]);
  });

  it('lists alert rules by name, keeps their firing and resolving, and shows a rule firing at once', async () => {
    const store = new ResourceStore();
    const { client, answer } = fakeClient([]);
    const rule = (id: string, name: string, state: 'OK' | 'FIRING', updatedAt: string) =>
      ({ id, name, state, value: null, evaluatedAt: null, createdAt: updatedAt, updatedAt }) as never;
    const alert = (seq: number, kind: 'FIRING' | 'RESOLVED', time: string) =>
      ({ seq, ruleId: 'r1', rule: 'iris-latency', kind, value: kind === 'FIRING' ? 812 : 20, time }) as never;
    Object.assign(client.api, {
      listAlertRules: async () => ({ items: [rule('r2', 'nightly-stalled', 'OK', '2026-11-22T10:00:00.000Z')], total: 1 }),
      listAlertEvents: async () => ({ items: [alert(1, 'FIRING', '2026-11-22T09:00:00.000Z')] }),
    });
    answer();
    await store.load(client);
    store.apply({ ...event('created', rule('r1', 'iris-latency', 'OK', '2026-11-22T10:00:01.000Z')), resource: 'alerts' });
    expect(store.list('alerts').map((r) => r.name)).toEqual(['iris-latency', 'nightly-stalled']);
    const changes: number[] = [];
    store.onChange(() => changes.push(1));
    const firing = {
      ...event('alert', null, 'r1'),
      resource: 'alerts' as const,
      data: alert(2, 'FIRING', '2026-11-22T10:00:09.000Z'),
    };
    store.apply(firing);
    // the same event again (a reconnection) changes nothing
    store.apply(firing);
    expect(changes).toHaveLength(1);
    expect(store.find('alerts', 'iris-latency')).toMatchObject({ state: 'FIRING', value: 812 });
    store.apply({ ...event('alert', null, 'r1'), resource: 'alerts', data: alert(3, 'RESOLVED', '2026-11-22T10:01:00.000Z') });
    expect(store.find('alerts', 'r1')?.state).toBe('OK');
    expect(store.recentAlertEvents('r1').map((e) => [e.seq, e.kind])).toEqual([
      [3, 'RESOLVED'],
      [2, 'FIRING'],
      [1, 'FIRING'],
    ]);
    expect(store.recentAlertEvents(undefined, 1).map((e) => e.seq)).toEqual([3]);
    store.apply({ ...event('deleted', null, 'r2'), resource: 'alerts' });
    expect(store.list('alerts').map((r) => r.name)).toEqual(['iris-latency']);
  });

  it('shows no alert rules, rather than no lists, from a bridge without the alerts routes', async () => {
    const store = new ResourceStore();
    const absent = async () => {
      throw new ApiError(404, 'not_found', 'Route GET:/api/v1/alerts not found');
    };
    const { client, answer } = fakeClient([]);
    Object.assign(client.api, { listAlertRules: absent, listAlertEvents: absent });
    answer();
    await store.load(client);
    expect(store.state.kind).toBe('loaded');
    expect(store.list('alerts')).toEqual([]);
    expect(store.recentAlertEvents()).toEqual([]);
  });
});
