import { isSettled, type ResourceEvent, type ResourceStore, type Training, trainingStates } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';

/**
 * The status bar item (how many trainings are running; a click opens one) and the
 * notifications when a training ends, with what one does next: its logs, a model from it.
 */
export class TrainingStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('emkit.trainings', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  /** ids already announced: an event replayed after a reconnection says nothing twice */
  private readonly announced = new Set<string>();
  /** what was shown, newest last, for tests (a notification can't be read back) */
  readonly shown: string[] = [];

  constructor(
    private readonly store: ResourceStore,
    link: BridgeLink,
  ) {
    this.item.name = vscode.l10n.t('emkit trainings');
    this.item.command = {
      command: 'emkit.openTraining',
      title: vscode.l10n.t('Open Training Panel'),
      arguments: [{ running: true }],
    };
    this.subscriptions.push(new vscode.Disposable(store.onChange(() => this.update())));
    this.subscriptions.push(link.onEvent((event) => this.onEvent(event)));
    this.update();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    if (this.store.state.kind !== 'loaded') {
      this.item.hide();
      return;
    }
    const running = this.store.list('trainings').filter((t) => !isSettled(trainingStates, t.state));
    this.item.text = running.length ? `$(sync~spin) ${vscode.l10n.t('emkit: {0} running', running.length)}` : '$(beaker) emkit';
    this.item.tooltip = running.length
      ? running.map((t) => `${t.name} — ${t.state}`).join('\n')
      : vscode.l10n.t('No training is running.');
    this.item.show();
  }

  private onEvent(event: ResourceEvent): void {
    if (event.resource !== 'trainings' || (event.action !== 'finished' && event.action !== 'updated')) return;
    const training = event.data as unknown as Training | null;
    if (!training || !isSettled(trainingStates, training.state) || this.announced.has(training.id)) return;
    this.announced.add(training.id);
    const logs = vscode.l10n.t('Show logs');
    const model = vscode.l10n.t('Create model');
    const target = { target: { kind: 'trainings', id: training.id, name: training.name } };
    const act = (choice: string | undefined) => {
      if (choice === logs) void vscode.commands.executeCommand('emkit.showTrainingLogs', target);
      else if (choice === model) void vscode.commands.executeCommand('emkit.createModel', target);
    };
    let text: string;
    if (training.state === 'COMPLETE') {
      text = vscode.l10n.t('Training {0} completed.', training.name);
      void vscode.window.showInformationMessage(text, logs, model).then(act);
    } else if (training.state === 'STOPPED') {
      text = vscode.l10n.t('Training {0} was stopped.', training.name);
      void vscode.window.showInformationMessage(text, logs).then(act);
    } else {
      text = vscode.l10n.t('Training {0} failed: {1}', training.name, training.stateReason ?? training.state);
      void vscode.window.showErrorMessage(text, logs).then(act);
    }
    this.shown.push(text);
  }
}
