import { connect, type Socket } from 'node:net';

export interface WorkerAnswer {
  status: number;
  body: Buffer;
}

/** A failed exchange; `sent` says whether the request may have reached the worker's model. */
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

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;

interface Exchange {
  resolve(answer: WorkerAnswer): void;
  reject(error: Error): void;
  reused: boolean;
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
}

/**
 * The gateway's side of the worker protocol: HTTP/1.1 POSTs over kept-alive loopback
 * connections, one exchange at a time each. The worker always answers with a
 * Content-Length body, so this is all the framing there is; Node's general HTTP client
 * costs several times the CPU per call for what this path never needs.
 */
export class WorkerClient {
  private readonly idle: Connection[] = [];
  private readonly waiting: ((connection: Connection) => void)[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly port: number,
    private readonly maxConnections = 64,
  ) {}

  post(path: string, body: Buffer, extraHeaders: string, timeoutMs: number): Promise<WorkerAnswer> {
    const head = Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n`,
      'latin1',
    );
    return new Promise<WorkerAnswer>((resolve, reject) => {
      const start = (connection: Connection) => this.exchange(connection, head, body, timeoutMs, resolve, reject);
      const connection = this.idle.pop();
      if (connection) start(connection);
      else if (this.open < this.maxConnections) start(this.connect());
      else this.waiting.push(start);
    });
  }

  /** Close every connection; exchanges under way fail. */
  destroy(): void {
    this.closed = true;
    for (const connection of this.idle.splice(0)) connection.socket.destroy();
  }

  private connect(): Connection {
    const socket = connect({ host: '127.0.0.1', port: this.port, noDelay: true });
    const connection: Connection = { socket, exchange: null, used: false };
    this.open += 1;
    socket.on('data', (chunk: Buffer) => this.received(connection, chunk));
    socket.on('error', () => {}); // 'close' follows and says it
    socket.on('close', () => {
      this.open -= 1;
      const index = this.idle.indexOf(connection);
      if (index >= 0) this.idle.splice(index, 1);
      const exchange = connection.exchange;
      connection.exchange = null;
      if (exchange) {
        clearTimeout(exchange.timer);
        exchange.reject(new WorkerConnectionError('the worker closed the connection', 'ECONNRESET', exchange.reused));
      }
      // a caller waiting for a connection gets a new one
      const next = this.waiting.shift();
      if (next) next(this.connect());
    });
    return connection;
  }

  private exchange(
    connection: Connection,
    head: Buffer,
    body: Buffer,
    timeoutMs: number,
    resolve: (answer: WorkerAnswer) => void,
    reject: (error: Error) => void,
  ): void {
    const timer = setTimeout(() => {
      connection.exchange = null;
      connection.socket.destroy();
      reject(new WorkerConnectionError(`the model did not answer within ${timeoutMs / 1000} s`, 'ETIMEDOUT', false));
    }, timeoutMs);
    connection.exchange = {
      resolve,
      reject,
      reused: connection.used,
      chunks: [],
      received: 0,
      total: -1,
      status: 0,
      headLength: 0,
      close: false,
      timer,
    };
    connection.used = true;
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
    exchange.resolve({ status: exchange.status, body: data.subarray(exchange.headLength, exchange.total) });
    if (exchange.close || exchange.received > exchange.total || this.closed) {
      connection.socket.destroy();
      return;
    }
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
