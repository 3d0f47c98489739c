import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { childEnv } from './child-env.js';

/** What a detached run needs of its folder: where it runs, its spec, and the log its output goes to. */
export interface RunLayout {
  dir: string;
  spec: string;
  supervisorLog: string;
}

/**
 * Where detached Python runs go: trainings (`python -m emkit.runner spec.json`, the supervisor, which owns
 * the ranks and enforces the maximum duration) and evaluations (`python -m emkit.evaluation spec.json`).
 * Each starts as its own session and records its outcome in status.json, so it outlives the bridge.
 */
export interface Executor {
  /** Start the run; `onExit` fires if this bridge sees it end (not after a restart). */
  start(layout: RunLayout, python: string, onExit: () => void): Promise<number>;
  /** Is `pid` still this run's process (not a reused pid)? */
  isRunning(pid: number, layout: RunLayout): boolean;
  /** Ask the run to stop (SIGTERM: a supervisor ends the ranks' trees, TERM then KILL). */
  requestStop(pid: number): void;
  /** The backstop: KILL these process groups. */
  kill(pids: readonly number[]): void;
}

/** The environment of a Python run of the bridge's own emkit package: `emkitPath` first on PYTHONPATH. */
export function emkitChildEnv(emkitPath: string): NodeJS.ProcessEnv {
  const pythonPath = [emkitPath, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  return childEnv({ PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export class LocalExecutor implements Executor {
  private readonly children = new Map<number, ChildProcess>();

  /**
   * @param emkitPath what goes first on PYTHONPATH so the runner and `emkit.tracking` are this bridge's own
   * @param module the module `python -m` runs with the spec's path
   */
  constructor(
    private readonly emkitPath: string,
    private readonly module = 'emkit.runner',
  ) {}

  start(layout: RunLayout, python: string, onExit: () => void): Promise<number> {
    const log = openSync(layout.supervisorLog, 'a');
    try {
      const child = spawn(python, ['-m', this.module, layout.spec], {
        cwd: layout.dir,
        detached: true,
        stdio: ['ignore', log, log],
        env: emkitChildEnv(this.emkitPath),
      });
      return new Promise((resolve, reject) => {
        child.once('error', (error) => reject(new Error(`could not start ${python}: ${error.message}`)));
        child.once('spawn', () => {
          const pid = child.pid as number;
          this.children.set(pid, child);
          child.once('exit', () => {
            this.children.delete(pid);
            onExit();
          });
          // the bridge may exit before the run: don't hold its event loop
          child.unref();
          resolve(pid);
        });
      });
    } finally {
      closeSync(log);
    }
  }

  isRunning(pid: number, layout: RunLayout): boolean {
    const child = this.children.get(pid);
    if (child) return child.exitCode === null && child.signalCode === null;
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    if (process.platform !== 'linux') return true;
    try {
      // a zombie or a reused pid has another (or no) command line
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(layout.spec);
    } catch {
      return false;
    }
  }

  requestStop(pid: number): void {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }

  kill(pids: readonly number[]): void {
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
  }
}
