import { tmpdir } from 'node:os';
import {
  DatasetFeed,
  type DatasetViewAction,
  type EmkitClient,
  EndpointFeed,
  type EndpointViewAction,
  ModelFeed,
  type ModelFocus,
  type ModelViewAction,
  TrainingFeed,
  type TrainingViewAction,
  tensorboardAddress,
  type WebSocketFactory,
} from '@emkit/shared';
import * as vscode from 'vscode';
import WebSocket from 'ws';
import type { BridgeLink } from '../bridge.js';
import type { PanelState, TensorboardTarget } from './panel-state.js';
import { detailHtml, tensorboardHtml } from './webview-html.js';

type Ready = { action: 'ready' };

/**
 * The detail panels: a training's (logs, charts, files, actions) and an endpoint's (stages,
 * try-it, traffic) as webviews showing the shared views, and TensorBoard. The feeds run here,
 * in the extension host, which can reach the bridge wherever the editor's window is (code-server
 * runs webviews in a remote browser); one panel per resource, revealed again when asked twice.
 */
export class DetailPanels implements vscode.Disposable {
  private readonly open = new Map<string, vscode.WebviewPanel>();
  /** the model panels' feeds, by model name: a panel asked for again shows what it was asked */
  private readonly modelFeeds = new Map<string, ModelFeed>();

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** The panels open now, by `training:<id>`, `endpoint:<id>`, `tensorboard:<id>`, `dashboard:<cluster id>` (tests read it). */
  get panels(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.open;
  }

  /** A panel VS Code brought back after a reload, showing its resource again (or closed when it is gone). */
  async revive(panel: vscode.WebviewPanel, state: PanelState, client: EmkitClient): Promise<void> {
    if (state.kind === 'tensorboard') return this.openTensorboard(client, state.target, state.name, panel);
    if (state.kind === 'dashboard') return this.openClusterDashboard(client, state.id, state.name, panel);
    // ComparisonPanels, NewModelPanels, BatchPanels, SchedulePanels and TuningPanels revive their own
    if (
      state.kind === 'comparison' ||
      state.kind === 'newModel' ||
      state.kind === 'batch' ||
      state.kind === 'schedule' ||
      state.kind === 'scheduleEditor' ||
      state.kind === 'tuning' ||
      state.kind === 'tuneForm'
    )
      return panel.dispose();
    const exists = await (state.kind === 'training'
      ? client.api.getTraining({ params: { id: state.id } })
      : state.kind === 'model'
        ? client.api.getModel({ params: { id: state.id } })
        : state.kind === 'dataset'
          ? client.api.getDataset({ params: { id: state.id } })
          : client.api.getEndpoint({ params: { id: state.id } })
    ).then(
      () => true,
      () => false,
    );
    if (!exists) return panel.dispose();
    if (state.kind === 'training') this.openTraining(client, state.id, state.name, panel);
    else if (state.kind === 'model') this.openModel(client, state.id, {}, panel);
    else if (state.kind === 'dataset') this.openDataset(client, state.id, state.name, panel);
    else this.openEndpoint(client, state.id, state.name, panel);
  }

  openTraining(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    return this.detail('training', id, name, revived, (panel) => {
      const feed = new TrainingFeed(client, id, (message) => void panel.webview.postMessage(message), {
        // Node 20's extension host has no global WebSocket
        WebSocket: WebSocket as unknown as WebSocketFactory,
      });
      const onAction = (action: TrainingViewAction) => {
        // a no-code training's end: the quick test of its model and the holdout's threshold
        if (feed.act(action)) return;
        const target = { kind: 'trainings', id, name };
        const run = (command: string, args?: unknown) => void vscode.commands.executeCommand(command, args ?? { target });
        if (action.action === 'stop') run('emkit.stopTraining');
        else if (action.action === 'copy') run('emkit.copyTraining');
        else if (action.action === 'tune') run('emkit.tune');
        else if (action.action === 'createModel') run('emkit.createModel');
        else if (action.action === 'saveRecipe') run('emkit.saveRecipe');
        else if (action.action === 'openTensorboard') run('emkit.openTensorboard');
        else if (action.action === 'openFile') void this.openFile(client, id, name, action.path);
      };
      return { feed, onAction: onAction as (action: unknown) => void };
    });
  }

  openEndpoint(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    return this.detail('endpoint', id, name, revived, (panel) => {
      const feed = new EndpointFeed(client, id, (message) => void panel.webview.postMessage(message));
      const onAction = (action: EndpointViewAction) => {
        const target = { kind: 'endpoints', id, name };
        // the feed answers calls, the stage lifecycle and settings; the rest is the host's
        if (feed.act(action)) return;
        if (action.action === 'addAlert')
          void vscode.commands.executeCommand('emkit.addAlert', { target, ...(action.stage ? { stage: action.stage } : {}) });
        else if (action.action === 'addStage') void vscode.commands.executeCommand('emkit.addStage', { target });
        else if (action.action === 'setDefault')
          void vscode.commands.executeCommand('emkit.setDefaultStage', { target, stage: action.stage });
        else if (action.action === 'deleteStage')
          void vscode.commands.executeCommand('emkit.deleteStage', { target, stage: action.stage });
      };
      return { feed, onAction: onAction as (action: unknown) => void };
    });
  }

  /**
   * A model name's view (iterations, evaluations, quick test); `focus` shows a version or
   * follows an evaluation, also in a panel already open.
   */
  openModel(client: EmkitClient, name: string, focus: ModelFocus, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    const feedOpen = this.modelFeeds.get(name);
    if (feedOpen && (focus.modelId || focus.evaluationId)) feedOpen.focus(focus);
    const title = vscode.l10n.t('Model {0}', name);
    return this.detail('model', name, title, revived, (panel) => {
      const feed = new ModelFeed(client, name, (message) => void panel.webview.postMessage(message), focus);
      this.modelFeeds.set(name, feed);
      panel.onDidDispose(() => this.modelFeeds.delete(name));
      const onAction = (action: ModelViewAction) => {
        if (feed.act(action) || (action.action !== 'evaluate' && action.action !== 'promote')) return;
        // the commands name the version from their store
        const target = { kind: 'models', id: action.modelId, name };
        const command = action.action === 'evaluate' ? 'emkit.evaluateModel' : 'emkit.promoteModel';
        void vscode.commands.executeCommand(command, { target });
      };
      return { feed, onAction: onAction as (action: unknown) => void };
    });
  }

  /** A dataset's preview: its columns and first rows, or its classes with counts and samples. */
  openDataset(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): vscode.WebviewPanel {
    // the state keeps the dataset's own name (the view's heading); the tab says what it is
    const panel = this.detail('dataset', id, name, revived, (opened) => {
      const feed = new DatasetFeed(client, id, (message) => void opened.webview.postMessage(message));
      return { feed, onAction: (action) => void feed.act(action as DatasetViewAction) };
    });
    panel.title = vscode.l10n.t('Dataset {0}', name);
    return panel;
  }

  /** TensorBoard for a training or an experiment, through the bridge's proxy, opened with a one-time ticket. */
  async openTensorboard(
    client: EmkitClient,
    target: TensorboardTarget,
    name: string,
    revived?: vscode.WebviewPanel,
  ): Promise<void> {
    const key = `tensorboard:${'training' in target ? target.training : target.experiment}`;
    const existing = this.open.get(key);
    if (existing) {
      revived?.dispose();
      return existing.reveal();
    }
    let url: vscode.Uri;
    try {
      url = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting TensorBoard for {0}…', name) },
        async () =>
          // asExternalUri makes a remote window (code-server in a browser) reach the bridge
          // through the editor's own forwarding
          vscode.env.asExternalUri(vscode.Uri.parse(await tensorboardAddress(client, target))),
      );
    } catch (error) {
      revived?.dispose();
      throw error;
    }
    const title = vscode.l10n.t('TensorBoard: {0}', name);
    // scripts only for the page's one line that saves its state for a reload
    const options = { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] };
    const panel = revived ?? vscode.window.createWebviewPanel('emkit.tensorboard', title, vscode.ViewColumn.Active, options);
    if (revived) {
      panel.webview.options = options;
      panel.title = title;
    }
    panel.webview.html = tensorboardHtml(url, title, { kind: 'tensorboard', target, name });
    this.track(key, panel);
  }

  /**
   * A cluster's Ray dashboard, through the bridge's proxy, which adds Ray's token: the page
   * gets an address with a one-time ticket only. Refused (the bridge's words) while the
   * cluster can't be reached.
   */
  async openClusterDashboard(client: EmkitClient, id: string, name: string, revived?: vscode.WebviewPanel): Promise<void> {
    const key = `dashboard:${id}`;
    const existing = this.open.get(key);
    if (existing) {
      revived?.dispose();
      return existing.reveal();
    }
    let url: vscode.Uri;
    try {
      // asExternalUri: a remote window (code-server in a browser) reaches the bridge through the editor's forwarding
      url = await vscode.env.asExternalUri(vscode.Uri.parse(await client.clusterDashboardUrl(id)));
    } catch (error) {
      revived?.dispose();
      throw error;
    }
    const title = vscode.l10n.t('Ray Dashboard: {0}', name);
    // scripts only for the page's one line that saves its state for a reload
    const options = { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [] };
    const panel = revived ?? vscode.window.createWebviewPanel('emkit.rayDashboard', title, vscode.ViewColumn.Active, options);
    if (revived) {
      panel.webview.options = options;
      panel.title = title;
    }
    panel.webview.html = tensorboardHtml(url, title, { kind: 'dashboard', id, name }, 'emkit-ray-dashboard');
    this.track(key, panel);
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.dispose();
  }

  private detail(
    kind: 'training' | 'endpoint' | 'model' | 'dataset',
    id: string,
    name: string,
    revived: vscode.WebviewPanel | undefined,
    start: (panel: vscode.WebviewPanel) => {
      feed: TrainingFeed | EndpointFeed | ModelFeed | DatasetFeed;
      onAction: (action: unknown) => void;
    },
  ): vscode.WebviewPanel {
    const key = `${kind}:${id}`;
    const existing = this.open.get(key);
    if (existing) {
      existing.reveal();
      revived?.dispose();
      return existing;
    }
    const options = {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
    const panel = revived ?? vscode.window.createWebviewPanel(`emkit.${kind}`, name, vscode.ViewColumn.Active, options);
    if (revived) panel.webview.options = options;
    panel.webview.html = detailHtml(panel.webview, this.extensionUri, { kind, id, name });
    const { feed, onAction } = start(panel);
    const subscriptions = [
      this.link.onEvent((event) => feed.handleEvent(event)),
      panel.webview.onDidReceiveMessage((message: Ready | { action: string }) => {
        if (message.action === 'ready') feed.start();
        else onAction(message);
      }),
    ];
    panel.onDidDispose(() => {
      feed.dispose();
      for (const subscription of subscriptions) subscription.dispose();
    });
    this.track(key, panel);
    return panel;
  }

  private track(key: string, panel: vscode.WebviewPanel): void {
    this.open.set(key, panel);
    panel.onDidDispose(() => this.open.delete(key));
  }

  /** A file the training wrote, copied into a temporary folder and opened in the editor. */
  private async openFile(client: EmkitClient, id: string, name: string, path: string): Promise<void> {
    try {
      const content = await client.api.getTrainingFile({ params: { id }, query: { path } });
      const file = vscode.Uri.joinPath(vscode.Uri.file(tmpdir()), 'emkit', name, path);
      const text = typeof content === 'string' ? content : JSON.stringify(content, null, 1);
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
      // a notebook opens as a notebook where a notebook editor is installed, else as its JSON
      await vscode.commands.executeCommand('vscode.open', file);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0}: {1}', path, (error as Error).message));
    }
  }
}
