import { type Dataset, datasetNameFromPath, NAME_PATTERN, uploadMediaType } from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { Contents } from '@jupyterlab/services';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { fileBytes, zipServerFolder } from './folder-zip.js';

/** The files the bridge takes as a dataset on their own: a table, or a zip of a folder. */
export const UPLOADABLE = /\.(csv|parquet|jsonl|zip)$/i;

/** Whether a file-browser item can be uploaded as a dataset: a folder, or a table or zip file. */
export function uploadable(item: Contents.IModel): boolean {
  return item.type === 'directory' || UPLOADABLE.test(item.name);
}

/**
 * Uploads a file or folder of the Jupyter server as a dataset, asking its name first: a table
 * as it is, a folder zipped in the page (the bridge may not see the server's files). The
 * dataset, or undefined when cancelled or refused (the refusal is shown).
 */
export async function uploadDataset(app: JupyterFrontEnd, emkit: IEmkit, item: Contents.IModel): Promise<Dataset | undefined> {
  const { trans } = emkit;
  const client = requireClient(emkit);
  if (!client) return undefined;
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
  if (!values) return undefined;
  const datasetName = values.name ?? '';
  if (!new RegExp(NAME_PATTERN).test(datasetName)) {
    Notification.error(trans.__('Lower-case letters, digits, "-" and "_", starting with a letter or digit.'), {
      autoClose: 5000,
    });
    return undefined;
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
  if (dataset)
    Notification.success(trans.__('Dataset %1 version %2 is ready.', dataset.name, dataset.latest.version), {
      autoClose: 5000,
    });
  return dataset;
}
