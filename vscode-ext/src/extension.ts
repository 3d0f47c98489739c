import { ResourceStore } from '@emkit/shared';
import * as vscode from 'vscode';
import { BridgeLink } from './bridge.js';
import { commands } from './commands.js';
import { EndpointsTree } from './trees/endpoints.js';
import { EnvironmentsTree } from './trees/environments.js';
import { ExperimentsTree } from './trees/experiments.js';
import { ModelsTree } from './trees/models.js';

/** What activate hands back: the extension-host tests read the trees through it. */
export interface EmkitExtensionApi {
  store: ResourceStore;
  link: BridgeLink;
  trees: { environments: EnvironmentsTree; experiments: ExperimentsTree; models: ModelsTree; endpoints: EndpointsTree };
}

export function activate(context: vscode.ExtensionContext): EmkitExtensionApi {
  const store = new ResourceStore();
  const link = new BridgeLink(store);
  const trees = {
    environments: new EnvironmentsTree(store, 'environments'),
    experiments: new ExperimentsTree(store, 'experiments'),
    models: new ModelsTree(store, 'models'),
    endpoints: new EndpointsTree(store, 'endpoints'),
  };
  context.subscriptions.push(link, ...Object.values(trees));
  for (const [name, tree] of Object.entries(trees)) {
    context.subscriptions.push(vscode.window.registerTreeDataProvider(`emkit.${name}`, tree));
  }
  for (const [id, handler] of Object.entries(commands)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, (node) => handler(link, node)));
  }
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (change.affectsConfiguration('emkit')) void link.connect();
    }),
  );
  // not awaited: activation stays quick, the trees say "Loading…" until the lists arrive
  void link.connect();
  return { store, link, trees };
}

export function deactivate(): void {
  // everything is in context.subscriptions
}
