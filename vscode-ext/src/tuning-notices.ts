import { formatFigure, type ResourceEvent, type Tuning } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';

/**
 * A notification when a tuning ends (the tunings' `finished` event): COMPLETE says the best trial
 * and its value, with "Open tuning" and "Create model" (from the best trial); FAILED says the
 * bridge's reason. A STOPPED one says nothing: the person who stopped it knows.
 */
export class TuningNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  /** tunings already announced: an event replayed after a reconnection says nothing twice */
  private readonly announced = new Set<string>();
  /** what was shown, newest last, for tests (a notification can't be read back) */
  readonly shown: string[] = [];

  constructor(link: BridgeLink) {
    this.subscription = link.onEvent((event) => this.onEvent(event));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private onEvent(event: ResourceEvent): void {
    if (event.resource !== 'tunings' || event.action !== 'finished') return;
    const tuning = event.data as unknown as Tuning | null;
    if (!tuning || (tuning.state !== 'COMPLETE' && tuning.state !== 'FAILED') || this.announced.has(tuning.id)) return;
    this.announced.add(tuning.id);
    const target = { kind: 'tunings', id: tuning.id, name: tuning.name };
    const open = vscode.l10n.t('Open tuning');
    const createModel = vscode.l10n.t('Create model');
    const best = tuning.best;
    const text =
      tuning.state === 'FAILED'
        ? vscode.l10n.t('Tuning {0} failed: {1}', tuning.name, tuning.stateReason ?? tuning.state)
        : best
          ? vscode.l10n.t(
              'Tuning {0} finished: best {1} = {2} in trial {3}.',
              tuning.name,
              tuning.objective.metric,
              formatFigure(best.value),
              best.number,
            )
          : vscode.l10n.t('Tuning {0} finished with no trial complete.', tuning.name);
    this.shown.push(text);
    const shown =
      tuning.state === 'FAILED'
        ? vscode.window.showErrorMessage(text, open)
        : best
          ? vscode.window.showInformationMessage(text, open, createModel)
          : vscode.window.showWarningMessage(text, open);
    void shown.then((choice) => {
      if (choice === open) void vscode.commands.executeCommand('emkit.openTuning', { target });
      else if (choice === createModel) void vscode.commands.executeCommand('emkit.createModelFromBest', { target });
    });
  }
}
