import type { ResourceEvent } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import type { PanelState } from './panel-state.js';
import { detailHtml } from './webview-html.js';

/** What a panel's host side runs: a shared feed (DOM-free) and what to do with the view's actions. */
export interface PanelFeed {
  start(): void;
  /** the bridge's events, where the feed follows them (the schedule editor's doesn't) */
  handleEvent?(event: ResourceEvent): void;
  dispose(): void;
}

type PanelKind = Extract<PanelState, { id: string }>['kind'];

/**
 * A webview panel showing a shared view, its feed here in the extension host: the page says
 * `ready`, then the feed starts and posts; the page's other messages are the view's actions.
 * `revived` is a panel VS Code brought back after a reload. The feed and its subscriptions end
 * with the panel.
 */
export function openFeedPanel(
  link: BridgeLink,
  extensionUri: vscode.Uri,
  state: { kind: PanelKind; id: string; name: string },
  title: string,
  revived: vscode.WebviewPanel | undefined,
  start: (panel: vscode.WebviewPanel) => { feed: PanelFeed; onAction: (action: { action: string }) => void },
): vscode.WebviewPanel {
  const options = {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
  const panel = revived ?? vscode.window.createWebviewPanel(`emkit.${state.kind}`, title, vscode.ViewColumn.Active, options);
  if (revived) panel.webview.options = options;
  panel.title = title;
  panel.webview.html = detailHtml(panel.webview, extensionUri, state);
  const { feed, onAction } = start(panel);
  const subscriptions = [
    link.onEvent((event) => feed.handleEvent?.(event)),
    panel.webview.onDidReceiveMessage((message: { action: string }) => {
      if (message.action === 'ready') feed.start();
      else onAction(message);
    }),
  ];
  panel.onDidDispose(() => {
    feed.dispose();
    for (const subscription of subscriptions) subscription.dispose();
  });
  return panel;
}
