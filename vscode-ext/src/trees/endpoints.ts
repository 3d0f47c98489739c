import { type Endpoint, stageHealth } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** Endpoints, each opening onto its stages; the default stage is marked. */
export class EndpointsTree extends ResourceTree {
  protected readonly kinds = ['endpoints'] as const;

  protected roots(): Node[] {
    return this.store.list('endpoints').map((endpoint) =>
      row({
        id: `endpoint:${endpoint.id}`,
        label: endpoint.name,
        description: endpoint.state,
        tooltip: endpoint.stateReason ?? endpoint.url,
        icon: stateIcon(endpoint.state),
        contextValue: 'endpoint',
        children: () => stageRows(endpoint),
        expanded: true,
        target: { kind: 'endpoints', id: endpoint.id, name: endpoint.name },
      }),
    );
  }

  protected emptyText(): string {
    return vscode.l10n.t('No endpoints yet — deploy a model with `emkit endpoint create`.');
  }
}

function stageRows(endpoint: Endpoint): Node[] {
  return endpoint.stages.map((stage) => {
    const health = stageHealth(stage);
    const isDefault = stage.name === endpoint.defaultStage;
    return row({
      id: `stage:${endpoint.id}:${stage.name}`,
      label: isDefault ? vscode.l10n.t('{0} (default)', stage.name) : stage.name,
      description: `${stage.model.name}:${stage.model.version} · ${vscode.l10n.t('{0}/{1} ready', health.ready, health.total)}`,
      tooltip: stage.stateReason ?? undefined,
      icon: stateIcon(stage.state),
      contextValue: isDefault ? 'stage.default' : 'stage',
      target: { kind: 'endpoints', id: endpoint.id, name: endpoint.name },
      stage: stage.name,
    });
  });
}
