import { describe, expect, it } from 'vitest';
import { clusterNodes } from './ray-nodes.js';

describe("Ray's node states as emkit shows them", () => {
  it('reads CPUs, GPUs and memory, the head first, dead nodes last', () => {
    const nodes = clusterNodes([
      { node_id: 'b', node_ip: '10.0.0.10', is_head_node: false, state: 'DEAD', resources_total: { CPU: 4 } },
      {
        node_id: 'c',
        node_ip: '10.0.0.9',
        is_head_node: false,
        state: 'ALIVE',
        resources_total: { CPU: 8, GPU: 2, memory: 1e9 },
      },
      {
        node_id: 'a',
        node_ip: '10.0.0.2',
        is_head_node: true,
        state: 'ALIVE',
        resources_total: { CPU: 1, memory: 2e9, object_store_memory: 1e8, 'node:10.0.0.2': 1 },
      },
    ]);
    expect(nodes.map((n) => [n.id, n.head, n.alive, n.cpus, n.gpus, n.memoryBytes, n.objectStoreBytes])).toEqual([
      ['a', true, true, 1, 0, 2e9, 1e8],
      ['c', false, true, 8, 2, 1e9, 0],
      ['b', false, false, 4, 0, 0, 0],
    ]);
  });

  it('takes a node with no resources listed (a dead one) as having none', () => {
    expect(clusterNodes([{ node_id: 'x', node_ip: '1.2.3.4', is_head_node: false, state: 'DEAD' }])).toEqual([
      {
        id: 'x',
        address: '1.2.3.4',
        head: false,
        alive: false,
        state: 'DEAD',
        cpus: 0,
        gpus: 0,
        memoryBytes: 0,
        objectStoreBytes: 0,
      },
    ]);
  });
});
