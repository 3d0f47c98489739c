import { connect, type Socket } from 'node:net';

export interface WorkerAnswer {
  status: number;
  body: Buffer;
}

/** A failed exchange; `code` says why (ECONNREFUSED, ENOENT, ETIMEDOUT…), as the system or the client named it. */
export class WorkerConnectionError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** on a kept-alive connection the worker may have just closed: safe to try once more */
    readonly reused: boolean,
  ) {
    super(message);
  }
}

export interface WorkerClientOptions {
  /** exchanges at once; more wait in line (with the same deadline) */
  maxConnections?: number;
  /**
   * An exchange timed out and the worker answered nothing on any connection since it was
   * sent: the worker is hung (or stopped), not slow on one request.
   */
  onStall?: (waitedMs: number) => void;
  /**
   * TCP instead of the Unix socket (then `socketPath` only names it in messages): Ray
   * Serve's HTTP proxy, which answers with a Content-Length body too.
   */
  tcp?: { host: string; port: number };
  /** put before every request's path: a Serve application's route prefix */
  pathPrefix?: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;

interface Exchange {
  resolve(answer: WorkerAnswer): void;
  reject(error: Error): void;
  reused: boolean;
  sentAt: number;
  chunks: Buffer[];
  received: number;
  /** set once the head is in: how many bytes the whole answer has */
  total: number;
  status: number;
  headLength: number;
  close: boolean;
  timer: NodeJS.Timeout;
}

interface Connection {
  socket: Socket;
  exchange: Exchange | null;
  used: boolean;
  /** what the socket reported before it closed: the cause to pass on */
  error: NodeJS.ErrnoException | null;
}

interface Waiter {
  start(connection: Connection): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The gateway's side of the worker protocol: HTTP/1.1 POSTs over kept-alive connections to
 * the worker's Unix domain socket, one exchange at a time each. The worker always answers
 * with a Content-Length body, so this is all the framing there is; node:http's client
 * costs several times the CPU per call for what this path never needs (see the serving
 * bench). Every request has one deadline, whether it waits for a connection or for the
 * worker's answer.
 */
export class WorkerClient {
  private readonly idle: Connection[] = [];
  /** connections with an exchange under way */
  private readonly busy = new Set<Connection>();
  private readonly waiting: Waiter[] = [];
  private readonly maxConnections: number;
  private open = 0;
  private closed = false;
  /** when the worker last finished an answer, on any connection */
  private lastAnswerAt = 0;

  constructor(
    readonly socketPath: string,
    private readonly options: WorkerClientOptions = {},
  ) {
    this.maxConnections = options.maxConnections ?? 64;
  }

  post(path: string, body: Buffer, extraHeaders: string, timeoutMs: number): Promise<WorkerAnswer> {
    const head = Buffer.from(
      `POST ${this.options.pathPrefix ?? ''}${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n`,
      'latin1',
    );
    const deadline = Date.now() + timeoutMs;
    return new Promise<WorkerAnswer>((resolve, reject) => {
      if (this.closed) {
        reject(new WorkerConnectionError('the worker is stopping', 'ECLOSED', false));
        return;
      }
      const start = (connection: Connection) => this.exchange(connection, head, body, deadline, timeoutMs, resolve, reject);
      const connection = this.idle.pop();
      if (connection) start(connection);
      else if (this.open < this.maxConnections) start(this.connect());
      else {
        // behind the connection cap: the deadline runs while it waits, too
        const waiter: Waiter = {
          start,
          reject,
          timer: setTimeout(() => {
            const index = this.waiting.indexOf(waiter);
            if (index >= 0) this.waiting.splice(index, 1);
            reject(
              new WorkerConnectionError(
                `the model did not answer within ${timeoutMs / 1000} s (all ${this.maxConnections} connections to it were busy)`,
                'ETIMEDOUT',
                false,
              ),
            );
          }, timeoutMs),
        };
        this.waiting.push(waiter);
      }
    });
  }

  /** Close every connection; exchanges under way and requests waiting for a connection fail. */
  destroy(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new WorkerConnectionError('the worker is gone', 'ECLOSED', false));
    }
  }

  /** Abort the exchanges under way too: the worker won't answer them (it is being killed). */
  abort(): void {
    this.destroy();
    // the sockets' 'close' rejects their exchanges
    for (const connection of this.busy) connection.socket.destroy();
  }

  private connect(): Connection {
    const tcp = this.options.tcp;
    // small requests one after another: Nagle's wait would be most of a round trip's time
    const socket = tcp ? connect({ host: tcp.host, port: tcp.port, noDelay: true }) : connect({ path: this.socketPath });
    const connection: Connection = { socket, exchange: null, used: false, error: null };
    this.open += 1;
    socket.on('data', (chunk: Buffer) => this.received(connection, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      connection.error = error; // 'close' follows and says it
    });
    socket.on('close', () => {
      this.open -= 1;
      this.busy.delete(connection);
      const index = this.idle.indexOf(connection);
      if (index >= 0) this.idle.splice(index, 1);
      const exchange = connection.exchange;
      connection.exchange = null;
      if (exchange) {
        clearTimeout(exchange.timer);
        exchange.reject(this.failure(connection, exchange.reused));
      }
      // a caller waiting for a connection gets a new one
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.start(this.connect());
      }
    });
    return connection;
  }

  /** The error for an exchange cut short, naming the system's reason when there was one. */
  private failure(connection: Connection, reused: boolean): WorkerConnectionError {
    const error = connection.error;
    if (!error) return new WorkerConnectionError('the worker closed the connection', 'ECLOSED', reused);
    const code = error.code ?? 'EUNKNOWN';
    return new WorkerConnectionError(`cannot talk to the worker at ${this.socketPath}: ${error.message}`, code, reused);
  }

  private exchange(
    connection: Connection,
    head: Buffer,
    body: Buffer,
    deadline: number,
    fullTimeoutMs: number,
    resolve: (answer: WorkerAnswer) => void,
    reject: (error: Error) => void,
  ): void {
    const sentAt = Date.now();
    const timeoutMs = Math.max(0, deadline - sentAt);
    const timer = setTimeout(() => {
      connection.exchange = null;
      connection.socket.destroy();
      const waited = Date.now() - sentAt;
      reject(new WorkerConnectionError(`the model did not answer within ${waited / 1000} s`, 'ETIMEDOUT', false));
      // stalled: silent while a request had (most of) a timeout at it. One that spent most of its
      // time waiting for a connection had only the rest at the worker, too short to call it hung
      if (this.lastAnswerAt < sentAt && timeoutMs >= fullTimeoutMs / 2) this.options.onStall?.(waited);
    }, timeoutMs);
    connection.exchange = {
      resolve,
      reject,
      reused: connection.used,
      sentAt,
      chunks: [],
      received: 0,
      total: -1,
      status: 0,
      headLength: 0,
      close: false,
      timer,
    };
    connection.used = true;
    this.busy.add(connection);
    connection.socket.write(body.length > 0 ? Buffer.concat([head, body]) : head);
  }

  private received(connection: Connection, chunk: Buffer): void {
    const exchange = connection.exchange;
    if (!exchange) {
      connection.socket.destroy(); // bytes nobody asked for: this connection can't be trusted
      return;
    }
    exchange.chunks.push(chunk);
    exchange.received += chunk.length;
    if (exchange.total < 0) {
      const data = exchange.chunks.length === 1 ? chunk : Buffer.concat(exchange.chunks);
      const end = data.indexOf(HEAD_END);
      if (end < 0) return;
      const headText = data.toString('latin1', 0, end);
      const length = CONTENT_LENGTH.exec(headText);
      exchange.status = Number(headText.slice(9, 12));
      exchange.headLength = end + 4;
      exchange.total = exchange.headLength + (length ? Number(length[1]) : 0);
      exchange.close = CONNECTION_CLOSE.test(headText);
      exchange.chunks = [data];
    }
    if (exchange.received < exchange.total) return;
    const data = exchange.chunks.length === 1 ? (exchange.chunks[0] as Buffer) : Buffer.concat(exchange.chunks);
    clearTimeout(exchange.timer);
    connection.exchange = null;
    this.busy.delete(connection);
    this.lastAnswerAt = Date.now();
    exchange.resolve({ status: exchange.status, body: data.subarray(exchange.headLength, exchange.total) });
    if (exchange.close || exchange.received > exchange.total || this.closed) {
      connection.socket.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.start(connection);
    } else this.idle.push(connection);
  }
}
