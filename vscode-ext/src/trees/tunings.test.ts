import { ResourceStore, type Tuning } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as building tree rows needs it
vi.mock('vscode', async () => (await import('./fake-vscode.test-support.js')).fakeVscode());

const { TuningsTree } = await import('./tunings.js');

const counts = (c: Partial<Tuning['trials']>) => ({ total: 0, running: 0, complete: 0, pruned: 0, failed: 0, stopped: 0, ...c });
const tuning = (id: string, state: Tuning['state'], trials: Partial<Tuning['trials']>, best: Tuning['best'] = null) =>
  ({
    id,
    name: `search-${id}`,
    state,
    stateReason: state === 'FAILED' ? 'no trial logged val_loss' : null,
    objective: { metric: 'val_loss', mode: 'min', aggregate: 'last', step: null },
    algorithm: 'tpe',
    maxTrials: 10,
    trials: counts(trials),
    best,
    createdAt: `2026-12-07T00:00:0${id.length}.000Z`,
    updatedAt: '2026-12-07T00:00:09.000Z',
  }) as unknown as Tuning;

async function loadedStore(tunings: Tuning[]) {
  const list = async <T>(items: T[]) => ({ items, total: items.length });
  const none = () => list([]);
  const names = ['Environments', 'Experiments', 'Trainings', 'Models', 'Evaluations', 'Endpoints', 'Clusters', 'Datasets'];
  const store = new ResourceStore();
  await store.load({
    api: {
      ...Object.fromEntries(names.map((name) => [`list${name}`, none])),
      listRecipes: none,
      listBatchInferences: none,
      listSchedules: none,
      listAlertRules: none,
      listAlertEvents: none,
      listTunings: () => list(tunings),
    },
  } as never);
  return store;
}

describe('the Tunings tree', () => {
  it('shows each tuning newest first with its trials, pruned and best; Stop while running; the best trial opens its training', async () => {
    const best = {
      number: 4,
      trainingId: 't4',
      trainingName: 'search-a-t4',
      value: 0.123456,
      params: { lr: 0.001234, opt: 'adam' },
    };
    const store = await loadedStore([
      tuning('a', 'RUNNING', { total: 6, running: 2, complete: 3, pruned: 1 }, best),
      tuning('bb', 'FAILED', { total: 2, failed: 2 }),
    ]);
    const tree = new TuningsTree(store, 'tunings');
    const rows = tree.getChildren();
    expect(rows.map((r) => [r.item.label, r.item.description, r.item.contextValue])).toEqual([
      ['search-bb', 'FAILED · 2/10 trials', 'tuning'],
      ['search-a', 'RUNNING · 4/10 trials · 1 pruned · best val_loss = 0.1235', 'tuning.running.best'],
    ]);
    expect(rows[0]?.item.tooltip).toBe('min of val_loss (last), tpe\nno trial logged val_loss');
    expect(rows[0]?.children).toBeUndefined();
    expect(rows[1]?.item.command).toEqual({
      command: 'emkit.openTuning',
      title: '',
      arguments: [{ target: { kind: 'tunings', id: 'a', name: 'search-a' } }],
    });
    const [bestRow, ...rest] = tree.getChildren(rows[1]);
    expect(rest).toEqual([]);
    expect([bestRow?.item.label, bestRow?.item.description, bestRow?.item.contextValue]).toEqual([
      'Best: trial 4 = 0.1235',
      'lr=0.001234, opt=adam',
      'tuningBest',
    ]);
    expect(bestRow?.item.command).toEqual({
      command: 'emkit.openTraining',
      title: '',
      arguments: [{ target: { kind: 'trainings', id: 't4', name: 'search-a-t4' } }],
    });
  });

  it('says how to start one when there is none', async () => {
    const rows = new TuningsTree(await loadedStore([]), 'tunings').getChildren();
    expect(rows.map((r) => r.item.label)).toEqual(['No tunings yet — Tune… a notebook or a training.']);
  });
});

describe('a tree and the changes it refreshes for', () => {
  it("refreshes for its own kind and a new load, not for another kind's change (its rows' actions stay clickable)", async () => {
    const store = await loadedStore([tuning('a', 'RUNNING', { total: 1, running: 1 })]);
    const tree = new TuningsTree(store, 'tunings');
    let refreshes = 0;
    tree.onDidChangeTreeData(() => refreshes++);
    const event = (resource: 'trainings' | 'tunings', id: string, data: Record<string, unknown>) =>
      ({ seq: 1, time: '2026-12-07T00:00:10.000Z', resource, action: 'updated', id, data }) as const;
    store.apply(
      event('trainings', 't1', {
        id: 't1',
        name: 't1',
        state: 'COMPLETE',
        createdAt: '2026-12-07T00:00:00.000Z',
        updatedAt: '2026-12-07T00:00:10.000Z',
      }),
    );
    expect(refreshes).toBe(0);
    store.apply(
      event('tunings', 'a', { ...tuning('a', 'COMPLETE', { total: 1, complete: 1 }), updatedAt: '2026-12-07T00:00:10.000Z' }),
    );
    expect(refreshes).toBe(1);
    store.fail('the bridge went away');
    expect(refreshes).toBe(2);
    tree.dispose();
  });
});
