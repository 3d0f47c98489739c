import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

export class EnvironmentsTree extends ResourceTree {
  protected readonly kinds = ['environments'] as const;

  protected roots(): Node[] {
    return this.store.list('environments').map((env) =>
      row({
        id: `environment:${env.id}`,
        label: env.name,
        description: `${env.manager} · Python ${env.python} · ${env.state}`,
        tooltip: env.path,
        icon: stateIcon(env.state),
        contextValue: 'environment',
        target: { kind: 'environments', id: env.id, name: env.name },
      }),
    );
  }

  protected emptyText(): string {
    return vscode.l10n.t('No environments yet — create one with `emkit env create`.');
  }
}
