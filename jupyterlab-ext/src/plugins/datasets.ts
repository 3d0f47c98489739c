import { datasetNameFromPath, NAME_PATTERN, uploadMediaType } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import type { Contents } from '@jupyterlab/services';
import { CommandIds } from '../commands.js';
import { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { fileBytes, zipServerFolder } from '../workflows/folder-zip.js';
import { attempt, requireClient } from './require-client.js';

/** The files the bridge takes as a dataset on their own: a table, or a zip of a folder. */
const UPLOADABLE = /\.(csv|parquet|jsonl|zip)$/i;

/** The file browser's selected item, when it is something that can be uploaded. */
function selected(factory: IFileBrowserFactory): Contents.IModel | undefined {
  const item = factory.tracker.currentWidget?.selectedItems().next();
  if (!item || item.done) return undefined;
  const model = item.value;
  return model.type === 'directory' || UPLOADABLE.test(model.name) ? model : undefined;
}

/**
 * "Upload to emkit as Dataset…" in the file browser's context menu: a table file, or a folder
 * zipped in the page (class folders of images, sounds, texts), sent to the bridge's upload
 * route, then previewed.
 */
export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:datasets',
  description: 'Upload a file or folder from the file browser as an emkit dataset.',
  autoStart: true,
  requires: [IEmkit, IFileBrowserFactory],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, factory: IFileBrowserFactory) => {
    const { trans } = emkit;
    const name = new RegExp(NAME_PATTERN);
    app.commands.addCommand(CommandIds.uploadDataset, {
      label: trans.__('Upload to emkit as Dataset…'),
      isVisible: () => selected(factory) !== undefined,
      execute: async () => {
        const item = selected(factory);
        if (!item) return;
        const client = requireClient(emkit);
        if (!client) return;
        const values = await formDialog(
          trans,
          trans.__('Upload %1 as a dataset', item.name),
          [
            {
              name: 'name',
              label: trans.__('Dataset name (an existing one gets a new version when the content differs)'),
              value: datasetNameFromPath(item.path),
            },
          ],
          trans.__('Upload'),
        );
        if (!values) return;
        const datasetName = values.name ?? '';
        if (!name.test(datasetName)) {
          Notification.error(trans.__('Lower-case letters, digits, "-" and "_", starting with a letter or digit.'), {
            autoClose: 5000,
          });
          return;
        }
        const folder = item.type === 'directory';
        const filename = folder ? `${item.name}.zip` : item.name;
        const contents = app.serviceManager.contents;
        const progress = Notification.emit(trans.__('Uploading %1…', filename), 'in-progress', { autoClose: false });
        const dataset = await attempt(emkit, trans.__('Could not upload %1', filename), async () => {
          const bytes = folder ? await zipServerFolder(contents, item.path) : await fileBytes(contents, item.path);
          return client.api.uploadDataset({
            query: { name: datasetName, filename },
            body: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: uploadMediaType(filename) }),
          });
        });
        Notification.dismiss(progress);
        if (!dataset) return;
        Notification.success(trans.__('Dataset %1 version %2 is ready.', dataset.name, dataset.latest.version), {
          autoClose: 5000,
        });
        void app.commands.execute(CommandIds.openDataset, { id: dataset.id, name: dataset.name });
      },
    });
    app.contextMenu.addItem({ command: CommandIds.uploadDataset, selector: '.jp-DirListing-item[data-isdir]', rank: 60 });
  },
};
