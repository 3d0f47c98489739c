import type { Cluster, ClusterNode } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { launchIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { Badge, IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

const GIB = 1024 ** 3;

function NodeRow({ node, trans }: { node: ClusterNode; trans: TranslationBundle }) {
  return (
    <li className="emkit-Item" data-emkit-kind="node" data-emkit-name={node.address}>
      <div className="emkit-Row">
        <span className="emkit-Row-name" title={node.id}>
          {node.address}
        </span>
        {node.head && (
          <span className="emkit-Chip emkit-Chip-default" title={trans.__("The cluster's head node")}>
            {trans.__('head')}
          </span>
        )}
        <Badge state={node.state} />
        <span className="emkit-Row-detail">
          {trans.__('%1 CPU · %2 GPU · %3 GiB', node.cpus, node.gpus, (node.memoryBytes / GIB).toFixed(1))}
        </span>
      </div>
    </li>
  );
}

/** Ray clusters with their nodes, as the bridge last found them; the default target marked; a reachable one's dashboard a click away. */
export function ClustersSection({ clusters, trans, run }: { clusters: readonly Cluster[]; trans: TranslationBundle; run: Run }) {
  return (
    <Section
      name="clusters"
      title={trans.__('Clusters')}
      count={clusters.length}
      empty={trans.__('No clusters. Start one with `emkit cluster up NAME` or add one with `emkit cluster add NAME --ray URL`.')}
    >
      {clusters.map((cluster) => {
        const alive = cluster.nodes.filter((n) => n.alive).length;
        return (
          <Row
            key={cluster.id}
            kind="cluster"
            name={cluster.name}
            state={cluster.state}
            detail={
              <span title={cluster.stateReason ?? cluster.address}>
                {cluster.isDefault ? `${trans.__('default')} · ` : ''}
                {cluster.nodes.length
                  ? trans.__('Ray %1 · %2/%3 nodes alive', cluster.rayVersion ?? '?', alive, cluster.nodes.length)
                  : cluster.address}
              </span>
            }
            actions={
              cluster.state === 'REACHABLE' && (
                <IconButton
                  icon={launchIcon}
                  label={trans.__('Open the Ray dashboard of %1', cluster.name)}
                  onClick={() => run(CommandIds.openClusterDashboard, cluster.id)}
                />
              )
            }
          >
            {cluster.nodes.length > 0 && (
              <ul className="emkit-List emkit-List-nested">
                {cluster.nodes.map((node) => (
                  <NodeRow key={node.id} node={node} trans={trans} />
                ))}
              </ul>
            )}
          </Row>
        );
      })}
    </Section>
  );
}
