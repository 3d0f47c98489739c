import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { emkitChildEnv } from '../runtime/local-executor.js';
import { HttpError } from '../server/errors.js';

/** A window over a long table on a busy machine takes seconds; past this it is stuck, not computing. */
const RUN_TIMEOUT_MS = 120_000;
/** Starting Python and importing numpy and scipy.special; past this the process is not coming up. */
const READY_TIMEOUT_MS = 60_000;
const KEEP_STDERR = 4000;

export type DriftMode = 'window' | 'check' | 'sample';

export interface DriftProcessOptions {
  python: string;
  emkitImportPath: string;
  /** where the process runs (the bridge's home) */
  cwd: string;
  log?: Logger;
}

/** One drift answer line, as `python -m emkit.drift serve` writes it. */
interface Answer {
  id?: number | null;
  ready?: boolean;
  ok?: boolean;
  status?: number;
  message?: string;
  field?: string | null;
}

interface Request {
  mode: DriftMode;
  spec: object;
  resolve: (answer: Answer) => void;
  reject: (error: Error) => void;
}

/**
 * The bridge's one long-lived `python -m emkit.drift serve` (its own Python, an argument array,
 * no shell): started on the first request, asked one request at a time on its stdin (a JSON line
 * each, answered by a JSON line), started again on the next request after it ends. It pays
 * Python's start-up and imports once and keeps reference summaries in memory. A request that
 * takes longer than RUN_TIMEOUT_MS ends the process (the request fails; the next starts a new one).
 */
export class DriftProcess {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  /** what someone waits on (a GET, a PATCH's check) goes before the timer's closed windows */
  private readonly queue: Request[] = [];
  private readonly background: Request[] = [];
  private current: (Request & { id: number; timer: NodeJS.Timeout }) | null = null;
  private nextId = 1;
  private stderr = '';
  private stopped = false;
  /** how many times the process has been started (for tests and logs) */
  starts = 0;

  constructor(private readonly options: DriftProcessOptions) {}

  /** The process's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The answer of `mode` for `spec`, or an HttpError with the status and field it gives.
   * `background` (the closed windows the timer computes) waits behind every other request.
   */
  async run<T>(mode: DriftMode, spec: object, background = false): Promise<T> {
    if (this.stopped) throw new HttpError(503, 'not_ready', 'the bridge is shutting down');
    const answer = await new Promise<Answer>((resolve, reject) => {
      (background ? this.background : this.queue).push({ mode, spec, resolve, reject });
      this.pump();
    });
    if (answer.ok === true) return answer as T;
    const status = answer.status ?? 500;
    const codeName = status === 422 ? 'unprocessable' : status === 503 ? 'not_ready' : 'internal';
    throw new HttpError(status, codeName, answer.message ?? 'the drift computation failed', answer.field ?? undefined);
  }

  /** Ends the process: its stdin closes and it exits by itself (SIGKILL if it hasn't within 2 s). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const request of [...this.queue.splice(0), ...this.background.splice(0)]) {
      request.reject(new HttpError(503, 'not_ready', 'the bridge is shutting down'));
    }
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => this.kill(child), 2_000);
    await exited;
    clearTimeout(timer);
  }

  private pump(): void {
    if (this.current || this.stopped) return;
    const request = this.queue.shift() ?? this.background.shift();
    if (!request) return;
    if (!this.child) this.start();
    const child = this.child as ChildProcess;
    const ready = this.ready as Promise<void>;
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.options.log?.warn({ mode: request.mode }, `a drift computation ran past ${RUN_TIMEOUT_MS / 1000} s; ending it`);
      this.fail(new HttpError(500, 'internal', `the drift computation did not finish within ${RUN_TIMEOUT_MS / 1000} s`));
      this.kill(child);
    }, RUN_TIMEOUT_MS + READY_TIMEOUT_MS);
    this.current = { ...request, id, timer };
    ready.then(
      () => {
        if (this.current?.id === id) child.stdin?.write(`${JSON.stringify({ id, mode: request.mode, spec: request.spec })}\n`);
      },
      () => {
        // its 'close' fails the request
      },
    );
  }

  /** The request in flight fails with `error`; the next one goes on (to a new process if this one ended). */
  private fail(error: Error): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = null;
    current.reject(error);
  }

  private kill(child: ChildProcess): void {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone already
    }
  }

  private start(): void {
    this.starts += 1;
    this.stderr = '';
    const child = spawn(this.options.python, ['-m', 'emkit.drift', 'serve'], {
      cwd: this.options.cwd,
      env: emkitChildEnv(this.options.emkitImportPath),
      stdio: ['pipe', 'pipe', 'pipe'],
      // its own process group: a stuck window is ended with all it started
      detached: true,
    });
    this.child = child;
    child.stdin?.on('error', () => {
      // it ended: its 'close' says why
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = `${this.stderr}${chunk}`.slice(-KEEP_STDERR);
    });
    let started: () => void = () => {};
    let failed: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => {});
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      let answer: Answer;
      try {
        answer = JSON.parse(line) as Answer;
      } catch {
        return; // not an answer line
      }
      if (answer.ready) {
        started();
        return;
      }
      const current = this.current;
      if (!current || answer.id !== current.id) return;
      clearTimeout(current.timer);
      this.current = null;
      current.resolve(answer);
      this.pump();
    });
    child.once('error', (error) => {
      // not started (no such Python): the next request tries again
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      failed(error);
      this.fail(new HttpError(503, 'not_ready', `could not start ${this.options.python} for drift: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      failed(new Error('ended'));
      const last = this.stderr.trim().split('\n').at(-1) ?? '';
      const why = signal ? `signal ${signal}` : `exit ${code}`;
      if (!this.stopped) this.options.log?.warn({ python: this.options.python }, `the drift process ended (${why})`);
      this.fail(new HttpError(500, 'internal', `the drift computation failed (${why})${last ? `: ${last}` : ''}`));
      this.pump();
    });
  }
}
