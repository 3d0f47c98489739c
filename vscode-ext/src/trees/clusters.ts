import type { Cluster } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

const GIB = 1024 ** 3;

/** Ray clusters, each opening onto its nodes as the bridge last found them; the default target is marked. */
export class ClustersTree extends ResourceTree {
  protected readonly kinds = ['clusters'] as const;

  protected roots(): Node[] {
    return this.store.list('clusters').map((cluster) => {
      const alive = cluster.nodes.filter((n) => n.alive).length;
      const summary = cluster.nodes.length
        ? vscode.l10n.t('Ray {0} · {1}/{2} nodes alive', cluster.rayVersion ?? '?', alive, cluster.nodes.length)
        : cluster.address;
      return row({
        id: `cluster:${cluster.id}`,
        label: cluster.isDefault ? vscode.l10n.t('{0} (default)', cluster.name) : cluster.name,
        description: `${cluster.state} · ${summary}`,
        tooltip: cluster.stateReason ?? cluster.address,
        icon: stateIcon(cluster.state),
        // a reachable one offers its dashboard
        contextValue: cluster.state === 'REACHABLE' ? 'cluster.reachable' : 'cluster',
        target: { kind: 'clusters', id: cluster.id, name: cluster.name },
        children: cluster.nodes.length ? () => nodeRows(cluster) : undefined,
        expanded: true,
      });
    });
  }

  protected emptyText(): string {
    return vscode.l10n.t('No clusters — start one with `emkit cluster up NAME` or add one with `emkit cluster add`.');
  }
}

function nodeRows(cluster: Cluster): Node[] {
  return cluster.nodes.map((node) =>
    row({
      id: `node:${cluster.id}:${node.id}`,
      label: node.head ? vscode.l10n.t('{0} (head)', node.address) : node.address,
      description: `${node.state} · ${vscode.l10n.t('{0} CPU · {1} GPU · {2} GiB', node.cpus, node.gpus, (node.memoryBytes / GIB).toFixed(1))}`,
      tooltip: node.id,
      icon: stateIcon(node.state),
      contextValue: 'clusterNode',
    }),
  );
}
