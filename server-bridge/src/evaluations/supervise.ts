import { existsSync } from 'node:fs';
import { type EvaluationState, evaluationStates, isSettled } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Executor } from '../runtime/local-executor.js';
import { goneAtSecondLook, lookAtStatus, type RunWatch, stopOverdue, watchStop } from '../runtime/run-watch.js';
import { readStatusFile } from '../runtime/status-file.js';
import { WatchLoop } from '../runtime/watch-loop.js';
import type { EvaluationChanges, EvaluationRecord } from '../store/evaluations.js';
import type { Store } from '../store/index.js';
import { type EvaluationLayout, evaluationLayout, FINAL_RUNNER_STATES, RUNNER_STATES, type RunnerStatus } from './contract.js';
import { type EvaluationFiles, headline } from './results.js';

export interface EvaluationSuperviseOptions {
  executor: Executor;
  files: EvaluationFiles;
  log: FastifyBaseLogger;
  /** how often running evaluations are looked at */
  pollMs?: number;
}

/** How long a refused create waits for the runner it killed to be gone before removing its folder. */
const ABANDON_WAIT_MS = 2000;

/** A runner started for an evaluation. */
export interface Runner {
  pid: number;
  exited: Promise<void>;
}

const readStatus = (file: string) => readStatusFile<RunnerStatus>(file, RUNNER_STATES);

interface Watch extends RunWatch {
  layout: EvaluationLayout;
}

/**
 * The run loop of evaluations: starts a runner, brings the record up to its status.json (rows done, the dataset's
 * hash, the task found) until it settles, ends a runner that ignores a stop, and after a restart picks up what a
 * previous bridge left running.
 */
export class EvaluationSupervision {
  private readonly watching: WatchLoop<Watch>;

  constructor(
    private readonly store: Store,
    private readonly options: EvaluationSuperviseOptions,
  ) {
    this.watching = new WatchLoop((id) => this.look(id), options.pollMs);
  }

  /**
   * Start the runner of an evaluation not recorded yet (its data is being checked meanwhile): its pid, and `exited`,
   * which settles when this bridge sees it end.
   */
  async start(id: string, dir: string, python: string): Promise<Runner> {
    let ended: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const pid = await this.options.executor.start(evaluationLayout(dir), python, () => {
      ended();
      void this.look(id);
    });
    return { pid, exited };
  }

  /** The runner of a create that was refused after all: killed, and waited for a moment, so its folder can go. */
  async abandon(runner: Runner): Promise<void> {
    this.options.executor.kill([runner.pid]);
    await Promise.race([runner.exited, new Promise((resolve) => setTimeout(resolve, ABANDON_WAIT_MS))]);
  }

  /** Watch a recorded evaluation whose runner has started, until it settles. */
  watch(evaluation: EvaluationRecord): void {
    this.watching.watch(evaluation.id, { layout: evaluationLayout(evaluation.dir) });
    void this.look(evaluation.id);
  }

  /** SIGTERM: the runner stops after its current batch and writes STOPPED; killed if it hasn't within STOP_GRACE_MS. */
  async stop(evaluation: EvaluationRecord): Promise<EvaluationRecord> {
    const layout = evaluationLayout(evaluation.dir);
    const stopping = this.store.tx(() => this.store.evaluations.update(evaluation.id, { state: 'STOP IN PROGRESS' }));
    watchStop(this.watching, evaluation.id, { layout });
    if (evaluation.runnerPid !== null && this.options.executor.isRunning(evaluation.runnerPid, layout)) {
      this.options.executor.requestStop(evaluation.runnerPid);
    }
    await this.look(evaluation.id);
    return this.store.evaluations.get(evaluation.id) ?? stopping;
  }

  reconcile(): void {
    for (const evaluation of this.store.evaluations.unsettled()) {
      const layout = evaluationLayout(evaluation.dir);
      if (evaluation.runnerPid === null && !existsSync(layout.status)) {
        this.settle(evaluation, {
          state: 'FAILED',
          stateReason: 'the bridge stopped before this evaluation started; run it again',
        });
        continue;
      }
      this.watching.watch(evaluation.id, { layout });
    }
    for (const id of this.watching.ids()) void this.look(id);
  }

  /**
   * A folder no record owns is a create this bridge's predecessor died in the middle of (the runner starts while
   * the data is checked, before the record is written): its runner, if it is still there, is ended.
   */
  endOrphan(dir: string): void {
    const layout = evaluationLayout(dir);
    const { status } = readStatus(layout.status);
    if (status?.pid && this.options.executor.isRunning(status.pid, layout)) this.options.executor.kill([status.pid]);
  }

  shutdown(): void {
    this.watching.shutdown();
  }

  /** Bring one evaluation up to what its runner says, or settle it if the runner is gone. */
  async look(id: string): Promise<void> {
    const watch = this.watching.get(id);
    const evaluation = this.store.evaluations.get(id);
    if (!watch || !evaluation || isSettled(evaluationStates, evaluation.state)) {
      this.watching.forget(id);
      return;
    }
    const { status, unreadable } = lookAtStatus(watch, readStatus, (error) =>
      this.options.log.warn({ evaluation: id, file: watch.layout.status, error }, 'status.json could not be read'),
    );
    if (status && FINAL_RUNNER_STATES.includes(status.state)) {
      await this.finish(evaluation, status);
      return;
    }
    if (status) this.progress(evaluation, status);
    const pid = evaluation.runnerPid ?? status?.pid ?? null;
    if (pid === null || !this.options.executor.isRunning(pid, watch.layout)) {
      if (!goneAtSecondLook(watch)) return;
      const stopped = evaluation.state === 'STOP IN PROGRESS';
      const runner = `the evaluation runner${pid === null ? '' : ` (pid ${pid})`}`;
      this.settle(evaluation, {
        state: stopped ? 'STOPPED' : 'FAILED',
        stateReason: stopped
          ? 'stopped by request'
          : unreadable !== undefined
            ? `${runner} ended, and its status.json could not be read: ${unreadable}`
            : `${runner} ended without a result: it was killed, or the machine restarted (see its log)`,
      });
      return;
    }
    if (stopOverdue(watch)) {
      this.options.executor.kill([pid]);
      this.settle(evaluation, { state: 'STOPPED', stateReason: 'stopped by request (the runner had to be killed)' });
    }
  }

  /** RUNNING, rows done, the hash and task once known: an update (and an event) only when something moved. */
  private progress(evaluation: EvaluationRecord, status: RunnerStatus): void {
    const changes: EvaluationChanges = {};
    if (evaluation.state === 'CREATE REQUESTED' && status.state === 'RUNNING') changes.state = 'RUNNING';
    if (status.rowsDone !== evaluation.rowsDone) changes.rowsDone = status.rowsDone;
    if (status.sha256 && status.sha256 !== evaluation.data.sha256) changes.sha256 = status.sha256;
    if (status.task && evaluation.task === null) changes.task = status.task;
    if (status.startedAt && evaluation.startedAt === null) changes.startedAt = status.startedAt;
    if (evaluation.runnerPid === null && status.pid) changes.runnerPid = status.pid;
    if (Object.keys(changes).length > 0) this.store.tx(() => this.store.evaluations.update(evaluation.id, changes));
  }

  private async finish(evaluation: EvaluationRecord, status: RunnerStatus): Promise<void> {
    let state: EvaluationState = status.state as EvaluationState;
    let stateReason = status.reason;
    let metrics: Record<string, number | null> = {};
    if (state === 'COMPLETE') {
      // a COMPLETE without a usable result is no result: FAILED, saying why
      try {
        const files = await this.options.files.read(evaluation.id, evaluation.dir);
        if (!files) throw new Error('result.json is missing');
        metrics = headline(files.result);
      } catch (error) {
        state = 'FAILED';
        stateReason = `the runner said COMPLETE, but its result could not be read: ${(error as Error).message}`;
      }
    }
    this.settle(evaluation, {
      state,
      stateReason,
      rowsDone: status.rowsDone,
      sha256: status.sha256 ?? evaluation.data.sha256,
      task: evaluation.task ?? status.task,
      metrics,
      startedAt: evaluation.startedAt ?? status.startedAt,
      endedAt: status.endedAt ?? new Date().toISOString(),
    });
  }

  private settle(evaluation: EvaluationRecord, changes: EvaluationChanges): EvaluationRecord {
    this.watching.forget(evaluation.id);
    const settled = this.store.tx(() => {
      const next = this.store.evaluations.update(evaluation.id, {
        endedAt: new Date().toISOString(),
        ...changes,
      });
      this.store.evaluations.recordFinished(next);
      return next;
    });
    this.options.log.info(
      { evaluation: evaluation.id, model: `${evaluation.model.name}:${evaluation.model.version}`, state: settled.state },
      'evaluation ended',
    );
    return settled;
  }
}
