import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePorts, dashboardAddress, nodeAddress, nodeArguments, rayBinary } from './local-cluster.js';

describe('a local Ray cluster', () => {
  it('gives each node its own loopback address, never 127.0.0.1', () => {
    expect([0, 1, 2].map(nodeAddress)).toEqual(['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('chooses every port up front, all different, outside the worker range', async () => {
    const ports = await choosePorts(2);
    const all = [ports.gcs, ports.dashboard, ports.client, ...ports.nodes.flatMap((n) => Object.values(n))];
    expect(all).toHaveLength(11);
    expect(new Set(all).size).toBe(11);
    expect(all.every((p) => p > 0 && (p < 10002 || p > 19999))).toBe(true);
    expect(dashboardAddress(ports)).toBe(`http://127.0.0.2:${ports.dashboard}`);
  });

  it('starts the head with its dashboard on its own address, and the others joining its GCS', async () => {
    const ports = await choosePorts(2);
    const spec = { nodes: 2, cpusPerNode: 1, memoryMbPerNode: 512 };
    const head = nodeArguments(0, spec, ports, '/tmp/emkit-ray-x');
    const worker = nodeArguments(1, spec, ports, '/tmp/emkit-ray-x');
    expect(head.slice(0, 3)).toEqual(['start', '--block', '--head']);
    expect(head).toContain(`--dashboard-host=127.0.0.2`);
    expect(head).toContain(`--dashboard-port=${ports.dashboard}`);
    expect(worker).toContain(`--address=127.0.0.2:${ports.gcs}`);
    expect(worker).not.toContain('--head');
    for (const [args, index] of [
      [head, 0],
      [worker, 1],
    ] as const) {
      expect(args).toEqual(
        expect.arrayContaining([
          '--disable-usage-stats',
          `--node-ip-address=${nodeAddress(index)}`,
          `--temp-dir=/tmp/emkit-ray-x/n${index}`,
          `--dashboard-agent-listen-port=${ports.nodes[index]?.agentHttp}`,
          '--num-cpus=1',
          '--num-gpus=0',
          `--memory=${512 * 1024 * 1024}`,
        ]),
      );
    }
  });

  it("finds `ray` beside the bridge's Python, or says it isn't there", () => {
    const bin = mkdtempSync(join(tmpdir(), 'emkit-bin-'));
    try {
      writeFileSync(join(bin, 'python'), '');
      expect(rayBinary(join(bin, 'python'))).toBeNull();
      writeFileSync(join(bin, 'ray'), '');
      expect(rayBinary(join(bin, 'python'))).toBe(join(bin, 'ray'));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
