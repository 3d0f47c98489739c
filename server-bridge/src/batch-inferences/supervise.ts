import { existsSync } from 'node:fs';
import { type BatchInferenceState, type BatchProgress, batchInferenceStates, isSettled } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Executor } from '../runtime/local-executor.js';
import { goneAtSecondLook, lookAtStatus, type RunWatch, stopOverdue, watchStop } from '../runtime/run-watch.js';
import { readStatusFile } from '../runtime/status-file.js';
import { WatchLoop } from '../runtime/watch-loop.js';
import type { BatchInferenceChanges, BatchInferenceRecord } from '../store/batch-inferences.js';
import type { Store } from '../store/index.js';
import { type BatchLayout, batchLayout, FINAL_RUNNER_STATES, RUNNER_STATES, type RunnerStatus } from './contract.js';

export interface BatchSuperviseOptions {
  executor: Executor;
  log: FastifyBaseLogger;
  /** how often running jobs are looked at */
  pollMs?: number;
  /** a COMPLETE job's `outputDataset`: registered, its `name:version` answered (throws why not) */
  registerOutput?: (job: BatchInferenceRecord) => Promise<string>;
}

/** How long a refused create waits for the runner it killed to be gone before removing its folder. */
const ABANDON_WAIT_MS = 2000;
/** Progress reaches the record (and the event stream) at most this often: ~2 events a second per job. */
const PROGRESS_EVERY_MS = 500;
/** A runner gone without an outcome is started again from its manifest this many times, then the job FAILS. */
export const MAX_RESUMES = 3;

export interface Runner {
  pid: number;
  exited: Promise<void>;
}

const readStatus = (file: string) => readStatusFile<RunnerStatus>(file, RUNNER_STATES);

interface Watch extends RunWatch {
  layout: BatchLayout;
  progressAt?: number;
  /** a runner is being started again: a second look meanwhile mustn't start another */
  resuming?: boolean;
}

/**
 * The run loop of batch scoring jobs: starts a runner, brings the record up to its status.json (progress, rate,
 * ETA) until it settles, ends a runner that ignores a stop, and starts again from its manifest a runner that is
 * gone without an outcome — killed with its bridge, or after a restart of the machine — so it ends with every
 * item scored once.
 */
export class BatchSupervision {
  private readonly watching: WatchLoop<Watch>;

  constructor(
    private readonly store: Store,
    private readonly options: BatchSuperviseOptions,
  ) {
    this.watching = new WatchLoop((id) => this.look(id), options.pollMs);
  }

  /** Start a runner of a job (new, or resumed: the runner reads its manifest); its pid, and when this bridge saw it end. */
  async start(id: string, dir: string, python: string): Promise<Runner> {
    let ended: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const pid = await this.options.executor.start(batchLayout(dir), python, () => {
      ended();
      void this.look(id);
    });
    return { pid, exited };
  }

  async abandon(runner: Runner): Promise<void> {
    this.options.executor.kill([runner.pid]);
    await Promise.race([runner.exited, new Promise((resolve) => setTimeout(resolve, ABANDON_WAIT_MS))]);
  }

  watch(job: BatchInferenceRecord): void {
    this.watching.watch(job.id, { layout: batchLayout(job.dir) });
    void this.look(job.id);
  }

  /** SIGTERM: the runner stops after the batch it is writing and keeps what it wrote; killed past STOP_GRACE_MS. */
  async stop(job: BatchInferenceRecord): Promise<BatchInferenceRecord> {
    const layout = batchLayout(job.dir);
    const stopping = this.store.tx(() => this.store.batchInferences.update(job.id, { state: 'STOP IN PROGRESS' }));
    watchStop(this.watching, job.id, { layout });
    if (job.runnerPid !== null && this.options.executor.isRunning(job.runnerPid, layout)) {
      this.options.executor.requestStop(job.runnerPid);
    }
    await this.look(job.id);
    return this.store.batchInferences.get(job.id) ?? stopping;
  }

  reconcile(): void {
    for (const job of this.store.batchInferences.unsettled()) {
      this.watching.watch(job.id, { layout: batchLayout(job.dir) });
    }
    for (const id of this.watching.ids()) void this.look(id);
  }

  /** A folder no record owns is a create a previous bridge died in the middle of: its runner, if still there, ends. */
  endOrphan(dir: string): void {
    const layout = batchLayout(dir);
    const { status } = readStatus(layout.status);
    if (status?.pid && this.options.executor.isRunning(status.pid, layout)) this.options.executor.kill([status.pid]);
  }

  shutdown(): void {
    this.watching.shutdown();
  }

  async look(id: string): Promise<void> {
    const watch = this.watching.get(id);
    const job = this.store.batchInferences.get(id);
    if (!watch || !job || job.id !== id || isSettled(batchInferenceStates, job.state)) {
      this.watching.forget(id);
      return;
    }
    const { status, unreadable } = lookAtStatus(watch, readStatus, (error) =>
      this.options.log.warn({ batchInference: id, file: watch.layout.status, error }, 'status.json could not be read'),
    );
    if (status && FINAL_RUNNER_STATES.includes(status.state)) {
      await this.finish(job, status);
      return;
    }
    if (status) this.progress(job, status, watch);
    const pid = job.runnerPid ?? status?.pid ?? null;
    if (pid === null || !this.options.executor.isRunning(pid, watch.layout)) {
      if (!goneAtSecondLook(watch)) return;
      watch.goneOnce = false;
      if (job.state === 'STOP IN PROGRESS') {
        this.settle(job, { state: 'STOPPED', reason: 'stopped by request' });
        return;
      }
      if (watch.resuming) return;
      watch.resuming = true;
      try {
        await this.resume(job, pid, unreadable);
      } finally {
        watch.resuming = false;
      }
      return;
    }
    if (stopOverdue(watch)) {
      this.options.executor.kill([pid]);
      this.settle(job, { state: 'STOPPED', reason: 'stopped by request (the runner had to be killed)' });
    }
  }

  /** The runner is gone without an outcome: another goes on from the manifest, up to MAX_RESUMES times. */
  private async resume(job: BatchInferenceRecord, pid: number | null, unreadable: string | undefined): Promise<void> {
    const runner = `the batch scoring runner${pid === null ? '' : ` (pid ${pid})`}`;
    if (job.resumes >= MAX_RESUMES || !existsSync(job.python)) {
      const why = unreadable !== undefined ? `its status.json could not be read: ${unreadable}` : 'it was killed';
      this.settle(job, {
        state: 'FAILED',
        reason: `${runner} ended without an outcome ${job.resumes + 1} times (${why}); see its log`,
      });
      return;
    }
    try {
      const started = await this.start(job.id, job.dir, job.python);
      this.store.tx(() => this.store.batchInferences.update(job.id, { runnerPid: started.pid, resumes: job.resumes + 1 }));
      this.options.log.info({ batchInference: job.id, pid: started.pid }, 'batch scoring resumed from its manifest');
    } catch (error) {
      this.settle(job, {
        state: 'FAILED',
        reason: `${runner} was gone and could not be started again: ${(error as Error).message}`,
      });
    }
  }

  /** RUNNING, and progress at most every PROGRESS_EVERY_MS: an update (and an event) only when something moved. */
  private progress(job: BatchInferenceRecord, status: RunnerStatus, watch: Watch): void {
    const changes: BatchInferenceChanges = {};
    if (job.state === 'CREATE REQUESTED' && status.state === 'RUNNING') changes.state = 'RUNNING';
    if (status.startedAt && job.startedAt === null) changes.startedAt = status.startedAt;
    const progress = progressOf(status);
    const moved =
      progress.done !== job.progress.done || progress.total !== job.progress.total || progress.errors !== job.progress.errors;
    const due = watch.progressAt === undefined || Date.now() - watch.progressAt >= PROGRESS_EVERY_MS;
    if (moved && (due || changes.state)) {
      changes.progress = progress;
      watch.progressAt = Date.now();
    }
    if (Object.keys(changes).length > 0) this.store.tx(() => this.store.batchInferences.update(job.id, changes));
  }

  private async finish(job: BatchInferenceRecord, status: RunnerStatus): Promise<void> {
    this.watching.forget(job.id);
    let state = status.state as BatchInferenceState;
    let reason = status.reason;
    let outputDataset: string | null = null;
    if (state === 'COMPLETE' && job.outputDatasetName && this.options.registerOutput) {
      try {
        outputDataset = await this.options.registerOutput(job);
      } catch (error) {
        state = 'FAILED';
        reason = `the predictions are in ${job.outputFile}, but could not be registered as dataset ${job.outputDatasetName}: ${(error as Error).message}`;
      }
    }
    this.settle(job, {
      state,
      reason,
      outputDataset,
      progress: { ...progressOf(status), rate: null, etaSeconds: null },
      startedAt: job.startedAt ?? status.startedAt,
      finishedAt: status.endedAt ?? new Date().toISOString(),
    });
  }

  private settle(job: BatchInferenceRecord, changes: BatchInferenceChanges): BatchInferenceRecord {
    this.watching.forget(job.id);
    const settled = this.store.tx(() => {
      const current = this.store.batchInferences.get(job.id);
      if (!current || isSettled(batchInferenceStates, current.state)) return current ?? job;
      const next = this.store.batchInferences.update(job.id, { finishedAt: new Date().toISOString(), ...changes });
      this.store.batchInferences.recordFinished(next);
      return next;
    });
    this.options.log.info(
      { batchInference: job.id, model: `${job.model.name}:${job.model.version}`, state: settled.state },
      'batch scoring ended',
    );
    return settled;
  }
}

function progressOf(status: RunnerStatus): BatchProgress {
  const rate = status.rate !== null && status.rate > 0 ? status.rate : null;
  const left = status.total === null ? null : Math.max(status.total - status.done, 0);
  return {
    done: status.done,
    total: status.total,
    errors: status.errors,
    rate,
    etaSeconds: rate !== null && left !== null ? Math.round(left / rate) : null,
  };
}
