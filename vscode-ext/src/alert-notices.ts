import { type AlertEvent, alertNotice, type ResourceEvent } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';

/**
 * A notification when an alert rule fires or resolves (the `alert` event), as loud as the
 * rule's severity, with a button that opens the endpoint or training it watches.
 */
export class AlertNotices implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  /** events already announced: one replayed after a reconnection says nothing twice */
  private readonly announced = new Set<number>();
  /** what was shown, newest last, for tests (a notification can't be read back) */
  readonly shown: string[] = [];

  constructor(link: BridgeLink) {
    this.subscription = link.onEvent((event) => this.onEvent(event));
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private onEvent(event: ResourceEvent): void {
    if (event.resource !== 'alerts' || event.action !== 'alert' || !event.data) return;
    const alert = event.data as unknown as AlertEvent;
    if (this.announced.has(alert.seq)) return;
    this.announced.add(alert.seq);
    const notice = alertNotice(alert, (text, ...args) => vscode.l10n.t(text, ...args));
    this.shown.push(notice.text);
    const show =
      notice.level === 'error'
        ? vscode.window.showErrorMessage
        : notice.level === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const open = notice.open;
    const buttons = open ? [open.label] : [];
    void show(notice.text, ...buttons).then((choice) => {
      if (!open || choice !== open.label) return;
      const command = open.kind === 'endpoints' ? 'emkit.openEndpoint' : 'emkit.openTraining';
      void vscode.commands.executeCommand(command, { target: { kind: open.kind, id: open.id, name: open.name } });
    });
  }
}
