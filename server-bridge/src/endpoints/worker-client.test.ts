import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkerClient, WorkerConnectionError } from './worker-client.js';

// A real Unix socket and a few lines of server in place of the Python worker: what is
// tested is the client's framing, deadlines and error causes, not the model.

let dir: string;
const servers: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emkit-wc-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

/** A server on `<dir>/<name>` that answers each request with `answer(socket)` (or never, when it returns false). */
async function serve(name: string, answer: (socket: Socket) => boolean): Promise<{ path: string; sockets: Socket[] }> {
  const path = join(dir, name);
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', () => answer(socket));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(path, r));
  return { path, sockets };
}

const BODY = '{"predictions":[]}';
const OK = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

async function failure(promise: Promise<unknown>): Promise<WorkerConnectionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkerConnectionError);
  return error as WorkerConnectionError;
}

describe('WorkerClient', () => {
  it('posts over the Unix socket and reuses the connection', async () => {
    const { path, sockets } = await serve('w.sock', (s) => s.write(OK));
    const client = new WorkerClient(path);
    for (let i = 0; i < 3; i += 1) {
      const answer = await client.post('/predict', Buffer.from('{}'), '', 5_000);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString())).toEqual({ predictions: [] });
    }
    expect(sockets.length).toBe(1);
    client.destroy();
  });

  it('names the real cause: ENOENT for a missing socket, ECONNREFUSED for one nobody listens on', async () => {
    const missing = await failure(new WorkerClient(join(dir, 'gone.sock')).post('/predict', Buffer.alloc(0), '', 5_000));
    expect(missing.code).toBe('ENOENT');
    expect(missing.message).toContain('gone.sock');

    // a socket file whose process went away without removing it, as after a kill -9
    const stale = join(dir, 'stale.sock');
    const made = spawnSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(stale)})`]);
    expect(made.status).toBe(0);
    const refused = await failure(new WorkerClient(stale).post('/predict', Buffer.alloc(0), '', 5_000));
    expect(refused.code).toBe('ECONNREFUSED');

    // a worker that closes without answering: no system error, and not called a reset
    const { path } = await serve('closer.sock', (s) => {
      s.destroy();
      return true;
    });
    const closed = await failure(new WorkerClient(path).post('/predict', Buffer.alloc(0), '', 5_000));
    expect(closed.code).toBe('ECLOSED');
  });

  it('gives requests queued behind the connection cap their deadline too, and reports a worker that answers nothing as stalled', async () => {
    const { path } = await serve('hung.sock', () => false);
    const stalls: number[] = [];
    const client = new WorkerClient(path, { maxConnections: 1, onStall: (ms) => stalls.push(ms) });
    // the queued request's deadline comes well before the first's: it must end while it still
    // waits in line (with equal deadlines, a loaded machine may free the connection first)
    const sent = client.post('/predict', Buffer.from('{}'), '', 1_000);
    const queued = client.post('/predict', Buffer.from('{}'), '', 300);
    const [first, second] = await Promise.all([failure(sent), failure(queued)]);
    expect(first.code).toBe('ETIMEDOUT');
    expect(second.code).toBe('ETIMEDOUT');
    expect(second.message).toContain('connections to it were busy');
    // only the request that reached the worker says anything of the worker
    expect(stalls.length).toBe(1);
    client.destroy();
  });

  it('does not call a worker hung for a request that reached it with only the end of its deadline left', async () => {
    const { path } = await serve('late.sock', () => false);
    const stalls: number[] = [];
    const client = new WorkerClient(path, { maxConnections: 1, onStall: (ms) => stalls.push(ms) });
    // the first times out at the worker (a stall); the queued one may then get the connection
    // with a few ms left, and its silence says nothing of the worker
    const sent = client.post('/predict', Buffer.from('{}'), '', 280);
    const queued = client.post('/predict', Buffer.from('{}'), '', 300);
    await Promise.all([failure(sent), failure(queued)]);
    expect(stalls.length).toBe(1);
    client.destroy();
  });

  it('fails the requests waiting for a connection at once when destroyed', async () => {
    const { path } = await serve('slow.sock', () => false);
    const client = new WorkerClient(path, { maxConnections: 1 });
    const sent = client.post('/predict', Buffer.from('{}'), '', 60_000);
    const queued = client.post('/predict', Buffer.from('{}'), '', 60_000);
    client.abort();
    const [first, second] = await Promise.all([failure(sent), failure(queued)]);
    expect(second.code).toBe('ECLOSED');
    expect(first.code).toBe('ECLOSED');
  });
});
