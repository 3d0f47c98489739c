import {
  isSettled,
  qualityNotes,
  type ResourceEvent,
  type ResourceStore,
  type Training,
  trainingStates,
  untoldNonFinite,
} from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';

/** The tag the bridge puts on a tuning's trials (server-bridge/src/tunings/run.ts). */
const TUNING_TAG = 'emkit.tuning';

/**
 * The status bar item (how many trainings are running; a click opens one) and the
 * notifications when a training ends, with what one does next: its logs, a model from it —
 * and what its curves say (overfitting, NaN); a NaN or infinite loss is told while it runs.
 * A tuning's trials end silently: TuningNotices tells the tuning's end.
 */
export class TrainingStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('emkit.trainings', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  /** ids already announced: an event replayed after a reconnection says nothing twice */
  private readonly announced = new Set<string>();
  /** per training, the series already told of as NaN or infinite (kept: events may come again) */
  private readonly toldNonFinite = new Map<string, Set<string>>();
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
    if (training && !isSettled(trainingStates, training.state)) this.warnNewFlags(training);
    if (!training || !isSettled(trainingStates, training.state) || this.announced.has(training.id)) return;
    this.announced.add(training.id);
    // a tuning's trial says nothing as it ends (a pruned one ends STOPPED): the tuning's own notice tells the search's end
    if (training.tags[TUNING_TAG]) return;
    const logs = vscode.l10n.t('Show logs');
    // a no-code training registered its model itself: it is opened, not created again
    const registered = training.model;
    const model = registered ? vscode.l10n.t('Open model') : vscode.l10n.t('Create model');
    const target = { target: { kind: 'trainings', id: training.id, name: training.name } };
    const act = (choice: string | undefined) => {
      if (choice === logs) void vscode.commands.executeCommand('emkit.showTrainingLogs', target);
      else if (choice === model && registered)
        void vscode.commands.executeCommand('emkit.openModel', {
          target: { kind: 'models', id: registered.id, name: registered.name },
        });
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
    const warnings = qualityNotes(training.quality, translate).filter((note) => note.level === 'warning');
    if (warnings.length > 0) this.warn(training, warnings.map((note) => note.text).join(' '));
  }

  /** A NaN or infinite value, told as soon as the bridge has read it, once per series. */
  private warnNewFlags(training: Training): void {
    const told = this.toldNonFinite.get(training.id) ?? new Set<string>();
    this.toldNonFinite.set(training.id, told);
    const fresh = untoldNonFinite(told, training.quality);
    if (!training.quality || fresh.length === 0) return;
    const only = { ...training.quality, overfitting: null, plateau: null, earlyStopped: null, nonFinite: fresh };
    this.warn(
      training,
      qualityNotes(only, translate)
        .map((note) => note.text)
        .join(' '),
    );
  }

  private warn(training: Training, notes: string): void {
    const text = vscode.l10n.t('Training {0}: {1}', training.name, notes);
    const open = vscode.l10n.t('Open Training Panel');
    void vscode.window.showWarningMessage(text, open).then((choice) => {
      if (choice === open)
        void vscode.commands.executeCommand('emkit.openTraining', {
          target: { kind: 'trainings', id: training.id, name: training.name },
        });
    });
    this.shown.push(text);
  }
}

/** The shared notes' words through VS Code's bundle (they are among the views' strings). */
const translate = (message: string, ...args: (string | number)[]) => vscode.l10n.t(message, ...args);
