import * as vscode from 'vscode';
import { TOKEN_SECRET } from '../connection.js';
import { clientOf, type Handler, type Target } from './context.js';

const DELETE_ROUTES = {
  environments: 'deleteEnvironment',
  experiments: 'deleteExperiment',
  trainings: 'deleteTraining',
  models: 'deleteModel',
  endpoints: 'deleteEndpoint',
  clusters: 'deleteCluster',
  datasets: 'deleteDataset',
  recipes: 'deleteRecipe',
  'batch-inferences': 'deleteBatchInference',
  schedules: 'deleteSchedule',
  alerts: 'deleteAlertRule',
  tunings: 'deleteTuning',
} as const satisfies Record<Target['kind'], string>;

/** The connection (refresh, the token) and what applies to any resource (delete). */
export const resourceCommands: Record<string, Handler> = {
  'emkit.refresh': (context) => context.link.connect(),

  'emkit.setToken': async (context, args) => {
    const token =
      (args.token as string | undefined) ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('The emkit bridge token'),
        prompt: vscode.l10n.t("From runtime.json in the bridge's home; kept in VS Code's secret storage. Empty: forget it."),
        password: true,
        ignoreFocusOut: true,
      }));
    if (token === undefined) return;
    if (token.trim()) await context.secrets.store(TOKEN_SECRET, token.trim());
    else await context.secrets.delete(TOKEN_SECRET);
    await context.link.connect();
  },

  'emkit.deleteResource': async (context, args) => {
    const target = args.target;
    if (!target) return;
    const client = await clientOf(context);
    if (args.confirm !== true) {
      const yes = vscode.l10n.t('Delete');
      const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0}?', target.name), { modal: true }, yes);
      if (answer !== yes) return;
    }
    await client.api[DELETE_ROUTES[target.kind]]({ params: { id: target.id } });
    // read the list at once rather than wait for the recipe event (an older bridge sends none)
    if (target.kind === 'recipes') await context.store.reloadRecipes(client);
  },
};
