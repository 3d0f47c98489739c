import {
  type EmkitClient,
  type Schedule,
  type ScheduleEditorAction,
  ScheduleEditorFeed,
  ScheduleFeed,
  type ScheduleOrigin,
  type ScheduleResourceType,
  type ScheduleViewAction,
} from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import { scheduleLocale } from '../trees/schedules.js';
import { openFeedPanel } from './feed-panel.js';

/** What a step's link in the history opens: the resource's own panel, through its command. */
const OPEN_RESOURCE = {
  trainings: 'emkit.openTraining',
  models: 'emkit.openModel',
  'batch-inferences': 'emkit.openBatchJob',
} as const;

/**
 * A schedule's panel (when it runs in words, the next runs, its chain of steps, Pause / Resume /
 * Run now / Delete, the history of runs with each step's resource as a link) and the schedule
 * editor (the cron helper: the schedule in words as it is typed and the bridge's next due times;
 * the steps pre-filled from where it was opened). Their feeds run here in the extension host;
 * one view panel per schedule, one editor at a time.
 */
export class SchedulePanels implements vscode.Disposable {
  private readonly open = new Map<string, vscode.WebviewPanel>();
  private editor: vscode.WebviewPanel | undefined;

  constructor(
    private readonly link: BridgeLink,
    private readonly extensionUri: vscode.Uri,
  ) {}

  /** The schedule panels open now, by schedule id (tests read it). */
  get panels(): ReadonlyMap<string, vscode.WebviewPanel> {
    return this.open;
  }

  /** The schedule editor open now, if any (tests read it). */
  get currentEditor(): vscode.WebviewPanel | undefined {
    return this.editor;
  }

  /** A schedule's panel VS Code brought back after a reload; closed when the schedule is gone. */
  async revive(panel: vscode.WebviewPanel, id: string, name: string, client: EmkitClient): Promise<void> {
    const exists = await client.api.getSchedule({ params: { id } }).then(
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
    const title = vscode.l10n.t('Schedule {0}', name);
    const panel = openFeedPanel(this.link, this.extensionUri, { kind: 'schedule', id, name }, title, revived, (opened) => {
      const feed = new ScheduleFeed(client, id, (message) => {
        void opened.webview.postMessage(message);
        if (message.type === 'deleted') opened.dispose();
      });
      const onAction = (action: ScheduleViewAction) => {
        // pause, resume and run now are the feed's
        if (feed.act(action)) return;
        const target = { kind: 'schedules', id, name };
        if (action.action === 'delete') void vscode.commands.executeCommand('emkit.deleteResource', { target });
        else if (action.action === 'openResource') void this.openResource(client, action.resource, action.id);
      };
      return { feed, onAction: onAction as (action: { action: string }) => void };
    });
    this.open.set(id, panel);
    panel.onDidDispose(() => this.open.delete(id));
    return panel;
  }

  /**
   * The schedule editor, its steps pre-filled from `origin` (a training, a recipe, a notebook,
   * a model version); once saved it closes and the schedule's panel opens.
   */
  openEditor(client: EmkitClient, origin: ScheduleOrigin): vscode.WebviewPanel {
    this.editor?.dispose();
    const title = vscode.l10n.t('New Schedule');
    const state = { kind: 'scheduleEditor' as const, id: 'new', name: title };
    const panel = openFeedPanel(this.link, this.extensionUri, state, title, undefined, (opened) => {
      const feed = new ScheduleEditorFeed(client, origin, scheduleLocale(), (message) => {
        void opened.webview.postMessage(message);
        if (message.type === 'saved') this.saved(client, message.schedule, opened);
      });
      const onAction = (action: ScheduleEditorAction) => {
        if (!feed.act(action) && action.action === 'cancel') opened.dispose();
      };
      return { feed, onAction: onAction as (action: { action: string }) => void };
    });
    this.editor = panel;
    panel.onDidDispose(() => {
      if (this.editor === panel) this.editor = undefined;
    });
    return panel;
  }

  dispose(): void {
    this.editor?.dispose();
    for (const panel of this.open.values()) panel.dispose();
  }

  private saved(client: EmkitClient, schedule: Schedule, editor: vscode.WebviewPanel): void {
    editor.dispose();
    this.show(client, schedule.id, schedule.name);
  }

  /** A step's resource from the history: a training's, a model's, a batch job's panel, or an evaluation in its model's view. */
  private async openResource(client: EmkitClient, resource: ScheduleResourceType, id: string): Promise<void> {
    try {
      if (resource === 'evaluations') {
        const evaluation = await client.api.getEvaluation({ params: { id } });
        await vscode.commands.executeCommand('emkit.openModel', { name: evaluation.model.name, evaluation: id });
        return;
      }
      const name =
        resource === 'trainings'
          ? (await client.api.getTraining({ params: { id } })).name
          : resource === 'models'
            ? await client.api.getModel({ params: { id } }).then((m) => `${m.name}:${m.version}`)
            : (await client.api.getBatchInference({ params: { id } })).name;
      await vscode.commands.executeCommand(OPEN_RESOURCE[resource], { target: { kind: resource, id, name } });
    } catch (error) {
      void vscode.window.showErrorMessage((error as Error).message);
    }
  }
}
