// @vitest-environment happy-dom
import type { Cluster, Dataset, EmkitClient, Experiment, Model, Recipe } from '@emkit/shared';
import type { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands.js';
import type { ConnectionStatus } from '../connection/connection.js';
import { ResourceStore } from '../resources.js';
import type { IEmkit } from '../tokens.js';
import { listsShown, SidebarView } from './SidebarView.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

// JupyterLab's icons load its web components, which Node can't import: icons that draw nothing
vi.mock('@jupyterlab/ui-components', () => {
  const icon = { react: () => null };
  const names = [
    'refresh',
    'settings',
    'delete',
    'add',
    'lineForm',
    'stop',
    'launch',
    'tag',
    'caretDown',
    'caretRight',
    'tableRows',
    'codeCheck',
    'run',
  ];
  return {
    ...Object.fromEntries(names.map((name) => [`${name}Icon`, icon])),
    // emkit's own icons (icons.ts) are LabIcons too
    LabIcon: class {
      react = () => null;
    },
  };
});

/** JupyterLab's translation bundle, in English: `%1` placeholders filled. */
const trans = {
  __: (text: string, ...args: unknown[]) => text.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1] ?? '')),
  _n: (one: string) => one,
};

/** The connection as the panel reads it: a status and its signal. */
class FakeConnection {
  status: ConnectionStatus = { kind: 'connected', url: 'http://127.0.0.1:8765' };
  readonly statusChanged = new Signal<this, ConnectionStatus>(this);
  set(status: ConnectionStatus) {
    this.status = status;
    this.statusChanged.emit(status);
  }
}

const experiment = {
  id: 'exp-1',
  name: 'iris',
  description: '',
  state: 'ACTIVE',
  trainingCount: 0,
  createdAt: '2026-12-06T00:00:00.000Z',
  updatedAt: '2026-12-06T00:00:00.000Z',
} as unknown as Experiment;
const empty = { items: [], total: 0 };
const recipe = (name: string, builtin: boolean) =>
  ({
    id: name,
    name,
    builtin,
    description: '',
    entryPoint: 'train.py',
    source: builtin ? null : { training: 't-1', trainingName: 'iris-run' },
    createdAt: null,
  }) as unknown as Recipe;
const recipes = [recipe('image-classification', true), recipe('my-iris', false)];
/** A bridge whose lists hold one experiment. */
const client = {
  api: {
    listEnvironments: async () => empty,
    listExperiments: async () => ({ items: [experiment], total: 1 }),
    listTrainings: async () => empty,
    listModels: async () => empty,
    listEvaluations: async () => empty,
    listEndpoints: async () => empty,
    listClusters: async () => empty,
    listDatasets: async () => empty,
    listRecipes: async () => ({ items: recipes, total: recipes.length }),
    listBatchInferences: async () => empty,
    listSchedules: async () => empty,
    listAlertRules: async () => empty,
    listTunings: async () => empty,
    listAlertEvents: async () => ({ items: [] }),
  },
} as unknown as EmkitClient;

const connection = new FakeConnection();
const executed: unknown[][] = [];
const resources = new ResourceStore();
const emkit = { connection, resources, trans } as unknown as IEmkit;
const host = document.createElement('div');
const root = createRoot(host);
const rows = () => host.querySelectorAll('[data-emkit-name="iris"]').length;
const banner = () => host.querySelector('.emkit-Connection')?.getAttribute('data-emkit-connection');

beforeAll(async () => {
  await resources.load(client);
  await act(async () =>
    root.render(
      createElement(SidebarView, {
        emkit,
        commands: {
          execute: async (command: string, args: unknown) => {
            executed.push([command, args]);
          },
        } as unknown as CommandRegistry,
      }),
    ),
  );
});
afterAll(() => act(() => root.render(null)));

const cluster = (state: Cluster['state'], alive: boolean, updatedAt: string): Cluster => ({
  id: 'cl-1',
  name: 'try',
  kind: 'ray',
  address: 'http://127.0.0.2:8265',
  hasToken: true,
  isDefault: true,
  local: { nodes: 2, cpusPerNode: 1, memoryMbPerNode: 1024 },
  state,
  stateReason: alive ? null : 'Ray at http://127.0.0.2:8265 is not reachable (ECONNREFUSED)',
  rayVersion: '2.60.0',
  nodes: ['127.0.0.2', '127.0.0.3'].map((address, i) => ({
    id: `n${i}`,
    address,
    head: i === 0,
    alive,
    state: alive ? 'ALIVE' : 'UNKNOWN',
    cpus: 1,
    gpus: 0,
    memoryBytes: 1024 ** 3,
    objectStoreBytes: 1e8,
  })),
  checkedAt: updatedAt,
  createdAt: '2026-12-06T00:00:00.000Z',
  updatedAt,
});

describe('the sidebar', () => {
  it('lists what the bridge has while connected', () => {
    expect(banner()).toBe('connected');
    expect(rows()).toBe(1);
  });

  it('clears its lists under "not reachable" rather than show stale ones, and brings them back on reconnecting', async () => {
    await act(async () => connection.set({ kind: 'unreachable', url: 'http://127.0.0.1:8765', detail: 'ECONNREFUSED' }));
    expect(banner()).toBe('unreachable');
    expect(rows()).toBe(0);
    expect(host.querySelector('.emkit-Sidebar-content')).toBeNull();
    await act(async () => connection.set({ kind: 'connected', url: 'http://127.0.0.1:8765' }));
    expect(rows()).toBe(1);
  });

  it('shows a cluster with its nodes, and follows its state live', async () => {
    const event = (data: Cluster, seq: number) =>
      ({ seq, time: data.updatedAt, resource: 'clusters', action: 'updated', id: data.id, data }) as const;
    await act(async () => resources.apply(event(cluster('REACHABLE', true, '2026-12-06T00:00:01.000Z'), 1)));
    const section = host.querySelector('[data-emkit-section="clusters"]');
    const nodes = [...(section?.querySelectorAll('[data-emkit-kind="node"]') ?? [])].map((n) => n.textContent);
    expect(nodes).toEqual(['127.0.0.2headALIVE1 CPU · 0 GPU · 1.0 GiB', '127.0.0.3ALIVE1 CPU · 0 GPU · 1.0 GiB']);
    expect(section?.querySelector('[data-emkit-kind="cluster"]')?.textContent).toContain(
      'default · Ray 2.60.0 · 2/2 nodes alive',
    );
    // a reachable one's dashboard is a click away
    const dashboard = () => section?.querySelector<HTMLButtonElement>('button[title="Open the Ray dashboard of try"]');
    executed.length = 0;
    await act(async () => dashboard()?.click());
    expect(executed).toEqual([['emkit:open-cluster-dashboard', { id: 'cl-1' }]]);
    await act(async () => resources.apply(event(cluster('UNREACHABLE', false, '2026-12-06T00:00:02.000Z'), 2)));
    expect(section?.querySelector('.emkit-Badge')?.textContent).toBe('UNREACHABLE');
    expect(section?.textContent).toContain('0/2 nodes alive');
    expect(dashboard()).toBeNull();
  });

  it("shows a model version's state and the action that flips it: Deactivate when ACTIVE, Activate when INACTIVE", async () => {
    const version = (state: Model['state'], seq: number) => {
      const data = {
        id: 'm-1',
        name: 'flowers',
        version: 1,
        description: '',
        framework: 'custom',
        frameworkVersion: null,
        artifactPath: '/x',
        files: 1,
        bytes: 1,
        aliases: [],
        tags: {},
        source: { training: null, experiment: null, path: '/x' },
        hyperparameters: {},
        metrics: {},
        state,
        createdAt: '2026-12-06T00:00:00.000Z',
        updatedAt: `2026-12-06T00:00:0${seq}.000Z`,
      } as Model;
      return { seq: 10 + seq, time: data.updatedAt, resource: 'models', action: 'updated', id: data.id, data } as const;
    };
    const row = () => host.querySelector('[data-emkit-kind="model-version"][data-emkit-name="flowers:1"]');
    const button = (label: string) => row()?.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`);
    await act(async () => resources.apply(version('ACTIVE', 1)));
    expect(row()?.querySelector('.emkit-Badge')?.textContent).toBe('ACTIVE');
    expect(button('Activate flowers:1')).toBeNull();
    await act(async () => button('Deactivate flowers:1')?.click());
    expect(executed.at(-1)).toEqual([CommandIds.deactivateModel, { id: 'm-1' }]);

    await act(async () => resources.apply(version('INACTIVE', 2)));
    expect(row()?.querySelector('.emkit-Badge')?.textContent).toBe('INACTIVE');
    expect(button('Deactivate flowers:1')).toBeNull();
    await act(async () => button('Activate flowers:1')?.click());
    expect(executed.at(-1)).toEqual([CommandIds.activateModel, { id: 'm-1' }]);
  });

  it('lists datasets with their newest version, kind and size, live; a click opens the preview', async () => {
    const dataset = (version: number, updatedAt: string) =>
      ({
        id: 'ds-1',
        name: 'shapes',
        description: '',
        mode: 'copy',
        source: '/data/shapes',
        latest: {
          version,
          bytes: 3 * 1024 * 1024,
          files: 12,
          schema: { kind: 'class-folders', classes: [{}, {}, {}], columns: [], rows: null },
        },
        versions: version,
        createdAt: '2026-12-06T00:00:00.000Z',
        updatedAt,
      }) as unknown as Dataset;
    const event = (data: Dataset, seq: number) =>
      ({ seq, time: data.updatedAt, resource: 'datasets', action: 'updated', id: data.id, data }) as const;
    const section = () => host.querySelector('[data-emkit-section="datasets"]');
    expect(section()?.textContent).toContain('No datasets yet');
    await act(async () => resources.apply(event(dataset(1, '2026-12-06T00:00:01.000Z'), 3)));
    const row = () => section()?.querySelector('[data-emkit-kind="dataset"]');
    expect(row()?.getAttribute('data-emkit-name')).toBe('shapes');
    expect(row()?.textContent).toContain('v1 · 3 classes · 3.0 MiB');
    await act(async () => resources.apply(event(dataset(2, '2026-12-06T00:00:02.000Z'), 4)));
    expect(row()?.textContent).toContain('v2 · 3 classes');
    const open = row()?.querySelector('.emkit-Row-open') as HTMLButtonElement;
    await act(async () => open.click());
    expect(executed.at(-1)).toEqual(['emkit:open-dataset', { id: 'ds-1' }]);
  });

  it('lists the built-in recipes first, then saved ones; any can be trained, only a saved one deleted', async () => {
    const section = host.querySelector('[data-emkit-section="recipes"]');
    const rows = [...(section?.querySelectorAll('[data-emkit-kind="recipe"]') ?? [])];
    const buttons = (row: Element | undefined) =>
      [...(row?.querySelectorAll('.emkit-IconButton') ?? [])].map((b) => b.getAttribute('aria-label'));
    expect(rows.map((r) => r.getAttribute('data-emkit-name'))).toEqual(['image-classification', 'my-iris']);
    expect(rows[0]?.textContent).toContain('built-in');
    expect(buttons(rows[0])).toEqual(['Train recipe image-classification…', 'Schedule image-classification…']);
    expect(rows[1]?.textContent).toContain('from iris-run');
    expect(buttons(rows[1])).toEqual(['Train recipe my-iris…', 'Schedule my-iris…', 'Delete recipe my-iris']);
    const train = rows[1]?.querySelector<HTMLElement>('.emkit-IconButton');
    await act(async () => train?.click());
    expect(executed.at(-1)).toEqual(['emkit:train-recipe', { id: 'my-iris' }]);
    await act(async () => rows[1]?.querySelector<HTMLElement>('[aria-label="Schedule my-iris…"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:new-schedule', { recipe: 'my-iris' }]);
  });

  it('starts the no-code flow from the Recipes and Models headers', async () => {
    for (const name of ['recipes', 'models']) {
      const button = host.querySelector(`[data-emkit-section="${name}"] .emkit-Section-actions .emkit-IconButton`) as HTMLElement;
      expect(button.getAttribute('aria-label')).toBe('New Model (No Code)…');
      await act(async () => button.click());
      expect(executed.at(-1)).toEqual(['emkit:new-model-no-code', {}]);
    }
  });

  it("shows a running batch job's progress inline, and a schedule's next due time and last run", async () => {
    const batch = (state: string, done: number, seq: number) =>
      ({
        seq,
        time: '2026-12-06T00:00:00.000Z',
        resource: 'batch-inferences',
        action: 'updated',
        id: 'b1',
        data: {
          id: 'b1',
          name: 'score-iris',
          state,
          reason: null,
          model: { id: 'm1', name: 'iris', version: 2 },
          progress: { done, total: 50_000, errors: 0, rate: 3100, etaSeconds: 12 },
          startedAt: '2026-12-06T00:00:00.000Z',
          finishedAt: state === 'COMPLETE' ? '2026-12-06T00:00:16.000Z' : null,
          createdAt: '2026-12-06T00:00:00.000Z',
        },
      }) as never;
    await act(async () => resources.apply(batch('RUNNING', 12_000, 20)));
    const job = () => host.querySelector('[data-emkit-kind="batch-inference"][data-emkit-name="score-iris"]');
    expect(job()?.querySelector('[data-emkit-progress]')?.textContent).toBe('12,000 / 50,000 · 3,100/s · ETA 12s');
    expect(job()?.querySelector('[aria-label="Stop batch job score-iris"]')).not.toBeNull();
    await act(async () => resources.apply(batch('COMPLETE', 50_000, 21)));
    expect(job()?.querySelector('[data-emkit-progress]')?.textContent).toBe('iris:2 · 16s');
    await act(async () => job()?.querySelector<HTMLElement>('.emkit-Row-open')?.click());
    expect(executed.at(-1)).toEqual(['emkit:open-batch-inference', { id: 'b1', name: 'score-iris' }]);

    const schedule = {
      id: 's1',
      name: 'nightly',
      state: 'ACTIVE',
      reason: null,
      nextRuns: ['2026-12-07T02:00:00.000Z'],
      lastRun: { id: 'r3', number: 3, state: 'FAILED', reason: 'step 2 (evaluation): gone' },
      createdAt: '2026-12-06T00:00:00.000Z',
      updatedAt: '2026-12-06T00:00:00.000Z',
    };
    await act(async () =>
      resources.apply({
        seq: 22,
        time: schedule.updatedAt,
        resource: 'schedules',
        action: 'updated',
        id: 's1',
        data: schedule,
      } as never),
    );
    const row = host.querySelector('[data-emkit-kind="schedule"][data-emkit-name="nightly"]');
    expect(row?.querySelector('[data-emkit-next]')?.textContent).toMatch(/^next 2026-12-0[67] /);
    expect([...(row?.querySelectorAll('.emkit-Badge') ?? [])].map((b) => b.textContent)).toEqual(['ACTIVE', 'FAILED']);
    await act(async () => row?.querySelector<HTMLElement>('[aria-label="Pause nightly"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:pause-schedule', { id: 's1' }]);
    const header = host.querySelector('[data-emkit-section="schedules"] .emkit-Section-actions .emkit-IconButton') as HTMLElement;
    await act(async () => header.click());
    expect(executed.at(-1)).toEqual(['emkit:new-schedule', {}]);
  });

  it('lists tunings with their trials and best so far; stop while running, delete once settled', async () => {
    const tuning = (state: string, seq: number, best: number | null) =>
      ({
        seq,
        time: '2026-12-07T00:00:00.000Z',
        resource: 'tunings',
        action: 'updated',
        id: 'u1',
        data: {
          id: 'u1',
          name: 'iris-tune',
          state,
          stateReason: null,
          maxTrials: 20,
          objective: { metric: 'val_loss', mode: 'min', aggregate: 'last', step: null },
          trials: { total: 3, running: 1, complete: 2, pruned: 0, failed: 0, stopped: 0 },
          best: best === null ? null : { number: 1, trainingId: 't1', trainingName: 'iris-tune-t1', value: best, params: {} },
          createdAt: '2026-12-07T00:00:00.000Z',
          updatedAt: `2026-12-07T00:00:0${seq % 10}.000Z`,
        },
      }) as never;
    await act(async () => resources.apply(tuning('RUNNING', 31, null)));
    const row = () => host.querySelector('[data-emkit-kind="tuning"][data-emkit-name="iris-tune"]');
    expect(row()?.querySelector('.emkit-Row-detail')?.textContent).toBe('3/20 trials');
    await act(async () => row()?.querySelector<HTMLElement>('[aria-label="Stop tuning iris-tune"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:stop-tuning', { id: 'u1' }]);
    await act(async () => resources.apply(tuning('COMPLETE', 32, 0.0123)));
    expect(row()?.querySelector('.emkit-Row-detail')?.textContent).toBe('3/20 trials · best val_loss 0.0123');
    await act(async () => row()?.querySelector<HTMLElement>('[aria-label="Delete tuning iris-tune"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:delete-tuning', { id: 'u1' }]);
    await act(async () => row()?.querySelector<HTMLElement>('.emkit-Row-open')?.click());
    expect(executed.at(-1)).toEqual(['emkit:open-tuning', { id: 'u1', name: 'iris-tune' }]);
    const header = host.querySelector('[data-emkit-section="tunings"] .emkit-Section-actions .emkit-IconButton') as HTMLElement;
    await act(async () => header.click());
    expect(executed.at(-1)).toEqual(['emkit:tune', {}]);
  });

  it("lists alert rules with their state, condition and recent firing; an endpoint's row adds one", async () => {
    const endpoint = {
      id: 'e1',
      name: 'iris-api',
      state: 'ACTIVE',
      stateReason: null,
      defaultStage: 'prod',
      stages: [],
      createdAt: '2026-12-06T00:00:00.000Z',
      updatedAt: '2026-12-06T00:00:00.000Z',
    };
    await act(async () =>
      resources.apply({
        seq: 30,
        time: endpoint.updatedAt,
        resource: 'endpoints',
        action: 'created',
        id: 'e1',
        data: endpoint,
      } as never),
    );
    const endpointRow = host.querySelector('[data-emkit-kind="endpoint"][data-emkit-name="iris-api"]');
    await act(async () => endpointRow?.querySelector<HTMLElement>('[aria-label="Add Alert on iris-api…"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:add-alert', { id: 'e1' }]);
    const rule = {
      id: 'r1',
      name: 'iris-api-latency',
      description: '',
      series: 'endpoint.p99LatencyMs',
      resource: { kind: 'endpoints', id: 'e1', name: 'iris-api' },
      stage: 'prod',
      feature: null,
      metric: null,
      op: '>',
      threshold: 500,
      forSeconds: 60,
      severity: 'critical',
      webhook: null,
      enabled: true,
      state: 'OK',
      value: null,
      evaluatedAt: null,
      createdAt: '2026-12-06T00:00:00.000Z',
      updatedAt: '2026-12-06T00:00:00.000Z',
    };
    await act(async () =>
      resources.apply({ seq: 31, time: rule.updatedAt, resource: 'alerts', action: 'created', id: 'r1', data: rule } as never),
    );
    const row = () => host.querySelector('[data-emkit-kind="alert"][data-emkit-name="iris-api-latency"]');
    expect(row()?.querySelector('.emkit-Badge')?.textContent).toBe('OK');
    expect(row()?.querySelector('.emkit-Alert-condition')?.textContent).toBe(
      'iris-api: p99 latency (ms) > 500 for 60 s · stage prod',
    );
    const firing = {
      seq: 7,
      ruleId: 'r1',
      rule: 'iris-api-latency',
      kind: 'FIRING',
      severity: 'critical',
      series: 'endpoint.p99LatencyMs',
      resource: rule.resource,
      value: 812,
      threshold: 500,
      message: 'endpoint iris-api: p99 latency 812 ms > 500 ms for 60 s',
      webhook: null,
      time: '2026-12-06T00:05:00.000Z',
    };
    await act(async () =>
      resources.apply({ seq: 32, time: firing.time, resource: 'alerts', action: 'alert', id: 'r1', data: firing } as never),
    );
    expect(row()?.querySelector('.emkit-Badge')?.textContent).toBe('FIRING');
    expect(row()?.querySelector('.emkit-Row-detail')?.textContent).toBe('now 812');
    expect([...(row()?.querySelectorAll('[data-emkit-kind="alert-event"]') ?? [])].map((e) => e.textContent)).toEqual([
      expect.stringMatching(/^FIRING.*endpoint iris-api: p99 latency 812 ms > 500 ms for 60 s$/),
    ]);
    await act(async () => row()?.querySelector<HTMLElement>('.emkit-Row-open')?.click());
    expect(executed.at(-1)).toEqual(['emkit:open-endpoint', { id: 'e1', name: 'iris-api' }]);
    await act(async () => row()?.querySelector<HTMLElement>('[aria-label="Delete alert iris-api-latency"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:delete-alert', { id: 'r1' }]);
    // its toggle: on, it offers to turn it off; turned off (the bridge's update), it says so and offers on
    await act(async () => row()?.querySelector<HTMLElement>('[aria-label="Turn alert iris-api-latency off"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:toggle-alert', { id: 'r1' }]);
    const off = { ...rule, enabled: false, state: 'OK', value: null, updatedAt: '2026-12-06T00:06:00.000Z' };
    await act(async () =>
      resources.apply({ seq: 33, time: off.updatedAt, resource: 'alerts', action: 'updated', id: 'r1', data: off } as never),
    );
    expect(row()?.querySelector('.emkit-Badge')?.textContent).toBe('off');
    expect(row()?.querySelector('[aria-label="Turn alert iris-api-latency off"]')).toBeNull();
    await act(async () => row()?.querySelector<HTMLElement>('[aria-label="Turn alert iris-api-latency on"]')?.click());
    expect(executed.at(-1)).toEqual(['emkit:toggle-alert', { id: 'r1' }]);
  });

  it('shows lists only while the bridge is there and they were loaded from it', () => {
    const url = 'http://127.0.0.1:8765';
    const loaded = { kind: 'loaded' } as const;
    expect(listsShown({ kind: 'connected', url }, loaded)).toBe(true);
    expect(listsShown({ kind: 'connecting', url }, { kind: 'loading' })).toBe(true);
    expect(listsShown({ kind: 'connected', url }, { kind: 'failed', message: 'x' })).toBe(false);
    expect(listsShown({ kind: 'connected', url }, { kind: 'empty' })).toBe(false);
    for (const status of [
      { kind: 'unreachable', url, detail: '' },
      { kind: 'token-refused', url },
      { kind: 'origin-refused', url, origin: 'http://localhost:8888' },
      { kind: 'no-bridge', home: null },
      { kind: 'no-server-extension' },
      { kind: 'starting' },
    ] as const) {
      expect(listsShown(status, loaded), status.kind).toBe(false);
    }
  });
});
