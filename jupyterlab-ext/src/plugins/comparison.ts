import type { EmkitClient } from '@emkit/shared';
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { IEmkit } from '../tokens.js';
import { ComparisonWidget } from '../views/comparison-widget.js';
import { viewTranslator } from '../views/translate.js';
import { requireClient } from './require-client.js';
import { lookUpRestored } from './restore.js';

/** The command's arguments: the experiment (id or name), and, when the layout restorer replays a tab, its name. */
type CompareArgs = ResourceArgs & { restoring?: boolean; name?: string };
type Picked = { id: string; name: string };

/** How long a tab restored after a reload waits for the bridge before it is left closed. */
const RESTORE_WAIT_MS = 5000;

/** The experiment given, looked up again for a restored tab (gone: undefined), or the one the user picks. */
async function chooseExperiment(client: EmkitClient, emkit: IEmkit, args: CompareArgs): Promise<Picked | undefined> {
  const { resources, trans } = emkit;
  if (args.restoring) {
    if (!args.id) return undefined;
    const id = args.id;
    const found = await lookUpRestored(
      async () => resources.find('experiments', id) ?? client.api.getExperiment({ params: { id } }),
    );
    if (found.kind === 'found') return found.resource;
    if (found.kind === 'gone') return undefined;
    Notification.error(trans.__('Could not reopen %1: %2', args.name ?? id, found.message), { autoClose: false });
    return { id, name: args.name ?? id };
  }
  if (args.id) return resources.find('experiments', args.id) ?? { id: args.id, name: args.name ?? args.id };
  const experiments = resources.list('experiments');
  if (!experiments.length) {
    Notification.info(trans.__('Nothing to choose from yet.'), { autoClose: 4000 });
    return undefined;
  }
  const names = experiments.map((experiment) => experiment.name);
  const picked = await InputDialog.getItem({ title: trans.__('Compare which experiment?'), items: names });
  if (!picked.button.accept || picked.value === null) return undefined;
  return experiments[names.indexOf(picked.value)];
}

/**
 * "Compare Experiment…": an experiment's trainings side by side in a main-area tab, sortable
 * by any column, from the palette (with a picker) and from an experiment's row in the emkit
 * panel; a row opens its training's view. One tab per experiment, brought back after a reload.
 */
export const comparisonPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:comparison',
  description: "An experiment's trainings side by side, sortable by any metric.",
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null, restorer: ILayoutRestorer | null) => {
    const { trans, connection } = emkit;
    const { commands, shell } = app;
    const t = viewTranslator(trans);
    const tracker = new WidgetTracker<MainAreaWidget<ComparisonWidget>>({ namespace: 'emkit-compare-experiment' });
    void restorer?.restore(tracker, {
      command: CommandIds.compareExperiment,
      args: (tab) => ({ id: tab.content.experimentId, name: tab.title.dataset.name ?? '', restoring: true }),
      name: (tab) => tab.id,
    });

    commands.addCommand(CommandIds.compareExperiment, {
      label: trans.__('Compare Experiment…'),
      execute: async (raw) => {
        const args = raw as CompareArgs;
        const client = args.restoring ? await connection.whenConnected(RESTORE_WAIT_MS) : requireClient(emkit);
        if (!client) return;
        const experiment = await chooseExperiment(client, emkit, args);
        if (!experiment) return;
        const id = `emkit-comparison-tab-${experiment.id}`;
        const open = tracker.find((tab) => tab.id === id);
        if (open) return shell.activateById(id);
        const content = new ComparisonWidget(connection, client, experiment.id, t, (action) =>
          commands.execute(CommandIds.openTraining, { id: action.id, name: action.name }),
        );
        const tab = new MainAreaWidget({ content });
        tab.id = id;
        tab.title.label = trans.__('Compare: %1', experiment.name);
        tab.title.dataset = { name: experiment.name };
        tab.title.closable = true;
        tab.addClass('emkit-DetailTab');
        void tracker.add(tab);
        shell.add(tab, 'main');
        shell.activateById(id);
      },
    });
    palette?.addItem({ command: CommandIds.compareExperiment, category: 'emkit' });
  },
};
