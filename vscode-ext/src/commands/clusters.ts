import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';

/** A cluster's Ray dashboard, through the bridge's proxy (which adds Ray's token). */
export const clusterCommands: Record<string, Handler> = {
  'emkit.openClusterDashboard': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'clusters', vscode.l10n.t('The dashboard of which cluster?'));
    if (target) return context.panels.openClusterDashboard(client, target.id, target.name);
  },
};
