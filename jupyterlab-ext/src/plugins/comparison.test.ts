// @vitest-environment happy-dom
import type { EmkitClient, Experiment, ExperimentComparison } from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import { CommandRegistry } from '@lumino/commands';
import { Signal } from '@lumino/signaling';
import { describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands.js';
import { ResourceStore } from '../resources.js';
import type { IEmkit } from '../tokens.js';

// JupyterLab's apputils and application load its web components and CSS, which Node can't
// import: the few parts the plugin uses, as small stand-ins that record what they were asked
const asked: { title: string; items: string[] }[] = [];
vi.mock('@jupyterlab/apputils', () => ({
  ICommandPalette: {},
  InputDialog: {
    getItem: async (options: { title: string; items: string[] }) => {
      asked.push(options);
      return { button: { accept: true }, value: options.items[0] };
    },
  },
  Notification: { info: () => undefined, error: () => undefined, warning: () => undefined },
  MainAreaWidget: class {
    id = '';
    title = { label: '', dataset: {}, closable: false };
    content: unknown;
    constructor(options: { content: unknown }) {
      this.content = options.content;
    }
    addClass() {}
  },
  WidgetTracker: class {
    private readonly tabs: { id: string }[] = [];
    add(tab: { id: string }) {
      this.tabs.push(tab);
      return Promise.resolve();
    }
    find(test: (tab: { id: string }) => boolean) {
      return this.tabs.find(test);
    }
  },
}));
vi.mock('@jupyterlab/application', () => ({ ILayoutRestorer: {} }));

const { comparisonPlugin } = await import('./comparison.js');

const trans = {
  __: (text: string, ...args: unknown[]) => text.replace(/%(\d)/g, (_, i) => String(args[Number(i) - 1] ?? '')),
  _n: (one: string) => one,
};
const experiment = { id: 'exp-1', name: 'sweep' } as Experiment;
const comparison: ExperimentComparison = {
  experimentId: 'exp-1',
  experimentName: 'sweep',
  hyperparameters: ['lr'],
  metrics: ['loss'],
  trainings: [],
};
const client = {
  api: {
    listEnvironments: async () => ({ items: [], total: 0 }),
    listExperiments: async () => ({ items: [experiment], total: 1 }),
    listTrainings: async () => ({ items: [], total: 0 }),
    listModels: async () => ({ items: [], total: 0 }),
    listEvaluations: async () => ({ items: [], total: 0 }),
    listEndpoints: async () => ({ items: [], total: 0 }),
    listClusters: async () => ({ items: [], total: 0 }),
    listDatasets: async () => ({ items: [], total: 0 }),
    listRecipes: async () => ({ items: [], total: 0 }),
    listBatchInferences: async () => ({ items: [], total: 0 }),
    listSchedules: async () => ({ items: [], total: 0 }),
    listAlertRules: async () => ({ items: [], total: 0 }),
    listTunings: async () => ({ items: [], total: 0 }),
    listAlertEvents: async () => ({ items: [] }),
    compareExperiment: async () => comparison,
  },
} as unknown as EmkitClient;

async function activate() {
  const commands = new CommandRegistry();
  const added: { id: string; widget: { title: { label: string } } }[] = [];
  const shell = {
    add: (widget: { id: string; title: { label: string } }) => added.push({ id: widget.id, widget }),
    activateById: () => undefined,
  };
  const paletteItems: { command: string; category: string }[] = [];
  const palette = { addItem: (item: { command: string; category: string }) => paletteItems.push(item) };
  const resources = new ResourceStore();
  await resources.load(client);
  const connection = { client, status: { kind: 'connected' }, event: new Signal({}) };
  const emkit = { connection, resources, trans } as unknown as IEmkit;
  comparisonPlugin.activate(
    { commands, shell } as unknown as JupyterFrontEnd,
    emkit,
    palette as unknown as ICommandPalette,
    null,
  );
  return { commands, added, paletteItems };
}

describe('the comparison plugin', () => {
  it('registers "Compare Experiment…" and puts it in the palette under emkit', async () => {
    const { commands, paletteItems } = await activate();
    expect(commands.hasCommand(CommandIds.compareExperiment)).toBe(true);
    expect(commands.label(CommandIds.compareExperiment)).toBe('Compare Experiment…');
    expect(paletteItems).toEqual([{ command: CommandIds.compareExperiment, category: 'emkit' }]);
  });

  it('asks which experiment from the palette, opens one tab for it, and brings it forward when asked again', async () => {
    const { commands, added } = await activate();
    asked.length = 0;
    await commands.execute(CommandIds.compareExperiment);
    expect(asked).toEqual([{ title: 'Compare which experiment?', items: ['sweep'] }]);
    expect(added.map((tab) => [tab.id, tab.widget.title.label])).toEqual([['emkit-comparison-tab-exp-1', 'Compare: sweep']]);
    // from the sidebar's row: the experiment is given, nothing is asked
    await commands.execute(CommandIds.compareExperiment, { id: 'exp-1' });
    expect(asked).toHaveLength(1);
    expect(added).toHaveLength(1);
  });
});
