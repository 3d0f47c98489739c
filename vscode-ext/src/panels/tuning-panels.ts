import {
  type EmkitClient,
  type TuneFormAction,
  TuneFormFeed,
  type TuneOrigin,
  type Tuning,
  TuningFeed,
  type TuningViewAction,
} from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import { openFeedPanel } from './feed-panel.js';

/**
 * A tuning's panel (the shared tuning view: state, best, budget, the trials table live from the
 * `trial` events with the pruned ones marked, the objective over trials, the parallel coordinates,
 * parameter importance, Create model from best, Stop, Copy) and the Tune form (the space pre-filled
 * from the notebook's parameters cell or the training's hyperparameters). Their feeds run here in
 * the extension host; one panel per tuning, one form at a time.
 */
export class TuningPanels implements vscode.Disposable {
  private readonly open = new Map<string, vscode.WebviewPanel>();
  private form: vscode.WebviewPanel | undefined;

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** The tuning panels open now, by tuning id (tests read it). */
  get panels(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.open;
  }

  /** The Tune form open now, if any (tests read it). */
  get currentForm(): vscode.WebviewPanel | undefined {
    return this.form;
  }

  /** A tuning's panel VS Code brought back after a reload; closed when the tuning is gone. */
  async revive(panel: vscode.WebviewPanel, id: string, name: string, client: EmkitClient): Promise<void> {
    const exists = await client.api.getTuning({ params: { id } }).then(
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
    const title = vscode.l10n.t('Tuning {0}', name);
    const panel = openFeedPanel(this.link, this.extensionUri, { kind: 'tuning', id, name }, title, revived, (opened) => {
      const feed = new TuningFeed(client, id, (message) => {
        void opened.webview.postMessage(message);
        if (message.type === 'deleted') opened.dispose();
        // a copy is a new tuning: its own panel
        else if (message.type === 'copied') this.show(client, message.tuning.id, message.tuning.name);
      });
      const onAction = (action: TuningViewAction) => {
        // stop and copy are the feed's
        if (feed.act(action)) return;
        if (action.action === 'createModel') void this.createModel(client, action.trainingId);
        else if (action.action === 'openTraining') void this.openTraining(client, action.trainingId);
      };
      return { feed, onAction: onAction as (action: { action: string }) => void };
    });
    this.open.set(id, panel);
    panel.onDidDispose(() => this.open.delete(id));
    return panel;
  }

  /** The Tune form, pre-filled from `origin`; once the tuning starts the form closes and the tuning's panel opens. */
  openForm(client: EmkitClient, origin: TuneOrigin): vscode.WebviewPanel {
    this.form?.dispose();
    const title = vscode.l10n.t('Tune');
    const state = { kind: 'tuneForm' as const, id: 'new', name: title };
    const panel = openFeedPanel(this.link, this.extensionUri, state, title, undefined, (opened) => {
      const feed = new TuneFormFeed(client, origin, (message) => {
        void opened.webview.postMessage(message);
        if (message.type === 'started') this.started(client, message.tuning, opened);
      });
      const onAction = (action: TuneFormAction) => {
        if (!feed.act(action) && action.action === 'cancel') opened.dispose();
      };
      return { feed, onAction: onAction as (action: { action: string }) => void };
    });
    this.form = panel;
    panel.onDidDispose(() => {
      if (this.form === panel) this.form = undefined;
    });
    return panel;
  }

  dispose(): void {
    this.form?.dispose();
    for (const panel of this.open.values()) panel.dispose();
  }

  private started(client: EmkitClient, tuning: Tuning, form: vscode.WebviewPanel): void {
    form.dispose();
    this.show(client, tuning.id, tuning.name);
  }

  /** "Create model" on the best trial: the same command as a training's row, which asks the model's name. */
  private createModel(client: EmkitClient, trainingId: string): Promise<void> {
    return this.onTraining(client, trainingId, 'emkit.createModel');
  }

  /** A trial's row: its training's panel. */
  private openTraining(client: EmkitClient, trainingId: string): Promise<void> {
    return this.onTraining(client, trainingId, 'emkit.openTraining');
  }

  /** A training command on a trial's training, named as the commands name it. */
  private async onTraining(client: EmkitClient, trainingId: string, command: string): Promise<void> {
    try {
      const training = await client.api.getTraining({ params: { id: trainingId } });
      await vscode.commands.executeCommand(command, { target: { kind: 'trainings', id: training.id, name: training.name } });
    } catch (error) {
      void vscode.window.showErrorMessage((error as Error).message);
    }
  }
}
