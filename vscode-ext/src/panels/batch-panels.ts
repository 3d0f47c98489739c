import { BatchFeed, type BatchViewAction, type EmkitClient } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import { openFeedPanel } from './feed-panel.js';

/**
 * A batch job's panel: the shared batch view (state, progress with rate and ETA, input → output,
 * the bad items, the log, Stop), its feed here in the extension host. The view's buttons run
 * the same commands as the job's row does. One panel per job, revealed when asked again.
 */
export class BatchPanels implements vscode.Disposable {
  private readonly open = new Map<string, vscode.WebviewPanel>();

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** The panels open now, by job id (tests read it). */
  get panels(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.open;
  }

  /** A panel VS Code brought back after a reload; closed when the job is gone. */
  async revive(panel: vscode.WebviewPanel, id: string, name: string, client: EmkitClient): Promise<void> {
    const exists = await client.api.getBatchInference({ params: { id } }).then(
      () => true,
      () => false,
    );
    if (!exists) return panel.dispose();
    this.show(client, id, name, panel);
  }

  show(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    const existing = this.open.get(id);
    if (existing) {
      existing.reveal();
      revived?.dispose();
      return existing;
    }
    const title = vscode.l10n.t('Batch {0}', name);
    const panel = openFeedPanel(this.link, this.extensionUri, { kind: 'batch', id, name }, title, revived, (opened) => {
      const feed = new BatchFeed(client, id, (message) => {
        void opened.webview.postMessage(message);
        if (message.type === 'deleted') opened.dispose();
      });
      const onAction = (action: BatchViewAction) => {
        // stop is the feed's
        if (feed.act(action)) return;
        const target = { kind: 'batch-inferences', id, name };
        if (action.action === 'openOutput') void vscode.commands.executeCommand('emkit.openBatchOutput', { target });
        else if (action.action === 'delete') void vscode.commands.executeCommand('emkit.deleteResource', { target });
        else if (action.action === 'openModel') void this.openModel(client, id);
      };
      return { feed, onAction: onAction as (action: { action: string }) => void };
    });
    this.open.set(id, panel);
    panel.onDidDispose(() => this.open.delete(id));
    return panel;
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.dispose();
  }

  /** The model version the job scores with, in the model's view. */
  private async openModel(client: EmkitClient, id: string): Promise<void> {
    const job = await client.api.getBatchInference({ params: { id } });
    const target = { kind: 'models', id: job.model.id, name: `${job.model.name}:${job.model.version}` };
    await vscode.commands.executeCommand('emkit.openModel', { target });
  }
}
