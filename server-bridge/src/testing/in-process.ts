// A whole bridge in the test's own process, called with fastify's `app.inject`, its trainings run by a fake
// executor: for the logic between route and store, where a real supervisor process adds nothing but time.
// What a user runs for real (supervisor, Python, sockets) stays in test/integration.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBridge, startBridge } from '../bridge.js';
import type { Executor } from '../runtime/local-executor.js';
import type { SupervisorStatus, TrainingLayout } from '../trainings/contract.js';

interface FakeRun {
  layout: TrainingLayout;
  onExit: () => void;
}

/** Stands in for the supervisor: a test says what it writes to status.json and when it exits. */
export class FakeExecutor implements Executor {
  readonly runs = new Map<number, FakeRun>();
  readonly alive = new Set<number>();
  readonly stopRequests: number[] = [];
  readonly killed: number[] = [];
  /** set to make the next start fail, as a missing interpreter does */
  failStart: string | undefined;
  private nextPid = 4_000_000;

  async start(layout: TrainingLayout, _python: string, onExit: () => void): Promise<number> {
    if (this.failStart) throw new Error(this.failStart);
    const pid = this.nextPid++;
    this.runs.set(pid, { layout, onExit });
    this.alive.add(pid);
    return pid;
  }

  isRunning(pid: number): boolean {
    return this.alive.has(pid);
  }

  requestStop(pid: number): void {
    this.stopRequests.push(pid);
  }

  kill(pids: readonly number[]): void {
    for (const pid of pids) {
      this.killed.push(pid);
      this.alive.delete(pid);
    }
  }

  /** The pid of the run whose folder is `dir`. */
  pidOf(dir: string): number {
    for (const [pid, run] of this.runs) if (run.layout.dir === dir) return pid;
    throw new Error(`no run in ${dir}`);
  }

  /** Write status.json as the supervisor does (its `state`, or raw text to stand for a damaged file). */
  writeStatus(pid: number, status: Partial<SupervisorStatus> | string): void {
    const run = this.runs.get(pid);
    if (!run) throw new Error(`no run ${pid}`);
    const text =
      typeof status === 'string'
        ? status
        : JSON.stringify({
            state: 'RUNNING',
            reason: null,
            exitCode: null,
            supervisorPid: pid,
            ranks: [{ rank: 0, pid: pid + 1, exitCode: null }],
            startedAt: new Date().toISOString(),
            endedAt: null,
            updatedAt: new Date().toISOString(),
            ...status,
          });
    writeFileSync(run.layout.status, text);
  }

  /** The supervisor ends. */
  exit(pid: number): void {
    this.alive.delete(pid);
    this.runs.get(pid)?.onExit();
  }
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

export interface InProcessBridge {
  bridge: RunningBridge;
  executor: FakeExecutor;
  home: string;
  /** a scratch folder for sources and datasets, removed with the bridge */
  work: string;
  call<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<Answer<T>>;
  /** calls GET `url` until `check` accepts the body (the supervision loop runs on its own timer) */
  until<T>(url: string, check: (body: T) => boolean): Promise<T>;
  /** the first line the bridge logs with this `msg` (the log file is written asynchronously: waits for it) */
  logged(msg: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startInProcess(): Promise<InProcessBridge> {
  const home = mkdtempSync(join(tmpdir(), 'emkit-inproc-'));
  const work = mkdtempSync(join(tmpdir(), 'emkit-inproc-work-'));
  const executor = new FakeExecutor();
  const bridge = await startBridge({
    home,
    port: 0,
    quiet: true,
    kernelsDir: join(home, 'kernels'),
    executor,
    trainingPollMs: 5,
    python: process.env.EMKIT_PYTHON ?? 'python3',
    // the fake executor's ranks are no processes: nothing to sample
    usageIntervalMs: 0,
  });
  const call = async <T>(method: string, url: string, body?: unknown): Promise<Answer<T>> => {
    const response = await bridge.app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${bridge.token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: response.statusCode, body: (response.body ? response.json() : undefined) as T };
  };
  return {
    bridge,
    executor,
    home,
    work,
    call,
    async until<T>(url: string, check: (body: T) => boolean): Promise<T> {
      for (let i = 0; i < 2000; i++) {
        const { body } = await call<T>('GET', url);
        if (check(body)) return body;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`${url} never reached what the test waits for`);
    },
    async logged(msg: string): Promise<Record<string, unknown>> {
      for (let i = 0; i < 2000; i++) {
        const lines = readFileSync(join(home, 'logs', 'bridge.log'), 'utf8')
          .split('\n')
          .filter(Boolean);
        const found = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.msg === msg);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`the bridge never logged "${msg}"`);
    },
    async close() {
      await bridge.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}
