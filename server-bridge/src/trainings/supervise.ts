import { existsSync, writeFileSync } from 'node:fs';
import {
  type EarlyStopped,
  earlyStoppedReason,
  isSettled,
  type TrainingQuality,
  type TrainingState,
  trainingStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { MetricsIngester } from '../metrics/ingest.js';
import type { Executor } from '../runtime/local-executor.js';
import { goneAtSecondLook, lookAtStatus, type RunWatch, stopOverdue, watchStop } from '../runtime/run-watch.js';
import { readStatusFile } from '../runtime/status-file.js';
import { WatchLoop } from '../runtime/watch-loop.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import type { ClusterTrainingRuns, JobState } from './cluster-run.js';
import { FINAL_SUPERVISOR_STATES, type SupervisorStatus, type TrainingLayout, trainingLayout } from './contract.js';
import { EarlyStopWatch, type QualityShape, qualityShape, sameQuality, trainingQuality } from './quality.js';

export interface SuperviseOptions {
  executor: Executor;
  metrics: MetricsIngester;
  log: FastifyBaseLogger;
  /** how often running trainings are looked at; metrics are read every fourth look */
  pollMs?: number;
  /** trainings on a Ray cluster: submitted as Ray jobs, followed through Ray's Jobs API */
  clusterRuns?: ClusterTrainingRuns;
  /** what a training that ends COMPLETE gets in the same update (asked for when one does: it is made later) */
  completion?: () => CompletionStep | undefined;
}

/**
 * Run before a COMPLETE is recorded: a built-in recipe's training registers its model version and
 * holdout evaluation here, so the record that says COMPLETE names them. `problem`: why it could not,
 * said in the stateReason of a training that stays COMPLETE.
 */
export type CompletionStep = (
  training: TrainingRecord,
) => Promise<{ model?: TrainingRecord['model']; evaluation?: string | null; problem?: string }>;

/** How often a cluster training's Ray job is asked for its state (its status comes pushed). */
const RAY_CHECK_MS = 2000;

/** A supervisor that misses its own deadline by this much is ended by the bridge. */
const DEADLINE_SLACK_MS = 10_000;

const ORDER: Record<TrainingState, number> = {
  'CREATE REQUESTED': 0,
  'CREATE IN PROGRESS': 1,
  RUNNING: 2,
  'STOP IN PROGRESS': 3,
  COMPLETE: 4,
  'FAIL TRAIN': 4,
  STOPPED: 4,
  'CREATE FAILED': 4,
};

export interface Outcome {
  state: TrainingState;
  stateReason: string | null;
  exitCode: number | null;
  startedAt?: string | null;
  endedAt?: string | null;
  quality?: TrainingQuality;
  model?: TrainingRecord['model'];
  evaluation?: string | null;
}

const KNOWN_STATES = Object.keys(ORDER);
const readStatus = (file: string) => readStatusFile<SupervisorStatus>(file, KNOWN_STATES);

interface Watch extends RunWatch {
  layout: TrainingLayout;
  /** the ingester's count of arrivals when the metrics were last reviewed */
  reviewed?: number;
  /** the training's early-stopping rule, fed as points arrive */
  earlyStop?: EarlyStopWatch;
  /** the curves' shapes are looked at again no sooner than this (ms since the epoch) */
  nextShape?: number;
  /** a cluster training: its Ray job as last found, and when */
  job?: JobState;
  jobCheckedAt?: number;
}

/** The shape analysis may take at most this share of the time: a long series is looked at less often. */
const SHAPE_SHARE = 0.05;
const SHAPE_EVERY_MS = 1000;

/**
 * The run loop: starts a training's supervisor, then brings the record up to what its status.json says (and its
 * metrics up to its event files) until it settles; ends what overruns its deadline or a stop; and after a restart
 * picks up what a previous bridge left running.
 */
export class TrainingSupervision {
  private readonly watching: WatchLoop<Watch>;
  /** trainings a look is under way for */
  private readonly looking = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly options: SuperviseOptions,
  ) {
    this.watching = new WatchLoop((id, tick) => this.visit(id, tick), options.pollMs);
  }

  /** Start a recorded training's supervisor and watch it; a supervisor that can't start settles it CREATE FAILED. */
  async launch(training: TrainingRecord, layout: TrainingLayout): Promise<TrainingRecord> {
    if (training.clusterId) {
      try {
        await this.clusterRuns().start(training, layout);
      } catch (error) {
        return this.settle(training, {
          state: 'CREATE FAILED',
          stateReason: `the Ray job could not be submitted: ${(error as Error).message}`,
          exitCode: null,
        });
      }
      this.watching.watch(training.id, { layout });
      return this.store.trainings.get(training.id) ?? training;
    }
    try {
      const pid = await this.options.executor.start(layout, training.python, () => void this.look(training.id));
      this.watching.watch(training.id, { layout });
      return this.store.tx(() => this.store.trainings.update(training.id, { supervisorPid: pid }));
    } catch (error) {
      return this.settle(training, { state: 'CREATE FAILED', stateReason: (error as Error).message, exitCode: null });
    }
  }

  /** Ask the supervisor to stop, and watch that it does within STOP_GRACE_MS; answers the training as it is then. */
  async stop(training: TrainingRecord, reason?: string): Promise<TrainingRecord> {
    const layout = trainingLayout(training.dir);
    if (reason !== undefined) this.writeStopReason(training, layout, reason);
    const stopping = this.store.tx(() =>
      this.store.trainings.update(training.id, {
        state: 'STOP IN PROGRESS',
        ...(reason === undefined ? {} : { stateReason: reason }),
      }),
    );
    watchStop(this.watching, training.id, { layout });
    if (training.clusterId) {
      await this.clusterRuns().stop(training);
      // the job's state is asked again at the next look, not RAY_CHECK_MS later
      const watch = this.watching.get(training.id);
      if (watch) watch.jobCheckedAt = undefined;
    } else if (training.supervisorPid !== null && this.options.executor.isRunning(training.supervisorPid, layout)) {
      this.options.executor.requestStop(training.supervisorPid);
    }
    await this.look(training.id);
    return this.store.trainings.get(training.id) ?? stopping;
  }

  /** At start: pick up every training a previous bridge left running, and settle the ones that ended meanwhile. */
  reconcile(): void {
    for (const training of this.store.trainings.unsettled()) {
      const layout = trainingLayout(training.dir);
      // a cluster training has no local supervisor: its Ray job says whether it ever started
      if (!training.clusterId && training.supervisorPid === null && !existsSync(layout.status)) {
        this.settle(training, {
          state: 'CREATE FAILED',
          stateReason: 'the bridge stopped before this training started; copy it to run it again',
          exitCode: null,
        });
        continue;
      }
      this.watching.watch(training.id, { layout });
    }
    for (const id of this.watching.ids()) void this.look(id);
  }

  shutdown(): void {
    this.watching.shutdown();
  }

  /** For the status route. */
  watchedCount(): number {
    return this.watching.size;
  }

  /** A tick: the training's state, and every fourth tick the metrics of a running one, then its quality. */
  private async visit(id: string, tick: number): Promise<void> {
    await this.look(id);
    const training = this.store.trainings.get(id);
    if (training?.state === 'RUNNING' && tick % 4 === 0) {
      await this.options.metrics.ingest(id, trainingLayout(training.dir).tensorboard).catch((error: Error) => {
        this.options.log.warn({ training: training.name, error: error.message }, 'reading metrics failed');
      });
      this.review(id);
    }
  }

  /**
   * Bring one training's state up to what its supervisor says, or settle it if the supervisor is gone.
   * One look at a time per training: the exit callback, the timer and a restart's reconcile may all
   * ask at once, and two looks past the final metrics read would settle it twice.
   */
  async look(id: string): Promise<void> {
    if (this.looking.has(id)) return;
    this.looking.add(id);
    try {
      await this.lookOnce(id);
    } finally {
      this.looking.delete(id);
    }
  }

  private async lookOnce(id: string): Promise<void> {
    const watch = this.watching.get(id);
    const training = this.store.trainings.get(id);
    if (!watch || !training) {
      this.watching.forget(id);
      return;
    }
    if (isSettled(trainingStates, training.state)) {
      this.watching.forget(id);
      return;
    }
    const { status, unreadable } = lookAtStatus(watch, readStatus, (error) =>
      this.options.log.warn({ training: training.name, file: watch.layout.status, error }, 'status.json could not be read'),
    );
    if (status && FINAL_SUPERVISOR_STATES.includes(status.state)) {
      const metricsFailure = await this.options.metrics.ingest(id, watch.layout.tensorboard).then(
        () => undefined,
        (error: Error) => {
          this.options.log.warn({ training: training.name, error: error.message }, 'reading the final metrics failed');
          return `its final metrics could not be read: ${error.message}`;
        },
      );
      this.options.metrics.forget(id);
      // an early stop ends in STOPPED as any stop does; it is the platform's decision that the training is done
      const early = training.quality?.earlyStopped;
      const state = early && status.state === 'STOPPED' ? 'COMPLETE' : status.state;
      const reason = early && state === 'COMPLETE' ? earlyStoppedReason(early) : status.reason;
      const completed = state === 'COMPLETE' ? await this.complete(training) : {};
      this.settle(training, {
        state,
        stateReason: [reason, metricsFailure, completed.problem].filter(Boolean).join('; ') || null,
        model: completed.model,
        evaluation: completed.evaluation,
        exitCode: status.exitCode,
        startedAt: training.startedAt ?? status.startedAt,
        endedAt: status.endedAt ?? new Date().toISOString(),
        quality: trainingQuality(this.store, training),
      });
      return;
    }
    if (status && ORDER[status.state] > ORDER[training.state]) {
      this.store.tx(() =>
        this.store.trainings.update(id, {
          state: status.state,
          startedAt: status.startedAt ?? training.startedAt,
          supervisorPid: training.supervisorPid ?? status.supervisorPid,
        }),
      );
    }
    if (training.clusterId) {
      await this.lookAtJob(training, watch);
      return;
    }
    const pid = training.supervisorPid ?? status?.supervisorPid ?? null;
    const running = pid !== null && this.options.executor.isRunning(pid, watch.layout);
    if (!running) {
      if (!goneAtSecondLook(watch)) return;
      const stopped = training.state === 'STOP IN PROGRESS';
      const early = stopped ? training.quality?.earlyStopped : undefined;
      this.killLeftovers(status);
      const supervisor = `the training's supervisor${pid === null ? '' : ` (pid ${pid})`}`;
      this.settle(training, {
        state: early ? 'COMPLETE' : stopped ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: early
          ? earlyStoppedReason(early)
          : stopped
            ? (training.stateReason ?? 'stopped by request')
            : unreadable !== undefined
              ? `${supervisor} ended, and its status.json (${watch.layout.status}) could not be read: ${unreadable}`
              : `${supervisor} ended without a result: it was killed, or the machine restarted`,
        exitCode: null,
      });
      return;
    }
    const now = Date.now();
    const overdue =
      training.maxDurationSeconds !== null &&
      now > Date.parse(training.createdAt) + training.maxDurationSeconds * 1000 + DEADLINE_SLACK_MS;
    const stopLate = stopOverdue(watch, now);
    if (overdue || stopLate) {
      // the supervisor didn't end it in time: end everything it started ourselves
      this.options.executor.kill([pid, ...(status?.ranks.map((r) => r.pid) ?? [])]);
      const early = stopLate ? training.quality?.earlyStopped : undefined;
      this.settle(training, {
        state: early ? 'COMPLETE' : stopLate ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: early
          ? `${earlyStoppedReason(early)} (its processes had to be killed)`
          : stopLate
            ? `${training.stateReason ?? 'stopped by request'} (its processes had to be killed)`
            : `the maximum duration of ${training.maxDurationSeconds}s was reached (its processes had to be killed)`,
        exitCode: null,
      });
    }
  }

  /** The completion step, if there is one; one that throws is a problem to report, not a failed training. */
  private async complete(training: TrainingRecord): ReturnType<CompletionStep> {
    const step = this.options.completion?.();
    if (!step) return {};
    try {
      return await step(training);
    } catch (error) {
      this.options.log.warn({ training: training.name, error: (error as Error).message }, 'the completion step failed');
      return { problem: (error as Error).message };
    }
  }

  private clusterRuns(): ClusterTrainingRuns {
    if (!this.options.clusterRuns) throw new Error('this bridge runs no trainings on clusters');
    return this.options.clusterRuns;
  }

  /**
   * A cluster training without a final status yet: settle it if its Ray job has ended (the
   * driver reports first; a job that ended without a report lost its driver or its node), or
   * if it overran its deadline or a stop. Ray unreachable for a while is no end: wait.
   */
  private async lookAtJob(training: TrainingRecord, watch: Watch): Promise<void> {
    const now = Date.now();
    if (watch.jobCheckedAt === undefined || now - watch.jobCheckedAt >= RAY_CHECK_MS) {
      watch.jobCheckedAt = now;
      watch.job = await this.clusterRuns().state(training);
    }
    const job = watch.job;
    if (job && 'ended' in job && job.ended) {
      // the driver's final status may be on its way: one more look first
      if (!goneAtSecondLook(watch)) {
        watch.jobCheckedAt = undefined;
        return;
      }
      const stopped = training.state === 'STOP IN PROGRESS';
      const early = stopped ? training.quality?.earlyStopped : undefined;
      this.settle(training, {
        state: early ? 'COMPLETE' : stopped ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: early
          ? earlyStoppedReason(early)
          : stopped
            ? (training.stateReason ?? 'stopped by request')
            : `its Ray job ended ${job.status} without a result${job.message ? `: ${job.message}` : ''}`,
        exitCode: null,
      });
      return;
    }
    const overdue =
      training.maxDurationSeconds !== null &&
      now > Date.parse(training.createdAt) + training.maxDurationSeconds * 1000 + DEADLINE_SLACK_MS;
    const stopLate = stopOverdue(watch, now);
    if (overdue || stopLate) {
      await this.clusterRuns().stop(training);
      this.settle(training, {
        state: stopLate ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: stopLate
          ? `${training.stateReason ?? 'stopped by request'} (its Ray job had to be stopped)`
          : `the maximum duration of ${training.maxDurationSeconds}s was reached (its Ray job had to be stopped)`,
        exitCode: null,
      });
    }
  }

  /**
   * New points were stored: bring the training's quality up to date (an `updated` event, for the
   * editors' flags), and end it if its early-stopping rule says so.
   */
  private review(id: string): void {
    const watch = this.watching.get(id);
    const training = this.store.trainings.get(id);
    if (!watch || training?.state !== 'RUNNING') return;
    const arrivals = this.options.metrics.arrivals(id);
    if ((watch.reviewed ?? 0) === arrivals) return;
    watch.reviewed = arrivals;
    if (training.earlyStopping && !watch.earlyStop) watch.earlyStop = new EarlyStopWatch(this.store, training);
    const stopped = watch.earlyStop?.check() ?? null;
    // NaN and the early stop at every read (both cheap); the shapes of the curves as often as they are cheap enough
    const now = Date.now();
    let shape: QualityShape | undefined = training.quality ?? undefined;
    if (stopped || !shape || now >= (watch.nextShape ?? 0)) {
      shape = qualityShape(this.store, id);
      const took = Date.now() - now;
      watch.nextShape = Date.now() + Math.max(SHAPE_EVERY_MS, took / SHAPE_SHARE);
    }
    const quality: TrainingQuality = {
      ...trainingQuality(this.store, training, shape),
      earlyStopped: stopped ?? training.quality?.earlyStopped ?? null,
    };
    if (stopped) this.earlyStop(training, watch, quality, stopped);
    else if (!sameQuality(quality, training.quality)) {
      this.store.tx(() => this.store.trainings.update(id, { quality }));
    }
  }

  /** As a stop does (the supervisor ends the process tree), but the training is recorded as done: COMPLETE. */
  private earlyStop(training: TrainingRecord, watch: Watch, quality: TrainingQuality, stopped: EarlyStopped): void {
    const reason = earlyStoppedReason(stopped);
    this.store.tx(() => this.store.trainings.update(training.id, { state: 'STOP IN PROGRESS', stateReason: reason, quality }));
    this.options.log.info({ training: training.name, reason }, 'early stopping');
    watch.stopAskedAt = Date.now();
    const pid = training.supervisorPid ?? readStatus(watch.layout.status).status?.supervisorPid ?? null;
    this.writeStopReason(training, watch.layout, reason);
    if (training.clusterId) void this.clusterRuns().stop(training);
    else if (pid !== null && this.options.executor.isRunning(pid, watch.layout)) this.options.executor.requestStop(pid);
  }

  /** The supervisor says why in the log it ends, and in its final status, rather than "stopped by request". */
  private writeStopReason(training: TrainingRecord, layout: TrainingLayout, reason: string): void {
    try {
      writeFileSync(layout.stopReason, `${reason}\n`);
    } catch (error) {
      this.options.log.warn({ training: training.name, error: (error as Error).message }, 'could not write stop-reason');
    }
  }

  private killLeftovers(status: SupervisorStatus | undefined): void {
    const ranks = status?.ranks.filter((r) => r.exitCode === null).map((r) => r.pid) ?? [];
    if (ranks.length > 0) this.options.executor.kill(ranks);
  }

  private settle(training: TrainingRecord, result: Outcome): TrainingRecord {
    this.watching.forget(training.id);
    const settled = this.store.tx(() => {
      const next = this.store.trainings.update(training.id, {
        state: result.state,
        stateReason: result.stateReason,
        exitCode: result.exitCode,
        startedAt: result.startedAt ?? training.startedAt,
        endedAt: result.endedAt ?? new Date().toISOString(),
        ...(result.quality ? { quality: result.quality } : {}),
        ...(result.model ? { model: result.model } : {}),
        ...(result.evaluation ? { evaluation: result.evaluation } : {}),
      });
      this.store.trainings.recordFinished(next);
      return next;
    });
    this.options.log.info({ training: training.name, state: result.state }, 'training ended');
    return settled;
  }
}
