import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import {
  canActAsAnotherUser,
  hasProc,
  listeningTcpPorts,
  listeningUnixSockets,
  processTree,
  reachableByAnotherUser,
} from '../support/processes.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasTensorboard = pythonHas(venvPython, 'tensorboard');
const ready = hasTensorboard && hasProc && canActAsAnotherUser;
const reason = ready ? '' : ' (SKIPPED: needs tensorboard in .venv, Linux /proc, root and setpriv)';

let bridge: TestBridge;
let work: string;
let home: string;

beforeAll(async () => {
  work = tempDir('emkit-tbiso-');
  home = tempDir();
  bridge = await startBridge({ home });
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(home ?? '');
  removeDir(work ?? '');
});

async function runningBoard(b: TestBridge, training: string): Promise<{ id: string; path: string }> {
  const created = await b.client.api.createTensorboard({ body: { training } });
  return waitFor(
    async () => {
      const board = await b.client.api.getTensorboard({ params: { id: created.id } });
      if (board.state === 'CREATE FAILED') throw new Error(board.stateReason ?? 'failed');
      return board.state === 'RUNNING' ? { id: board.id, path: board.path } : undefined;
    },
    90_000,
    'TensorBoard to run',
  );
}

/** Open an address as a browser tab would, without following the redirect. */
const open = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const ticketUrl = async (b: TestBridge, path: string) => {
  const { ticket } = await b.client.api.createBrowserTicket({});
  return `${b.url}${path}?ticket=${ticket}`;
};

describe('TensorBoard is behind the bridge', () => {
  let trainingId: string;
  let board: { id: string; path: string };

  it.skipIf(!ready)(`answers no one but the bridge: no TCP port, a socket other users can't open${reason}`, async () => {
    const source = writeTree(join(work, 'src'), {
      'fit.py': 'from emkit.tracking import log_metric\nlog_metric("loss", 1.0, 0)\n',
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'fit.py') } } });
    expect((await settledTraining(bridge.client, training.id)).state).toBe('COMPLETE');
    trainingId = training.id;
    board = await runningBoard(bridge, trainingId);

    const tree = processTree(`/tensorboard/${board.id}`);
    expect(tree.length).toBeGreaterThan(0);
    expect(listeningTcpPorts(tree)).toEqual([]);
    const sockets = listeningUnixSockets(tree);
    expect(sockets.length).toBeGreaterThan(0);
    // in the bridge's one private socket folder, beside the model workers' sockets
    for (const socket of sockets) expect(socket).toBe(join(home, 'sock', `${board.id}.sock`));
    expect(reachableByAnotherUser(sockets)).toEqual([]);
  });

  it.skipIf(!ready)(`a token in the address is taken out even with a session cookie, never forwarded${reason}`, async () => {
    const first = await open(await ticketUrl(bridge, board.path));
    expect(first.status).toBe(303);
    const cookie = cookieOf(first);
    const again = await open(`${bridge.url}${board.path}?token=${bridge.token}`, cookie);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(board.path);
    const withQuery = await open(`${bridge.url}${board.path}data/runs?token=${bridge.token}&x=1`, cookie);
    expect(withQuery.status).toBe(303);
    expect(withQuery.headers.get('location')).toBe(`${board.path}data/runs?x=1`);
    expect((await open(`${bridge.url}${board.path}`, cookie)).status).toBe(200);
    // the board's address without its last slash has the session too (and is sent on to it)
    const bare = await open(`${bridge.url}/tensorboard/${board.id}`, cookie);
    expect(bare.status).toBeLessThan(400);
    expect(bare.headers.get('location')).toBe(board.path);
  });

  it.skipIf(!ready)(
    `gives each ticket its own session cookie: HttpOnly, SameSite=Strict, this board's path, expiring${reason}`,
    async () => {
      const one = await open(await ticketUrl(bridge, board.path));
      const two = await open(await ticketUrl(bridge, board.path));
      expect(cookieOf(one)).not.toBe(cookieOf(two));
      const header = one.headers.get('set-cookie') ?? '';
      expect(header).toMatch(/; HttpOnly/);
      expect(header).toMatch(/; SameSite=Strict/);
      // the board's path, so its sessions open no other board
      expect(header).toContain(`; Path=/tensorboard/${board.id};`);
      expect(header).toMatch(/; Max-Age=\d+/);
      // a board's session opens that board only
      expect((await open(`${bridge.url}/tensorboard/another-board/`, cookieOf(one))).status).toBe(401);
    },
  );

  it.skipIf(!ready)(`emkit tensorboard prints an address with a one-time ticket, not the token${reason}`, () => {
    const result = spawnSync(process.execPath, [cliPath, '--home', home, 'tensorboard', trainingId], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(bridge.token);
    const url = result.stdout.trim();
    expect(url).toMatch(/\?ticket=/);
    return (async () => {
      expect((await open(url)).status).toBe(303);
      expect((await open(url)).status).toBe(401);
    })();
  });

  it.skipIf(!ready)(`dies with the bridge (kill -9), and its sessions don't outlive it${reason}`, async () => {
    const cookie = cookieOf(await open(await ticketUrl(bridge, board.path)));
    expect(processTree(`/tensorboard/${board.id}`).length).toBeGreaterThan(0);
    await bridge.kill9();
    await waitFor(async () => processTree(`/tensorboard/${board.id}`).length === 0, 20_000, 'TensorBoard to end with the bridge');

    bridge = await startBridge({ home });
    expect((await open(`${bridge.url}${board.path}`, cookie)).status).toBe(401);
  });

  it.skipIf(!ready)(`a deleted TensorBoard's sessions open nothing${reason}`, async () => {
    const fresh = await runningBoard(bridge, trainingId);
    const cookie = cookieOf(await open(await ticketUrl(bridge, fresh.path)));
    expect((await open(`${bridge.url}${fresh.path}`, cookie)).status).toBe(200);
    await bridge.client.api.deleteTensorboard({ params: { id: fresh.id } });
    expect((await open(`${bridge.url}${fresh.path}`, cookie)).status).toBe(401);
  });
});
