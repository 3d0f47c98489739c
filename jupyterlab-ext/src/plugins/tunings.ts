import { notebookParameterEntries, type TuneOrigin } from '@emkit/shared';
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { discoverBridge } from '../connection/discover.js';
import { tuneIcon } from '../icons.js';
import { IEmkit } from '../tokens.js';
import { viewTranslator } from '../views/translate.js';
import { TuneFormWidget, TuningWidget } from '../views/tuning-widgets.js';
import { currentDocument } from '../workflows/current-document.js';
import { requireClient } from './require-client.js';
import { lookUpRestored } from './restore.js';

type OpenArgs = ResourceArgs & { restoring?: boolean; name?: string };
/** Where "Tune…" was asked from: a training (its view); none: the notebook in front. */
type TuneArgs = { training?: string };

/** How long a tab restored after a reload waits for the bridge before it is left closed. */
const RESTORE_WAIT_MS = 5000;
const FORM_TAB_ID = 'emkit-tune-form-tab';

/**
 * Hyperparameter tuning in JupyterLab: "Tune…" (the notebook toolbar beside Submit, a training's
 * view, the palette) opens the Tune form, its space pre-filled from the notebook's parameters cell
 * or the training's values; Start opens the tuning's view (restored after a reload, as the other
 * emkit tabs are), whose "Create model from best" is the usual Create Model on the best trial's
 * training, and whose trials open their trainings' views.
 */
export const tuningsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:tunings',
  description: 'Tune a notebook’s hyperparameters: the Tune form and the tuning view.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null, restorer: ILayoutRestorer | null) => {
    const { trans, connection, resources } = emkit;
    const t = viewTranslator(trans);
    const { commands, shell } = app;

    const restoreArgs = new WeakMap<Widget, ReadonlyJSONObject>();
    const tracker = new WidgetTracker<MainAreaWidget>({ namespace: 'emkit-open-tuning' });
    void restorer?.restore(tracker, {
      command: CommandIds.openTuning,
      args: (tab) => ({ ...restoreArgs.get(tab), restoring: true }),
      name: (tab) => tab.id,
    });
    const addTab = (content: Widget, id: string, label: string, args: ReadonlyJSONObject | null) => {
      const tab = new MainAreaWidget({ content });
      tab.id = id;
      tab.title.label = label;
      tab.title.icon = tuneIcon;
      tab.title.closable = true;
      tab.addClass('emkit-DetailTab');
      if (args) {
        restoreArgs.set(tab, args);
        void tracker.add(tab);
      }
      shell.add(tab, 'main');
      shell.activateById(id);
      return tab;
    };

    /** The palette gives no tuning: pick one by name. */
    const pickTuning = async (): Promise<string | undefined> => {
      const tunings = resources.list('tunings');
      if (!tunings.length) {
        Notification.info(trans.__('Nothing to choose from yet.'), { autoClose: 4000 });
        return undefined;
      }
      const names = tunings.map((tuning) => tuning.name);
      const picked = await InputDialog.getItem({ title: trans.__('Open which tuning?'), items: names });
      return picked.button.accept && picked.value !== null ? tunings[names.indexOf(picked.value)]?.id : undefined;
    };

    commands.addCommand(CommandIds.openTuning, {
      label: trans.__('Open Tuning View…'),
      execute: async (args) => {
        const given = args as OpenArgs;
        const client = given.restoring ? await connection.whenConnected(RESTORE_WAIT_MS) : requireClient(emkit);
        const tuningId = given.id ?? (given.restoring ? undefined : await pickTuning());
        if (!client || !tuningId) return;
        let name = resources.find('tunings', tuningId)?.name ?? given.name ?? tuningId;
        if (given.restoring) {
          const found = await lookUpRestored(() => client.api.getTuning({ params: { id: tuningId } }));
          if (found.kind === 'gone') return;
          if (found.kind === 'found') name = found.resource.name;
          else Notification.error(trans.__('Could not reopen %1: %2', name, found.message), { autoClose: false });
        }
        const id = `emkit-tuning-tab-${tuningId}`;
        if ([...shell.widgets('main')].some((widget) => widget.id === id)) {
          shell.activateById(id);
          return;
        }
        const content = new TuningWidget(connection, client, tuningId, t, {
          act: (action) => {
            if (action.action === 'createModel') void commands.execute(CommandIds.createModel, { id: action.trainingId });
            else if (action.action === 'openTraining') void commands.execute(CommandIds.openTraining, { id: action.trainingId });
          },
          copied: (tuning) => void commands.execute(CommandIds.openTuning, { id: tuning.id, name: tuning.name }),
        });
        addTab(content, id, trans.__('Tuning %1', name), { id: tuningId, name });
      },
    });

    commands.addCommand(CommandIds.tune, {
      label: (args) => ((args as TuneArgs).training ? trans.__('Tune Training…') : trans.__('Tune…')),
      caption: trans.__('Search hyperparameters of this notebook: many trainings, the bad ones pruned early'),
      icon: tuneIcon,
      execute: async (args) => {
        const client = requireClient(emkit);
        if (!client) return;
        const given = args as TuneArgs;
        let origin: TuneOrigin;
        if (given.training) origin = { kind: 'training', training: given.training };
        else {
          const document = currentDocument(app);
          const rootDir = (await discoverBridge())?.rootDir?.replace(/\/+$/, '');
          if (!document || !rootDir) {
            Notification.info(trans.__('Open a notebook or a .py file to tune, or use Tune… in a training’s view.'), {
              autoClose: 5000,
            });
            return;
          }
          await document.context.save();
          const path = document.context.path;
          const parameters = path.endsWith('.ipynb') ? notebookParameterEntries(document.context.model.toJSON() as never) : [];
          origin = { kind: 'notebook', path: `${rootDir}/${path}`, parameters };
        }
        // one form at a time: a new "Tune…" replaces the one open
        for (const widget of shell.widgets('main')) if (widget.id === FORM_TAB_ID) widget.dispose();
        let tab: MainAreaWidget | null = null;
        const content = new TuneFormWidget(connection, client, origin, t, {
          cancel: () => tab?.dispose(),
          started: (tuning) => {
            tab?.dispose();
            void commands.execute(CommandIds.openTuning, { id: tuning.id, name: tuning.name });
          },
        });
        tab = addTab(content, FORM_TAB_ID, trans.__('Tune'), null);
      },
    });

    for (const command of [CommandIds.tune, CommandIds.openTuning]) palette?.addItem({ command, category: 'emkit' });
  },
};
