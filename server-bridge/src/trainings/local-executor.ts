import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { childEnv } from '../runtime/child-env.js';
import type { TrainingLayout } from './contract.js';

/**
 * Where trainings run. The local executor starts `python -m emkit.runner spec.json`, the
 * supervisor, as its own session: it owns the ranks, enforces the maximum duration and
 * records the outcome in status.json, so a training outlives the bridge that started it.
 */
export interface Executor {
  /** Start the supervisor; `onExit` fires if this bridge sees it end (not after a restart). */
  start(layout: TrainingLayout, python: string, onExit: () => void): Promise<number>;
  /** Is `pid` still this training's supervisor (not a reused pid)? */
  isRunning(pid: number, layout: TrainingLayout): boolean;
  /** Ask the supervisor to stop the training (it ends the ranks' trees: TERM, then KILL). */
  requestStop(pid: number): void;
  /** The backstop: KILL the supervisor's group and the ranks' groups. */
  kill(pids: readonly number[]): void;
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

  /** @param emkitPath what goes first on PYTHONPATH so the supervisor and `emkit.tracking` are this bridge's own */
  constructor(private readonly emkitPath: string) {}

  start(layout: TrainingLayout, python: string, onExit: () => void): Promise<number> {
    const log = openSync(layout.supervisorLog, 'a');
    try {
      const pythonPath = [this.emkitPath, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
      const child = spawn(python, ['-m', 'emkit.runner', layout.spec], {
        cwd: layout.dir,
        detached: true,
        stdio: ['ignore', log, log],
        env: childEnv({ PYTHONPATH: pythonPath, PYTHONDONTWRITEBYTECODE: '1' }),
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
          // the bridge may exit before the training: don't hold its event loop
          child.unref();
          resolve(pid);
        });
      });
    } finally {
      closeSync(log);
    }
  }

  isRunning(pid: number, layout: TrainingLayout): boolean {
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
