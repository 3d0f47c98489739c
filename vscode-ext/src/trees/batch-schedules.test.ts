import { type BatchInference, ResourceStore, type Schedule } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as building tree rows needs it
vi.mock('vscode', async () => (await import('./fake-vscode.test-support.js')).fakeVscode());

const { BatchJobsTree } = await import('./batch-jobs.js');
const { SchedulesTree } = await import('./schedules.js');

const job = (id: string, state: BatchInference['state'], progress: Partial<BatchInference['progress']> = {}) =>
  ({
    id,
    name: `score-${id}`,
    state,
    reason: state === 'FAILED' ? 'the model could not load' : null,
    model: { id: 'm1', name: 'iris', version: 2 },
    input: '/data/iris.csv',
    inputDataset: null,
    outputFile: `/out/${id}/predictions.csv`,
    progress: { done: 0, total: null, errors: 0, rate: null, etaSeconds: null, ...progress },
    createdAt: `2026-12-06T00:00:0${id.length}.000Z`,
  }) as unknown as BatchInference;

const run = (number: number, state: string) => ({ id: `r${number}`, number, state, reason: null });
const schedule = (name: string, state: 'ACTIVE' | 'PAUSED', lastRun: ReturnType<typeof run> | null) =>
  ({
    id: `s-${name}`,
    name,
    state,
    reason: null,
    cron: null,
    timezone: null,
    every: '30s',
    nextRuns: state === 'ACTIVE' ? ['2026-12-06T10:00:30.000Z'] : [],
    lastRun,
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt: '2026-12-06T00:00:00.000Z',
  }) as unknown as Schedule;

async function loadedStore(jobs: BatchInference[], schedules: Schedule[]) {
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
      listDatasets: none,
      listRecipes: none,
      listBatchInferences: () => list(jobs),
      listSchedules: () => list(schedules),
      listAlertRules: none,
      listTunings: none,
      listAlertEvents: none,
    },
  } as never);
  return store;
}

describe('the batch jobs and schedules trees', () => {
  it("shows a running job's progress and Stop, a finished one's Open output, a failed one neither; a click opens it", async () => {
    const store = await loadedStore(
      [
        job('a', 'RUNNING', { done: 12_000, total: 50_000, rate: 3100, etaSeconds: 12 }),
        job('bb', 'COMPLETE', { done: 50_000, total: 50_000 }),
        job('ccc', 'FAILED'),
      ],
      [],
    );
    const rows = new BatchJobsTree(store, 'batchJobs').getChildren();
    expect(rows.map((r) => [r.item.label, r.item.description, r.item.contextValue])).toEqual([
      ['score-ccc', 'iris:2 · FAILED', 'batchJob'],
      ['score-bb', 'iris:2 · COMPLETE', 'batchJob.output'],
      ['score-a', 'iris:2 · RUNNING · 12,000 / 50,000 · 3,100/s · ETA 12s', 'batchJob.running'],
    ]);
    expect(rows[0]?.item.tooltip).toBe('the model could not load');
    expect(rows[2]?.item.command).toEqual({
      command: 'emkit.openBatchJob',
      title: '',
      arguments: [{ target: { kind: 'batch-inferences', id: 'a', name: 'score-a' } }],
    });
  });

  it("shows a schedule's interval in words, its next due time or that it is paused, and its last run", async () => {
    const store = await loadedStore([], [schedule('nightly', 'ACTIVE', run(3, 'FAILED')), schedule('weekly', 'PAUSED', null)]);
    const rows = new SchedulesTree(store, 'schedules').getChildren();
    expect(rows.map((r) => [r.item.label, r.item.contextValue])).toEqual([
      ['nightly', 'schedule.active'],
      ['weekly', 'schedule.paused'],
    ]);
    expect(rows[0]?.item.description).toMatch(/^next \d{4}-\d\d-\d\d \d\d:\d\d:30 · run 3: FAILED$/);
    expect(rows[0]?.item.tooltip).toBe('Every 30 seconds');
    expect(rows[0]?.item.iconPath).toMatchObject({ id: 'error' });
    expect(rows[1]?.item.description).toBe('paused');
    expect(rows[1]?.item.command).toEqual({
      command: 'emkit.openSchedule',
      title: '',
      arguments: [{ target: { kind: 'schedules', id: 's-weekly', name: 'weekly' } }],
    });
  });
});
