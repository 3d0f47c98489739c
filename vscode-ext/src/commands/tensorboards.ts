import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';

/** TensorBoard for a training, or for an experiment (its trainings as runs). */
export const tensorboardCommands: Record<string, Handler> = {
  'emkit.openTensorboard': async (context, args) => {
    const client = await clientOf(context);
    if (args.target?.kind === 'experiments')
      return context.panels.openTensorboard(client, { experiment: args.target.id }, args.target.name);
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('TensorBoard for which training?'));
    if (target) return context.panels.openTensorboard(client, { training: target.id }, target.name);
  },
};
