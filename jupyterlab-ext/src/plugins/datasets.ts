import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import type { Contents } from '@jupyterlab/services';
import { CommandIds } from '../commands.js';
import { IEmkit } from '../tokens.js';
import { uploadable, uploadDataset } from '../workflows/dataset-upload.js';

/** The file browser's selected item, when it is something that can be uploaded. */
function selected(factory: IFileBrowserFactory): Contents.IModel | undefined {
  const item = factory.tracker.currentWidget?.selectedItems().next();
  if (!item || item.done) return undefined;
  return uploadable(item.value) ? item.value : undefined;
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
    app.commands.addCommand(CommandIds.uploadDataset, {
      label: emkit.trans.__('Upload to emkit as Dataset…'),
      isVisible: () => selected(factory) !== undefined,
      execute: async () => {
        const item = selected(factory);
        if (!item) return;
        const dataset = await uploadDataset(app, emkit, item);
        if (dataset) void app.commands.execute(CommandIds.openDataset, { id: dataset.id, name: dataset.name });
      },
    });
    app.contextMenu.addItem({ command: CommandIds.uploadDataset, selector: '.jp-DirListing-item[data-isdir]', rank: 60 });
  },
};
