import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** One row per model version, as `name:version`, with its aliases and whether it is deactivated beside it. */
export class ModelsTree extends ResourceTree {
  protected readonly kinds = ['models'] as const;

  protected roots(): Node[] {
    return this.store.list('models').map((model) => {
      const name = `${model.name}:${model.version}`;
      return row({
        id: `model:${model.id}`,
        label: name,
        description: [
          model.framework,
          ...model.aliases.map((a) => `@${a}`),
          ...(model.state === 'INACTIVE' ? [vscode.l10n.t('inactive')] : []),
        ].join(' · '),
        tooltip: model.source.training
          ? vscode.l10n.t('from training {0}', model.source.training.name)
          : (model.source.path ?? undefined),
        icon: stateIcon(model.state),
        // "model.inactive" offers Activate and hides what it would refuse (deploy, evaluate)
        contextValue: model.state === 'INACTIVE' ? 'model.inactive' : 'model',
        target: { kind: 'models', id: model.id, name },
      });
    });
  }

  protected emptyText(): string {
    return vscode.l10n.t('No models yet — create one from a COMPLETE training.');
  }
}
