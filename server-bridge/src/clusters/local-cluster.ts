import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { LocalClusterSpec } from '@emkit/shared';
import { childEnv } from '../runtime/child-env.js';
import { which } from '../runtime/process.js';
import type { LocalProcesses } from '../store/clusters.js';

/** The loopback address of node i: 127.0.0.1 itself Ray swaps for the machine's external address (shared/RAY.md). */
export const nodeAddress = (index: number): string => `127.0.0.${index + 2}`;

export const DEFAULT_CPUS_PER_NODE = 1;
export const DEFAULT_MEMORY_MB_PER_NODE = 1024;
/** Ray's object store takes at least ~75 MB; a try-out cluster needs little more */
const OBJECT_STORE_BYTES = 100 * 1024 * 1024;

/** `ray` beside the bridge's Python, or null: the nodes run that environment's Ray. */
export function rayBinary(python: string): string | null {
  const resolved = python.includes('/') ? python : which(python);
  if (!resolved) return null;
  const candidate = join(dirname(resolved), 'ray');
  return existsSync(candidate) ? candidate : null;
}

export const rayMissing = (python: string) =>
  `Ray isn't installed in the bridge's Python environment (${python}): install it there with ` +
  '`pip install "ray[default]~=2.60.0"` (`npm run setup` puts it in the project\'s .venv), or start the bridge with ' +
  '--python pointing at an environment that has it';

/** Free TCP ports, as the kernel hands them out (outside Ray's worker range, 10002–19999). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '0.0.0.0', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export interface LocalClusterPorts {
  gcs: number;
  dashboard: number;
  client: number;
  /** Ray Serve's HTTP proxy, on the head only (every node's proxy would want the same port on this one host) */
  serve: number;
  /** per node: the agent's HTTP and gRPC ports, the metrics port, the runtime-env agent's */
  nodes: { agentHttp: number; agentGrpc: number; metrics: number; runtimeEnv: number }[];
}

/**
 * Every port chosen up front: Ray's fixed defaults (6379, 8265, 52365…) collide between two
 * clusters on one host, and a node left to pick its agents' ports waits for them in files a
 * busy machine may not write in time (the raylet gives up after 15 s).
 */
export async function choosePorts(nodes: number): Promise<LocalClusterPorts> {
  const ports = await freePorts(4 + 4 * nodes);
  const take = () => ports.shift() as number;
  return {
    gcs: take(),
    dashboard: take(),
    client: take(),
    serve: take(),
    nodes: Array.from({ length: nodes }, () => ({ agentHttp: take(), agentGrpc: take(), metrics: take(), runtimeEnv: take() })),
  };
}

export const dashboardAddress = (ports: LocalClusterPorts) => `http://${nodeAddress(0)}:${ports.dashboard}`;

/** Where the head's Serve proxy will listen, once a stage deploys (Serve starts with the first application). */
export const serveAddress = (ports: LocalClusterPorts) => `http://${nodeAddress(0)}:${ports.serve}`;

/** The `ray start` arguments of node `index` (0 is the head). */
export function nodeArguments(index: number, spec: LocalClusterSpec, ports: LocalClusterPorts, tempDir: string): string[] {
  const node = ports.nodes[index];
  if (!node) throw new Error(`no ports for node ${index}`);
  const cpus = spec.cpusPerNode ?? DEFAULT_CPUS_PER_NODE;
  const memoryBytes = (spec.memoryMbPerNode ?? DEFAULT_MEMORY_MB_PER_NODE) * 1024 * 1024;
  const role =
    index === 0
      ? [
          '--head',
          `--port=${ports.gcs}`,
          `--dashboard-host=${nodeAddress(0)}`,
          `--dashboard-port=${ports.dashboard}`,
          `--ray-client-server-port=${ports.client}`,
        ]
      : [`--address=${nodeAddress(0)}:${ports.gcs}`];
  return [
    'start',
    '--block',
    ...role,
    '--disable-usage-stats',
    `--node-ip-address=${nodeAddress(index)}`,
    `--temp-dir=${join(tempDir, `n${index}`)}`,
    `--dashboard-agent-listen-port=${node.agentHttp}`,
    `--dashboard-agent-grpc-port=${node.agentGrpc}`,
    `--metrics-export-port=${node.metrics}`,
    `--runtime-env-agent-port=${node.runtimeEnv}`,
    `--num-cpus=${cpus}`,
    '--num-gpus=0',
    `--memory=${memoryBytes}`,
    `--object-store-memory=${OBJECT_STORE_BYTES}`,
  ];
}

export interface NodeLaunch {
  ray: string;
  args: string[];
  /** the file the token is in (0600): Ray's token auth reads it */
  tokenFile: string;
  /** what goes first on PYTHONPATH, so `emkit.ray_node` is this bridge's own */
  emkitImportPath: string;
  logFile: string;
}

/**
 * One node: `python -m emkit.ray_node RAY start --block …`, the leader of its own process
 * group, with the bridge's pipe on its stdin (its end ends the node). The environment's
 * `bin` goes first on the PATH, so jobs run that environment's `python`; usage statistics
 * stay off (Ray would otherwise try to reach the internet).
 */
export function spawnNode(launch: NodeLaunch): ChildProcess {
  const bin = dirname(launch.ray);
  const python = [join(bin, 'python'), join(bin, 'python3')].find((p) => existsSync(p)) ?? 'python3';
  mkdirSync(dirname(launch.logFile), { recursive: true });
  const log = openSync(launch.logFile, 'a');
  try {
    const child = spawn(python, ['-m', 'emkit.ray_node', launch.ray, ...launch.args], {
      detached: true,
      stdio: ['pipe', log, log],
      env: childEnv({
        PATH: [bin, process.env.PATH].filter(Boolean).join(delimiter),
        PYTHONPATH: [launch.emkitImportPath, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
        PYTHONDONTWRITEBYTECODE: '1',
        RAY_USAGE_STATS_ENABLED: '0',
        RAY_AUTH_MODE: 'token',
        RAY_AUTH_TOKEN_PATH: launch.tokenFile,
      }),
    });
    child.stdin?.on('error', () => {});
    // a failed spawn shows as a missing pid (the caller's error); this keeps it from being an uncaught one
    child.on('error', () => {});
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** A short private folder for the nodes' --temp-dir: Ray's socket paths under it must stay within 107 bytes. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'emkit-ray-'));
}

/**
 * Whether process group `pgid` has a live member. On Linux a zombie doesn't count (a group of
 * zombies still takes signals, and one whose parent died with it may wait long to be reaped).
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // after the command's closing parenthesis: state, ppid, pgrp
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/** Whether `pid` is still a node of this cluster (not a recycled PID): its command line names the cluster's folder. */
export function isClusterProcess(pid: number, processes: LocalProcesses): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(processes.tempDir);
  } catch {
    return false;
  }
}

/**
 * Stop every node: SIGTERM to each watcher (Ray drains the node and ends its processes), then
 * SIGKILL to the process groups still there after `graceMs`. Only PIDs this cluster's
 * nodes hold are signalled (never `ray stop`, which ends every Ray process on the machine).
 */
export async function stopNodes(processes: LocalProcesses, graceMs = 15_000): Promise<{ killed: number[] }> {
  const ours = processes.pids.filter(
    (pid) => groupAlive(pid) && (isClusterProcess(pid, processes) || !existsSync(`/proc/${pid}`)),
  );
  // the workers first, the head last: workers leaving a live head is the quiet way down
  for (const pid of [...ours].reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  // with the head gone a worker has nothing to drain to and only waits: don't wait with it
  const head = processes.pids[0];
  const deadline = Date.now() + (head !== undefined && groupAlive(head) ? graceMs : Math.min(graceMs, 2000));
  while (ours.some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const killed = ours.filter(groupAlive);
  for (const pid of killed) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  rmSync(processes.tempDir, { recursive: true, force: true });
  return { killed };
}
