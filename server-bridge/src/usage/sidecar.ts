import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { FastifyBaseLogger } from 'fastify';
import { emkitChildEnv } from '../runtime/local-executor.js';

/** One process tree's numbers in one round, as `python -m emkit.usage` writes them. */
export interface SidecarSample {
  key: string;
  pid: number;
  cpuPercent: number;
  memoryMb: number;
  threads: number;
  openFiles: number;
  gpuPercent: number | null;
  gpuMemoryMb: number | null;
}

export interface SidecarRound {
  time: string;
  samples: SidecarSample[];
  /** the keys asked for whose process no longer runs */
  gone: string[];
}

export interface SidecarOptions {
  /** the bridge's own Python (psutil must be importable there) */
  python: string;
  /** put first on PYTHONPATH: the bridge's own emkit package */
  emkitImportPath: string;
  log: FastifyBaseLogger;
}

/** A round that takes longer than this means the sidecar is stuck: it is ended and started again. */
const ANSWER_TIMEOUT_MS = 30_000;
/** After the sidecar ends, the next start waits this long, doubling up to the last. */
const FIRST_BACKOFF_MS = 1_000;
const LAST_BACKOFF_MS = 300_000;

interface Waiting {
  resolve: (round: SidecarRound) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The bridge's end of `python -m emkit.usage`: started on the first round asked for, in the
 * bridge's own Python, reached only through its stdin and stdout (one request line, one answer
 * line); started again with backoff when it ends. Without psutil it can't sample: `unavailable`
 * says why, and rounds answer null until a later start succeeds.
 */
export class UsageSidecar {
  /** whether the sidecar found an NVIDIA GPU through NVML */
  gpu = false;
  /** why no round can be taken now (the sidecar won't start, or just ended) */
  unavailable: string | null = null;
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private readonly waiting: Waiting[] = [];
  private failures = 0;
  private notBefore = 0;
  private stopped = false;

  constructor(private readonly options: SidecarOptions) {}

  /** One round over these processes (key → pid); null while the sidecar can't be had. */
  async sample(targets: readonly { key: string; pid: number }[]): Promise<SidecarRound | null> {
    if (this.stopped) return null;
    if (!this.child) {
      if (Date.now() < this.notBefore) return null;
      this.start();
    }
    try {
      await this.ready;
    } catch {
      return null;
    }
    const child = this.child;
    if (!child?.stdin?.writable) return null;
    const answer = new Promise<SidecarRound>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.options.log.warn('the usage sampler answered nothing for 30 s; starting it again');
        child.kill('SIGKILL');
      }, ANSWER_TIMEOUT_MS);
      this.waiting.push({ resolve, reject, timer });
    });
    child.stdin.write(`${JSON.stringify({ sample: targets.map(({ key, pid }) => ({ key, pid })) })}\n`);
    try {
      return await answer;
    } catch {
      return null;
    }
  }

  /** End the sidecar: its stdin closes and it exits by itself (SIGKILL if it hasn't within 2 s); resolves once it has. */
  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }

  private start(): void {
    const child = spawn(this.options.python, ['-m', 'emkit.usage'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: emkitChildEnv(this.options.emkitImportPath),
    });
    this.child = child;
    // a write to a sampler that just ended: its 'close' below says so
    child.stdin?.on('error', () => {});
    let said = '';
    this.ready = new Promise<void>((resolve, reject) => {
      // one that never says it is ready would hold every round up: ended, and started again later
      const readyTimer = setTimeout(() => {
        said = `it didn't say it was ready within ${ANSWER_TIMEOUT_MS / 1000} s`;
        child.kill('SIGKILL');
      }, ANSWER_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => {
        let message: { ready?: boolean; gpu?: boolean; error?: string } & Partial<SidecarRound>;
        try {
          message = JSON.parse(line);
        } catch {
          return;
        }
        if (message.ready) {
          clearTimeout(readyTimer);
          this.gpu = message.gpu === true;
          this.unavailable = null;
          this.failures = 0;
          resolve();
          return;
        }
        if (message.error !== undefined) {
          said = message.error;
          this.waiting.shift()?.reject(new Error(message.error));
          return;
        }
        const waiting = this.waiting.shift();
        if (!waiting) return;
        clearTimeout(waiting.timer);
        waiting.resolve({
          time: message.time ?? new Date().toISOString(),
          samples: message.samples ?? [],
          gone: message.gone ?? [],
        });
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        said = `${said}${chunk}`.slice(-2000);
      });
      child.once('error', (error) => {
        said = `cannot start ${this.options.python}: ${error.message}`;
      });
      child.once('close', (code, signal) => {
        clearTimeout(readyTimer);
        this.child = null;
        for (const waiting of this.waiting.splice(0)) {
          clearTimeout(waiting.timer);
          waiting.reject(new Error('the usage sampler ended'));
        }
        reject(new Error('the usage sampler ended before it was ready'));
        if (this.stopped) return;
        this.failures += 1;
        const backoff = Math.min(LAST_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (this.failures - 1));
        this.notBefore = Date.now() + backoff;
        this.unavailable = said.trim() || `the usage sampler ended (${signal ? `signal ${signal}` : `exit ${code}`})`;
        this.options.log.warn(
          { python: this.options.python, retryInMs: backoff },
          `resource usage is not sampled: ${this.unavailable}`,
        );
      });
    });
    this.ready.catch(() => {});
  }
}
