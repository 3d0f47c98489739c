import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';

/** An experiment's trainings side by side in a panel: from its tree row, or picked from the palette. */
export const experimentCommands: Record<string, Handler> = {
  'emkit.compareExperiment': async (context, args) => {
    // connected first: run from the palette at start, the experiments to pick from are loaded by then
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'experiments', vscode.l10n.t('Compare which experiment?'));
    if (target) context.comparisons.show(client, target.id, target.name);
  },
};
