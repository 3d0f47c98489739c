import { type Dataset, type Recipe, ResourceStore } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as building tree rows needs it
vi.mock('vscode', async () => (await import('./fake-vscode.test-support.js')).fakeVscode());

const { DatasetsTree } = await import('./datasets.js');
const { RecipesTree } = await import('./recipes.js');

const dataset = (name: string, kind: 'table' | 'class-folders', updatedAt = '2026-12-06T00:00:00.000Z') =>
  ({
    id: `ds-${name}`,
    name,
    description: '',
    mode: 'copy',
    source: null,
    latest: {
      version: 3,
      bytes: 1536,
      files: 1,
      schema: { kind, rows: kind === 'table' ? 150 : null, columns: [], classes: kind === 'table' ? [] : [{}, {}] },
    },
    versions: 3,
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt,
  }) as unknown as Dataset;

const recipe = (name: string, builtin: boolean) =>
  ({
    id: name,
    name,
    builtin,
    description: `${name} recipe`,
    entryPoint: 'train.py',
    source: builtin ? null : { training: 't-1', trainingName: 'iris-run' },
    createdAt: null,
  }) as unknown as Recipe;

async function loadedStore(datasets: Dataset[], recipes: Recipe[]) {
  const list = async <T>(items: T[]) => ({ items, total: items.length });
  const none = () => list([]);
  const store = new ResourceStore();
  await store.load({
    api: {
      listEnvironments: none,
      listExperiments: none,
      listTrainings: none,
      listModels: none,
      listEvaluations: none,
      listEndpoints: none,
      listClusters: none,
      listDatasets: () => list(datasets),
      listRecipes: () => list(recipes),
      listBatchInferences: none,
      listSchedules: none,
      listAlertRules: none,
      listTunings: none,
      listAlertEvents: none,
    },
  } as never);
  return store;
}

describe('the datasets and recipes trees', () => {
  it('shows each dataset with its newest version, kind and size; a click opens its preview', async () => {
    const store = await loadedStore([dataset('wines', 'table'), dataset('shapes', 'class-folders')], []);
    const rows = new DatasetsTree(store, 'datasets').getChildren();
    expect(rows.map((r) => [r.item.label, r.item.description])).toEqual([
      ['shapes', 'v3 · 2 classes · 1.5 KiB'],
      ['wines', 'v3 · table · 150 rows · 1.5 KiB'],
    ]);
    expect(rows[0]?.item.command).toEqual({
      command: 'emkit.openDataset',
      title: '',
      arguments: [{ target: { kind: 'datasets', id: 'ds-shapes', name: 'shapes' } }],
    });
    expect(rows[0]?.item.contextValue).toBe('dataset');
  });

  it("follows a new version from the bridge's events, and says so when there are none", async () => {
    const store = await loadedStore([], []);
    const tree = new DatasetsTree(store, 'datasets');
    expect(tree.getChildren()[0]?.item.label).toMatch(/^No datasets yet/);
    store.apply({
      seq: 1,
      time: '2026-12-06T00:00:01.000Z',
      resource: 'datasets',
      action: 'created',
      id: 'ds-wines',
      data: dataset('wines', 'table', '2026-12-06T00:00:01.000Z') as never,
    });
    expect(tree.getChildren().map((r) => r.item.label)).toEqual(['wines']);
  });

  it('lists the built-ins first, then saved recipes, which alone can be deleted', async () => {
    const store = await loadedStore([], [recipe('image-classification', true), recipe('my-iris', false)]);
    const rows = new RecipesTree(store, 'recipes').getChildren();
    expect(rows.map((r) => [r.item.label, r.item.description, r.item.contextValue])).toEqual([
      ['image-classification', 'built-in', 'builtinRecipe'],
      ['my-iris', 'from iris-run', 'recipe'],
    ]);
  });
});
