import type { EmkitClient } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from './bridge.js';
import type { Node } from './trees/node.js';

type Target = NonNullable<Node['target']>;
type Handler = (link: BridgeLink, node?: Node) => Promise<void>;

const DELETE_ROUTES = {
  environments: 'deleteEnvironment',
  experiments: 'deleteExperiment',
  trainings: 'deleteTraining',
  models: 'deleteModel',
  endpoints: 'deleteEndpoint',
} as const satisfies Record<Target['kind'], string>;

/** Every emkit command, in one table: package.json contributes the same ids. */
export const commands: Record<string, Handler> = {
  'emkit.refresh': (link) => link.connect(),

  'emkit.stopTraining': (link, node) =>
    onTarget(link, node, async (client, target) => {
      await client.api.stopTraining({ params: { id: target.id } });
    }),

  'emkit.deleteResource': (link, node) =>
    onTarget(link, node, async (client, target) => {
      const yes = vscode.l10n.t('Delete');
      const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0}?', target.name), { modal: true }, yes);
      if (answer !== yes) return;
      await client.api[DELETE_ROUTES[target.kind]]({ params: { id: target.id } });
    }),
};

/**
 * Run a row's action; the bridge's refusal (a rule, e.g. "delete refused while a model
 * comes from it") is the message the user sees, as the bridge words it.
 */
async function onTarget(
  link: BridgeLink,
  node: Node | undefined,
  action: (client: EmkitClient, target: Target) => Promise<void>,
) {
  const client = link.client;
  if (!node?.target) return;
  if (!client) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Not connected to an emkit bridge — Refresh once it is running.'));
    return;
  }
  try {
    await action(client, node.target);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
  }
}
