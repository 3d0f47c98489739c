import type { ResourceEvent, Schedule } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';

/**
 * A notification when a scheduled run fails (the schedules' `finished` event, its `lastRun` the
 * run that ended), with the bridge's reason and "Open schedule". A run that completes says
 * nothing: its trainings and jobs announce themselves.
 */
export class ScheduleNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  /** runs already announced: an event replayed after a reconnection says nothing twice */
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
    if (event.resource !== 'schedules' || event.action !== 'finished') return;
    const schedule = event.data as unknown as Schedule | null;
    const run = schedule?.lastRun;
    if (!schedule || !run || run.state !== 'FAILED' || this.announced.has(run.id)) return;
    this.announced.add(run.id);
    const text = vscode.l10n.t('Schedule {0}: run {1} failed: {2}', schedule.name, run.number, run.reason ?? run.state);
    const open = vscode.l10n.t('Open schedule');
    this.shown.push(text);
    void vscode.window.showErrorMessage(text, open).then((choice) => {
      if (choice === open)
        void vscode.commands.executeCommand('emkit.openSchedule', {
          target: { kind: 'schedules', id: schedule.id, name: schedule.name },
        });
    });
  }
}
