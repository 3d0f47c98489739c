import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint, infer, writeCustomModel } from '../support/endpoints.js';
import { venvPython } from '../support/trainings.js';

// Model workers answer the bridge alone: no TCP port anyone on the machine (or a
// DNS-rebinding page) could call, only a Unix socket in a directory of the bridge's user.

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-endpoints-isolation-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The inodes of the sockets a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1] as string);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** `/proc/net/<table>` rows as their columns, the header left out. */
function netTable(table: string): string[][] {
  if (!existsSync(`/proc/net/${table}`)) return [];
  return readFileSync(`/proc/net/${table}`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/));
}

/** Connect to a Unix socket from another process, optionally as another user; what it met. */
function connectAs(path: string, asNobody: boolean): string {
  const probe = [
    "const s = require('node:net').connect(process.argv[1]);",
    "s.on('connect', () => { console.log('CONNECTED'); s.destroy(); });",
    "s.on('error', (e) => console.log(e.code));",
  ].join('\n');
  const argv = [process.execPath, '-e', probe, path];
  const run = asNobody
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...argv], { encoding: 'utf8' })
    : spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  return `${run.stdout}${run.stderr}`.trim();
}

const onLinux = process.platform === 'linux' && existsSync('/proc/net/unix');
const canSwitchUser = onLinux && process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe('model workers are reachable through the bridge only', () => {
  let pid: number;
  let socket: string;

  beforeAll(async () => {
    const dir = writeCustomModel(join(work, 'hidden'), 'h');
    await bridge.client.api.createModel({ body: { name: 'hidden', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'hidden', model: 'hidden' } });
    const stage = (await activeEndpoint(bridge.client, 'hidden')).stages[0];
    pid = stage?.instances[0]?.pid as number;
    socket = join(bridge.home, 'sock', `${stage?.id}-0.sock`);
  });

  it('keeps the sockets in a 0700 directory of the bridge, and serves through the gateway', async () => {
    const dir = statSync(join(bridge.home, 'sock'));
    expect(dir.isDirectory()).toBe(true);
    expect((dir.mode & 0o777).toString(8)).toBe('700');
    expect(statSync(socket).isSocket()).toBe(true);
    expect((await infer(bridge, '/inference/hidden', { instances: [[1, 2]] })).body.predictions).toEqual([['h', 3]]);
  });

  it.skipIf(!onLinux)('the worker holds no TCP socket at all, only its Unix one (skipped: needs Linux /proc)', () => {
    const held = socketInodes(pid);
    expect(held.size).toBeGreaterThan(0);
    const tcp = [...netTable('tcp'), ...netTable('tcp6')].map((row) => row[9]);
    expect(tcp.filter((inode) => held.has(inode as string))).toEqual([]);
    const unix = netTable('unix').filter((row) => held.has(row[6] as string) && row[7] === socket);
    expect(unix.length).toBeGreaterThan(0);
  });

  it.skipIf(!canSwitchUser)(
    'a second local user cannot connect to the socket, even with the home opened up (skipped: needs root and setpriv)',
    () => {
      expect(connectAs(socket, false)).toBe('CONNECTED'); // the bridge's user can: the probe works
      chmodSync(bridge.home, 0o755); // the socket directory's own 0700 must be enough
      try {
        expect(connectAs(socket, true)).toBe('EACCES');
      } finally {
        chmodSync(bridge.home, 0o700);
      }
    },
  );
});
