import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ApiError, type Cluster, clusterStates, type EmkitClient, formatTime, isSettled } from '@emkit/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { count } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';

const GIB = 1024 ** 3;
const alive = (c: Cluster) => c.nodes.filter((n) => n.alive).length;

const columns: [string, (c: Cluster) => unknown][] = [
  ['NAME', (c) => `${c.name}${c.isDefault ? ' *' : ''}`],
  ['STATE', (c) => c.state],
  ['ADDRESS', (c) => c.address],
  ['RAY', (c) => c.rayVersion ?? ''],
  ['NODES', (c) => (c.nodes.length ? `${alive(c)}/${c.nodes.length} alive` : '')],
  ['CPUS', (c) => c.nodes.filter((n) => n.alive).reduce((sum, n) => sum + n.cpus, 0) || ''],
  ['LOCAL', (c) => (c.local ? `${c.local.nodes} × ${c.local.cpusPerNode ?? 1} CPU` : '')],
];

const fields: [string, (c: Cluster) => unknown][] = [
  ['name', (c) => c.name],
  ['state', (c) => `${c.state}${c.stateReason ? `: ${c.stateReason}` : ''}`],
  ['address', (c) => c.address],
  ['default', (c) => (c.isDefault ? 'yes (trainings and stages go here)' : 'no')],
  ['token', (c) => (c.hasToken ? 'set' : 'none')],
  ['serve', (c) => c.serveAddress ?? ''],
  ['ray', (c) => c.rayVersion ?? ''],
  ['local', (c) => (c.local ? `${c.local.nodes} nodes × ${c.local.cpusPerNode ?? 1} CPU, started by the bridge` : 'no')],
  ['checked', (c) => (c.checkedAt ? formatTime(c.checkedAt) : '')],
];

function printCluster(globals: { json?: boolean }, cluster: Cluster): void {
  printItem(globals, cluster, fields);
  if (globals.json || cluster.nodes.length === 0) return;
  process.stdout.write('\n');
  printList(globals, cluster.nodes, [
    ['NODE', (n) => `${n.address}${n.head ? ' (head)' : ''}`],
    ['STATE', (n) => n.state],
    ['CPUS', (n) => n.cpus],
    ['GPUS', (n) => n.gpus],
    ['MEMORY', (n) => `${(n.memoryBytes / GIB).toFixed(1)} GiB`],
    ['ID', (n) => n.id.slice(0, 12)],
  ]);
}

/** Poll until the cluster has settled (REACHABLE, UNREACHABLE, START FAILED or STOPPED). */
async function settled(client: EmkitClient, id: string): Promise<Cluster> {
  for (;;) {
    const cluster = await client.api.getCluster({ params: { id } });
    if (isSettled(clusterStates, cluster.state)) return cluster;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function megabytes(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 256)
    throw new InvalidArgumentError(`"${value}" is not a whole number of MB, 256 or more`);
  return parsed;
}

export function registerClusters(program: Command): void {
  const cluster = program.command('cluster').description('Ray clusters that trainings and stages can run on');

  cluster
    .command('add <name>')
    .description('add a running Ray cluster by its dashboard address')
    .requiredOption('--ray <url>', "Ray's dashboard address, http://HEAD:8265")
    .option('--token-file <file>', "a file holding Ray's auth token (RAY_AUTH_MODE=token clusters)")
    .option(
      '--serve-port <port>',
      "Ray Serve's HTTP port on the head's host, where stages on it are called (default 8000)",
      count,
    )
    .option(
      '--client-port <port>',
      "Ray Client's port on the head's host, where batch scoring starts its workers from (default 10001)",
      count,
    )
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const token = options.tokenFile ? readFileSync(options.tokenFile, 'utf8').trim() : undefined;
      if (options.tokenFile && !token) command.error(`${options.tokenFile} is empty`, { exitCode: EXIT.usage });
      const client = connect(globals);
      const created = await client.api.createCluster({
        body: {
          name,
          address: options.ray,
          ...(token ? { token } : {}),
          ...(options.servePort ? { servePort: options.servePort } : {}),
          ...(options.clientPort ? { clientPort: options.clientPort } : {}),
        },
      });
      printCluster(globals, await settled(client, created.id));
    });

  cluster
    .command('up <name>')
    .description('start a Ray cluster on this machine (each node its own `ray start`) and add it; again after `down`')
    .option('--nodes <n>', 'how many nodes: the head and n - 1 more', count, 2)
    .option('--cpus-per-node <n>', 'CPUs each node offers to Ray', count, 1)
    .option('--memory-mb <mb>', 'memory each node offers to Ray', megabytes, 1024)
    .option('--no-wait', "answer at once; don't wait for every node to be ALIVE")
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      let started: Cluster;
      try {
        const existing = await client.api.getCluster({ params: { id: name } });
        started = await client.api.startCluster({ params: { id: existing.id } });
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        started = await client.api.createCluster({
          body: { name, local: { nodes: options.nodes, cpusPerNode: options.cpusPerNode, memoryMbPerNode: options.memoryMb } },
        });
      }
      if (!options.wait) return printCluster(globals, started);
      const final = await settled(client, started.id);
      printCluster(globals, final);
      if (final.state !== 'REACHABLE') process.exitCode = EXIT.endedInFailure;
    });

  cluster
    .command('down <name>')
    .description("stop a local cluster's nodes (it stays, STOPPED; `up` starts it again, `remove` forgets it)")
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const stopped = await connect(globals).api.stopCluster({ params: { id: name } });
      if (globals.json) return printItem(globals, stopped);
      printMessage(globals, `cluster ${name} stopped`);
    });

  cluster
    .command('list')
    .description('every cluster: state, Ray version, nodes (* marks the default target)')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listClusters({ query: { limit: 1000 } });
      printList(globals, items, columns);
    });

  cluster
    .command('get <name>')
    .description('one cluster with its nodes')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      printCluster(globals, await connect(globals).api.getCluster({ params: { id: name } }));
    });

  cluster
    .command('remove <name>')
    .alias('delete')
    .description('forget a cluster and its token (a local one is stopped first)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteCluster({ params: { id: name } });
      printMessage(globals, `cluster ${name} removed`, { deleted: name });
    });

  cluster
    .command('dashboard <name>')
    .description("print the address of the cluster's Ray dashboard through the bridge (one-time ticket); --open opens it")
    .option('--open', "open it in this machine's browser as well")
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      // the bridge adds Ray's token: the address carries only a ticket, spent by the first page load
      const url = await connect(globals).clusterDashboardUrl(name);
      printMessage(globals, url, { url });
      if (options.open) openInBrowser(url);
    });

  cluster
    .command('default [name]')
    .description('make a cluster the default target for trainings and stages; --local gives it back to this machine')
    .option('--local', 'no default cluster: run here')
    .action(async (name: string | undefined, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      if (options.local) {
        const current = (await client.api.listClusters({ query: { limit: 1000 } })).items.find((c) => c.isDefault);
        if (current) await client.api.updateCluster({ params: { id: current.id }, body: { default: false } });
        return printMessage(globals, 'trainings and stages run on this machine by default', { default: null });
      }
      if (!name) command.error('name a cluster, or give --local', { exitCode: EXIT.usage });
      const updated = await client.api.updateCluster({ params: { id: name as string }, body: { default: true } });
      printMessage(globals, `cluster ${updated.name} is the default target`, updated);
    });
}

/** The desktop's own opener, detached: the address is printed either way. */
function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`emkit: could not run ${opener}; open the address above yourself\n`));
  child.unref();
}
