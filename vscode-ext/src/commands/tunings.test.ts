import type { Training, Tuning } from '@emkit/shared';
import { describe, expect, it, vi } from 'vitest';

// the extension host's module, as far as the tunings' commands need it
const executed: unknown[][] = [];
const picks: { items: { label: string }[] }[] = [];
vi.mock('vscode', () => ({
  l10n: { t: (text: string, ...args: unknown[]) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)])) },
  commands: { executeCommand: async (...args: unknown[]) => executed.push(args) },
  window: {
    showQuickPick: async (items: { label: string }[]) => {
      picks.push({ items });
      return items[0];
    },
    showInformationMessage: async () => undefined,
  },
  workspace: {},
  Uri: class {},
}));

const { tuningCommands } = await import('./tunings.js');

const training = {
  id: 't1',
  name: 'fit',
  state: 'COMPLETE',
  source: { path: '/src/fit', entryPoint: 'train.py' },
} as unknown as Training;
const best = { number: 3, trainingId: 't9', trainingName: 'lr-t3', value: 0.1, params: { lr: 0.01 } };
const tunings = [
  { id: 'u1', name: 'lr', state: 'RUNNING', best },
  { id: 'u2', name: 'depth', state: 'COMPLETE', best: null },
] as unknown as Tuning[];

/** What a command reaches: a loaded store, a client whose tuning routes answer, the tunings' panels. */
function context() {
  const created: unknown[] = [];
  const shown: string[] = [];
  const forms: unknown[] = [];
  const client = {
    api: {
      createTuning: async ({ body }: { body: unknown }) => {
        created.push(body);
        return { id: 'u3', name: 'fit-tune' };
      },
      stopTuning: async ({ params }: { params: { id: string } }) => ({ id: params.id, state: 'STOP IN PROGRESS' }),
    },
  };
  const store = {
    state: { kind: 'loaded' },
    list: (kind: string) => (kind === 'tunings' ? tunings : kind === 'trainings' ? [training] : []),
    find: (kind: string, id: string) =>
      kind === 'trainings' && id === training.id ? training : kind === 'tunings' ? tunings.find((u) => u.id === id) : undefined,
    onChange: () => () => {},
  };
  const tuningPanels = {
    show: (_client: unknown, id: string) => shown.push(id),
    openForm: (_client: unknown, origin: unknown) => forms.push(origin),
  };
  return {
    value: { link: { client }, store, tunings: tuningPanels, errors: [] } as never,
    created,
    shown,
    forms,
  };
}

describe("the tunings' commands", () => {
  it("Tune… on a training's row opens the form from that training; given a body, starts at once from its source", async () => {
    const c = context();
    const target = { kind: 'trainings' as const, id: 't1', name: 'fit' };
    await tuningCommands['emkit.tune']?.(c.value, { target });
    expect(c.forms).toEqual([{ kind: 'training', training: 't1' }]);
    const body = { space: { lr: { type: 'loguniform', low: 1e-4, high: 1e-1 } }, objective: { metric: 'loss', mode: 'min' } };
    await tuningCommands['emkit.tune']?.(c.value, { target, body });
    expect(c.created).toEqual([{ ...body, source: { path: '/src/fit', entryPoint: 'train.py' } }]);
    expect(c.shown).toEqual(['u3']);
  });

  it('Stop offers only the running tunings; Create Model from Best runs Create Model on the best trial', async () => {
    const c = context();
    picks.length = 0;
    const stopped = await tuningCommands['emkit.stopTuning']?.(c.value, {});
    expect(picks[0]?.items.map((item) => item.label)).toEqual(['lr']);
    expect(stopped).toEqual({ id: 'u1', state: 'STOP IN PROGRESS' });
    executed.length = 0;
    await tuningCommands['emkit.createModelFromBest']?.(c.value, {
      target: { kind: 'tunings', id: 'u1', name: 'lr' },
      name: 'm',
    });
    expect(executed).toEqual([['emkit.createModel', { target: { kind: 'trainings', id: 't9', name: 'lr-t3' }, name: 'm' }]]);
  });

  it('Create Model from Best says so when no trial is complete yet', async () => {
    await expect(
      tuningCommands['emkit.createModelFromBest']?.(context().value, { target: { kind: 'tunings', id: 'u2', name: 'depth' } }),
    ).rejects.toThrow('Tuning depth has no complete trial yet.');
  });
});
