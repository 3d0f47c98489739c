import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ParameterValue } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { emkitChildEnv } from '../runtime/local-executor.js';

/** A trial as the study stores it (Optuna's state names). */
export interface StudyTrial {
  number: number;
  state: 'RUNNING' | 'COMPLETE' | 'PRUNED' | 'FAIL' | 'WAITING';
  params: Record<string, ParameterValue>;
  value: number | null;
}

export interface StudyProcessOptions {
  /** the bridge's own Python (Optuna must be importable there: the package's `tuning` extra) */
  python: string;
  /** put first on PYTHONPATH: the bridge's own emkit package */
  emkitImportPath: string;
  /** the tuning's folder: tuning.json (the spec) and study.journal (the study) */
  dir: string;
  /** for the log lines */
  name: string;
  log: FastifyBaseLogger;
}

/** An answer taking longer than this means the study is stuck: it is ended (and started again at the next request). */
const ANSWER_TIMEOUT_MS = 60_000;
/** A study that ends this many times is given up on: its tuning FAILS with the last thing it said. */
export const MAX_STUDY_STARTS = 4;

/** The study process ended more often than MAX_STUDY_STARTS: the tuning can't go on. */
export class StudyGaveUp extends Error {}

interface Waiting {
  resolve: (answer: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The bridge's end of one tuning's `python -m emkit.tuning <dir>`: started at the first request, reached only
 * through its stdin and stdout, one request at a time (but the importance, worked out aside); started again (at most MAX_STUDY_STARTS times in all)
 * when it ends, and the study it reopens is the same one (its journal file). `starts` lets the tuning notice a
 * new process and reconcile its trials with it.
 */
export class StudyProcess {
  starts = 0;
  /** what the process said last on stderr, or why it couldn't start */
  said = '';
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  /** requests sent and not answered yet, by id */
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: StudyProcessOptions) {}

  ask(): Promise<{ number: number; params: Record<string, ParameterValue> }> {
    return this.request({ op: 'ask' }) as never;
  }

  tell(number: number, outcome: { value: number } | { state: 'pruned' | 'fail' }): Promise<unknown> {
    return this.request({ op: 'tell', number, ...outcome });
  }

  async report(number: number, points: [number, number][]): Promise<boolean> {
    const answer = await this.request({ op: 'report', number, points });
    return answer.prune === true;
  }

  /** Answered when the study has worked it out; the requests sent meanwhile are not held up behind it. */
  async importance(): Promise<Record<string, number> | null> {
    const answer = await this.send({ op: 'importance' });
    return (answer.importance as Record<string, number> | null) ?? null;
  }

  async trials(): Promise<StudyTrial[]> {
    const answer = await this.request({ op: 'trials' });
    return answer.trials as StudyTrial[];
  }

  /** Started (or started again) and ready; throws StudyGaveUp once it has ended too often. */
  async open(): Promise<void> {
    if (this.stopped) throw new StudyGaveUp('the study was closed');
    if (!this.child) {
      if (this.starts >= MAX_STUDY_STARTS) {
        throw new StudyGaveUp(
          `the study process ended ${this.starts} times; the last time: ${this.said.trim() || 'it said nothing'}`,
        );
      }
      this.start();
    }
    await this.ready;
  }

  /** One request, after the ones before it; an `{error}` answer, or the process ending, rejects. */
  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const next = this.queue.then(() => this.send(message));
    this.queue = next.catch(() => {});
    return next;
  }

  /** End the process: its stdin closes and it exits by itself (SIGKILL if it hasn't within 5 s). */
  async close(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private async send(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.open();
    const child = this.child;
    if (!child?.stdin?.writable) throw new Error('the study process is not running');
    const id = this.nextId++;
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.said = `it answered nothing for ${ANSWER_TIMEOUT_MS / 1000} s`;
        child.kill('SIGKILL');
      }, ANSWER_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
    });
    child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    return answer;
  }

  private start(): void {
    this.starts += 1;
    this.said = '';
    const child = spawn(this.options.python, ['-m', 'emkit.tuning', this.options.dir], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: emkitChildEnv(this.options.emkitImportPath),
    });
    this.child = child;
    // a write to a process that just ended: its 'close' below says so
    child.stdin?.on('error', () => {});
    let stderr = '';
    this.ready = new Promise<void>((resolve, reject) => {
      const readyTimer = setTimeout(() => {
        this.said = `it didn't say it was ready within ${ANSWER_TIMEOUT_MS / 1000} s`;
        child.kill('SIGKILL');
      }, ANSWER_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line);
        } catch {
          return;
        }
        if (message.ready === true) {
          clearTimeout(readyTimer);
          resolve();
          return;
        }
        const waiting = typeof message.id === 'number' ? this.waiting.get(message.id) : undefined;
        if (waiting) this.waiting.delete(message.id as number);
        if (typeof message.error === 'string') {
          // before ready: why it can't start (kept for the tuning's reason); after: a request it refused
          if (!waiting) this.said = message.error;
          else {
            clearTimeout(waiting.timer);
            waiting.reject(new Error(message.error));
          }
          return;
        }
        if (!waiting) return;
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderr = `${stderr}${chunk}`.slice(-2000);
      });
      child.once('error', (error) => {
        this.said = `cannot start ${this.options.python}: ${error.message}`;
      });
      child.once('close', (code, signal) => {
        clearTimeout(readyTimer);
        this.child = null;
        const how = signal ? `signal ${signal}` : `exit ${code}`;
        if (stderr.trim()) this.said = `${this.said ? `${this.said}; ` : ''}${stderr.trim().split('\n').slice(-3).join(' | ')}`;
        if (!this.said) this.said = `it ended (${how})`;
        for (const waiting of this.waiting.values()) {
          clearTimeout(waiting.timer);
          waiting.reject(new Error(`the study process ended (${how})`));
        }
        this.waiting.clear();
        reject(new Error(`the study process ended before it was ready (${how}): ${this.said}`));
        if (!this.stopped)
          this.options.log.warn({ tuning: this.options.name, exit: how, said: this.said }, 'the study process ended');
      });
    });
    this.ready.catch(() => {});
  }
}
