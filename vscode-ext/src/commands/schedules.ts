import type { ScheduleOrigin } from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandArgs, clientOf, type Handler, pickTarget } from './context.js';

/** The notebook a Schedule… from an editor's title is about: the Uri VS Code passes, else the active notebook, saved. */
async function notebookOf(args: CommandArgs): Promise<vscode.Uri | undefined> {
  const given = (args as unknown) instanceof vscode.Uri ? (args as unknown as vscode.Uri) : (args.uri as vscode.Uri | undefined);
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  if (given?.fsPath.endsWith('.ipynb')) {
    // the schedule's runs take the notebook as saved: what is on screen is saved first
    const open = vscode.workspace.notebookDocuments.find((doc) => doc.uri.toString() === given.toString());
    if (open?.isDirty) await open.save();
    return given;
  }
  if (!given && notebook?.uri.fsPath.endsWith('.ipynb')) {
    if (notebook.isDirty) await notebook.save();
    return notebook.uri;
  }
  return undefined;
}

/**
 * Schedule… (from a training's row, a recipe's row, a notebook's editor title or the palette)
 * opens the schedule editor with its steps pre-filled; a schedule's row or panel pauses,
 * resumes, runs it now and opens it.
 */
export const scheduleCommands: Record<string, Handler> = {
  'emkit.schedule': async (context, args) => {
    const client = await clientOf(context);
    let origin: ScheduleOrigin | undefined;
    const target = args.target;
    if (target?.kind === 'trainings') origin = { kind: 'training', training: target.id };
    else if (target?.kind === 'recipes') origin = { kind: 'recipe', recipe: target.id };
    else if (target?.kind === 'models') origin = { kind: 'model', model: target.id };
    else {
      const notebook = await notebookOf(args);
      if (notebook) origin = { kind: 'notebook', path: notebook.fsPath };
      else {
        const training = await pickTarget(context, args, 'trainings', vscode.l10n.t('Schedule which training?'));
        if (!training) return;
        origin = { kind: 'training', training: training.id };
      }
    }
    return context.schedules.openEditor(client, origin);
  },

  'emkit.openSchedule': async (context, args) => {
    const target = await pickTarget(context, args, 'schedules', vscode.l10n.t('Open which schedule?'));
    if (!target) return;
    const client = await clientOf(context);
    return context.schedules.show(client, target.id, target.name);
  },

  'emkit.pauseSchedule': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'schedules',
      vscode.l10n.t('Pause which schedule?'),
      (s) => s.state === 'ACTIVE',
    );
    if (!target) return;
    return client.api.pauseSchedule({ params: { id: target.id } });
  },

  'emkit.resumeSchedule': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'schedules',
      vscode.l10n.t('Resume which schedule?'),
      (s) => s.state === 'PAUSED',
    );
    if (!target) return;
    return client.api.resumeSchedule({ params: { id: target.id } });
  },

  'emkit.runScheduleNow': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'schedules', vscode.l10n.t('Run which schedule now?'));
    if (!target) return;
    const run = await client.api.runSchedule({ params: { id: target.id } });
    void vscode.window.showInformationMessage(vscode.l10n.t('Schedule {0}: run {1} started.', target.name, run.number));
    return run;
  },
};
