import { ComparisonFeed, type ComparisonViewAction, type EmkitClient } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import { detailHtml } from './webview-html.js';

type PageMessage = { action: 'ready' } | ComparisonViewAction;

/**
 * The experiment comparison panels: a webview showing the shared comparison view, fed from
 * here (the extension host reaches the bridge wherever the window is) and refreshed from the
 * bridge's events while it is open; a row opens that training's panel. One per experiment,
 * revealed again when asked twice.
 */
export class ComparisonPanels implements vscode.Disposable {
  private readonly open = new Map<string, vscode.WebviewPanel>();

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** The panels open now, by experiment id (tests read it). */
  get panels(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.open;
  }

  /** A panel VS Code brought back after a reload: shown again, or closed when its experiment is gone. */
  async revive(panel: vscode.WebviewPanel, state: { id: string; name: string }, client: EmkitClient): Promise<void> {
    const exists = await client.api.getExperiment({ params: { id: state.id } }).then(
      () => true,
      () => false,
    );
    if (!exists) return panel.dispose();
    this.show(client, state.id, state.name, panel);
  }

  show(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    const existing = this.open.get(id);
    if (existing) {
      existing.reveal();
      revived?.dispose();
      return existing;
    }
    const title = vscode.l10n.t('Compare: {0}', name);
    const options = {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
    const panel = revived ?? vscode.window.createWebviewPanel('emkit.comparison', title, vscode.ViewColumn.Active, options);
    if (revived) {
      panel.webview.options = options;
      panel.title = title;
    }
    panel.webview.html = detailHtml(panel.webview, this.extensionUri, { kind: 'comparison', id, name });
    const feed = new ComparisonFeed(client, id, (message) => void panel.webview.postMessage(message));
    const subscriptions = [
      this.link.onEvent((event) => feed.handleEvent(event)),
      panel.webview.onDidReceiveMessage((message: PageMessage) => {
        if (message.action === 'ready') feed.start();
        else if (message.action === 'openTraining')
          void vscode.commands.executeCommand('emkit.openTraining', {
            target: { kind: 'trainings', id: message.id, name: message.name },
          });
      }),
    ];
    panel.onDidDispose(() => {
      feed.dispose();
      for (const subscription of subscriptions) subscription.dispose();
      this.open.delete(id);
    });
    this.open.set(id, panel);
    return panel;
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.dispose();
  }
}
