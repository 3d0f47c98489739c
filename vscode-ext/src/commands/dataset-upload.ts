import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Dataset, datasetNameFromPath, type EmkitClient, uploadMediaType } from '@emkit/shared';
import * as vscode from 'vscode';
import { zipFolder } from './folder-zip.js';
import { ask, nameRule } from './inputs.js';

/** A file or folder from the workspace picked in VS Code's own dialog; undefined when cancelled. */
export async function pickUploadSource(title: string): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    openLabel: vscode.l10n.t('Upload'),
  });
  return picked?.[0];
}

/**
 * Uploads a file, or a folder zipped here, as dataset `name` (asked for, offered from the
 * path, when not given): the bridge may not see the user's path (code-server, a remote
 * window), so the bytes go. Undefined when the name was cancelled.
 */
export async function uploadDataset(client: EmkitClient, source: vscode.Uri, given?: string): Promise<Dataset | undefined> {
  const folder = (await stat(source.fsPath)).isDirectory();
  const name =
    given ??
    (await ask(
      vscode.l10n.t('Upload {0} as a dataset', basename(source.fsPath)),
      datasetNameFromPath(source.fsPath),
      nameRule,
      vscode.l10n.t('Dataset name (an existing one gets a new version when the content differs)'),
    ));
  if (name === undefined) return undefined;
  const filename = folder ? `${basename(source.fsPath)}.zip` : basename(source.fsPath);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Uploading {0}…', filename) },
    async () => {
      const bytes = folder ? await zipFolder(source.fsPath) : new Uint8Array(await readFile(source.fsPath));
      return client.api.uploadDataset({
        query: { name: name.trim(), filename },
        body: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: uploadMediaType(filename) }),
      });
    },
  );
}
