import { MODEL_TYPES, type ModelType } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, Notification } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import type { Contents } from '@jupyterlab/services';
import { CommandIds } from '../commands.js';
import { emkitIcon } from '../icons.js';
import { IEmkit } from '../tokens.js';
import { NewModelWidget } from '../views/new-model-widget.js';
import { viewTranslator } from '../views/translate.js';
import { uploadable, uploadDataset } from '../workflows/dataset-upload.js';
import { requireClient } from './require-client.js';

const TAB_ID = 'emkit-new-model-tab';

/**
 * "New Model (No Code)…" (Entry's AI blocks): a tab with the shared flow — six model types,
 * a dataset that fits (or one uploaded from the Jupyter server's files), its preview, the
 * choices, Train — which opens the training's view once it has started. One tab: asking again
 * brings it forward, with the model type asked for picked.
 */
export const noCodePlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:no-code',
  description: 'Train one of the six built-in model types from a form, without code.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette, IFileBrowserFactory],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null, files: IFileBrowserFactory | null) => {
    const { trans, connection } = emkit;
    const t = viewTranslator(trans);
    const { commands, shell } = app;
    let tab: MainAreaWidget<NewModelWidget> | null = null;

    /** Picks a folder or table of the Jupyter server, from the file browser's folder (or a path typed in). */
    const pickUploadable = async (): Promise<Contents.IModel | undefined> => {
      const contents = app.serviceManager.contents;
      const folder = files?.tracker.currentWidget?.model.path ?? '';
      const listing = await contents.get(folder, { type: 'directory', content: true }).catch(() => null);
      const paths = ((listing?.content ?? []) as Contents.IModel[])
        .filter((item) => !item.name.startsWith('.') && uploadable(item))
        .map((item) => item.path);
      const picked = await InputDialog.getItem({
        title: trans.__('Upload which folder or table?'),
        label: trans.__('A folder with one subfolder per class, or a CSV, Parquet or JSONL table'),
        items: paths,
        editable: true,
      });
      if (!picked.button.accept || !picked.value) return undefined;
      const item = await contents.get(picked.value, { content: false }).catch(() => null);
      if (!item || !uploadable(item)) {
        Notification.error(trans.__('%1 is not a folder or a table.', picked.value), { autoClose: 5000 });
        return undefined;
      }
      return item;
    };

    commands.addCommand(CommandIds.newModelNoCode, {
      label: trans.__('New Model (No Code)…'),
      caption: trans.__('Train a model from your data without writing code'),
      icon: emkitIcon,
      execute: (args) => {
        const type = MODEL_TYPES.find((m) => m === (args as { modelType?: string }).modelType) as ModelType | undefined;
        if (tab && !tab.isDisposed) {
          if (type) tab.content.chooseType(type);
          shell.activateById(TAB_ID);
          return;
        }
        const client = requireClient(emkit);
        if (!client) return;
        const content = new NewModelWidget(connection, client, t, {
          act: (action) => {
            if (action.action === 'cancel') tab?.dispose();
            else if (action.action === 'upload')
              void (async () => {
                const item = await pickUploadable();
                const dataset = item && (await uploadDataset(app, emkit, item));
                if (dataset) await content.reloadDatasets(`${dataset.name}:${dataset.latest.version}`);
              })();
          },
          started: (training) => void commands.execute(CommandIds.openTraining, { id: training.id, name: training.name }),
        });
        tab = new MainAreaWidget({ content });
        tab.id = TAB_ID;
        tab.title.label = trans.__('New Model');
        tab.title.icon = emkitIcon;
        tab.title.closable = true;
        tab.addClass('emkit-DetailTab');
        shell.add(tab, 'main');
        shell.activateById(TAB_ID);
        if (type) content.chooseType(type);
      },
    });
    palette?.addItem({ command: CommandIds.newModelNoCode, category: 'emkit' });
  },
};
