import { type EmkitClient, type ModelType, NewModelFeed, type NewModelViewAction, type NewModelViewMessage } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import { pickUploadSource, uploadDataset } from '../commands/dataset-upload.js';
import type { DetailPanels } from './detail-panels.js';
import { detailHtml } from './webview-html.js';

type PageMessage = { action: 'ready' } | NewModelViewAction;

/**
 * "New Model (No Code)": the shared new-model view in a webview (pick a model type, pick or
 * upload its data, choose the columns and values, train), its feed here in the extension host.
 * The host's parts: uploading a file or folder from the workspace (the bridge may not see the
 * user's paths) and, once the training has started, opening its panel — which ends with the
 * holdout evaluation and a quick test of the model. One such panel, revealed when asked again.
 */
export class NewModelPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
    private readonly details: DetailPanels,
  ) {}

  /** The panel open now, if any (tests read it). */
  get current(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  show(client: EmkitClient, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal();
      revived?.dispose();
      return this.panel;
    }
    const title = vscode.l10n.t('New Model (No Code)');
    const options = {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
    const panel = revived ?? vscode.window.createWebviewPanel('emkit.newModel', title, vscode.ViewColumn.Active, options);
    if (revived) {
      panel.webview.options = options;
      panel.title = title;
    }
    panel.webview.html = detailHtml(panel.webview, this.extensionUri, { kind: 'newModel', id: 'new', name: title });
    const post = (message: NewModelViewMessage) => {
      void panel.webview.postMessage(message);
      if (message.type === 'started') this.details.openTraining(client, message.training.id, message.training.name);
    };
    const feed = new NewModelFeed(client, post);
    const subscriptions = [
      this.link.onEvent((event) => feed.handleEvent(event)),
      panel.webview.onDidReceiveMessage((message: PageMessage) => {
        if (message.action === 'ready') feed.start();
        else if (message.action === 'upload') void this.upload(client, feed, message.modelType);
        else if (message.action === 'cancel') panel.dispose();
        else feed.act(message);
      }),
    ];
    panel.onDidDispose(() => {
      feed.dispose();
      for (const subscription of subscriptions) subscription.dispose();
      this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
  }

  /** A file or folder from the workspace uploaded as a dataset, then listed and picked in the view. */
  private async upload(client: EmkitClient, feed: NewModelFeed, modelType: ModelType): Promise<void> {
    try {
      const source = await pickUploadSource(vscode.l10n.t('Upload which file or folder as the data? ({0})', modelType));
      if (!source) return;
      const dataset = await uploadDataset(client, source);
      if (!dataset) return;
      await feed.reloadDatasets(`${dataset.name}:${dataset.latest.version}`);
    } catch (error) {
      void vscode.window.showErrorMessage((error as Error).message);
    }
  }
}
