import type { ClusterNode } from '@emkit/shared';
import type { RayNodeState } from './ray-client.js';

/** Ray's node states, as emkit shows them: the head first, then by address; ALIVE means alive. */
export function clusterNodes(nodes: readonly RayNodeState[]): ClusterNode[] {
  return nodes
    .map((node) => {
      const total = node.resources_total ?? {};
      return {
        id: node.node_id,
        address: node.node_ip,
        head: Boolean(node.is_head_node),
        alive: node.state === 'ALIVE',
        state: node.state,
        cpus: total.CPU ?? 0,
        gpus: total.GPU ?? 0,
        memoryBytes: total.memory ?? 0,
        objectStoreBytes: total.object_store_memory ?? 0,
      };
    })
    .sort(
      (a, b) =>
        Number(b.head) - Number(a.head) ||
        Number(b.alive) - Number(a.alive) ||
        a.address.localeCompare(b.address, 'en', { numeric: true }) ||
        a.id.localeCompare(b.id),
    );
}
