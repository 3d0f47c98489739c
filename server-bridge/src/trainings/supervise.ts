import { existsSync, readFileSync } from 'node:fs';
import { isSettled, type TrainingState, trainingStates } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { MetricsIngester } from '../metrics/ingest.js';
import type { Executor } from '../runtime/local-executor.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import { FINAL_SUPERVISOR_STATES, type SupervisorStatus, type TrainingLayout, trainingLayout } from './contract.js';

export interface SuperviseOptions {
  executor: Executor;
  metrics: MetricsIngester;
  log: FastifyBaseLogger;
  /** how often running trainings are looked at; metrics are read every fourth look */
  pollMs?: number;
}

/** How long a stop may take before the bridge kills what is left itself. */
const STOP_GRACE_MS = 5000;
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
}

/** What status.json says: a status, nothing yet (not written), or why it can't be read. */
type StatusRead = { status: SupervisorStatus; unreadable?: undefined } | { status?: undefined; unreadable?: string };

function readStatus(file: string): StatusRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    return { unreadable: (error as Error).message };
  }
  try {
    const status = JSON.parse(text) as SupervisorStatus;
    if (typeof status?.state !== 'string' || !(status.state in ORDER)) return { unreadable: 'it names no known state' };
    return { status };
  } catch (error) {
    // the supervisor writes it whole (temporary file, then rename): a damaged one is not a write in progress
    return { unreadable: (error as Error).message };
  }
}

interface Watch {
  layout: TrainingLayout;
  /** when a stop was asked, for the backstop */
  stopAskedAt?: number;
  /** the supervisor was found gone once; the next look decides (status.json may land in between) */
  goneOnce?: boolean;
  /** why status.json could not be read at the last look, once logged */
  unreadable?: string;
}

/**
 * The run loop: starts a training's supervisor, then brings the record up to what its status.json says (and its
 * metrics up to its event files) until it settles; ends what overruns its deadline or a stop; and after a restart
 * picks up what a previous bridge left running.
 */
export class TrainingSupervision {
  private readonly watching = new Map<string, Watch>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private ticking = false;

  constructor(
    private readonly store: Store,
    private readonly options: SuperviseOptions,
  ) {}

  /** Start a recorded training's supervisor and watch it; a supervisor that can't start settles it CREATE FAILED. */
  async launch(training: TrainingRecord, layout: TrainingLayout): Promise<TrainingRecord> {
    try {
      const pid = await this.options.executor.start(layout, training.python, () => void this.look(training.id));
      this.watching.set(training.id, { layout });
      this.ensureTimer();
      return this.store.tx(() => this.store.trainings.update(training.id, { supervisorPid: pid }));
    } catch (error) {
      return this.settle(training, { state: 'CREATE FAILED', stateReason: (error as Error).message, exitCode: null });
    }
  }

  /** Ask the supervisor to stop, and watch that it does within STOP_GRACE_MS; answers the training as it is then. */
  async stop(training: TrainingRecord): Promise<TrainingRecord> {
    const layout = trainingLayout(training.dir);
    const stopping = this.store.tx(() => this.store.trainings.update(training.id, { state: 'STOP IN PROGRESS' }));
    const watch = this.watching.get(training.id) ?? { layout };
    watch.stopAskedAt = Date.now();
    this.watching.set(training.id, watch);
    this.ensureTimer();
    if (training.supervisorPid !== null && this.options.executor.isRunning(training.supervisorPid, layout)) {
      this.options.executor.requestStop(training.supervisorPid);
    }
    await this.look(training.id);
    return this.store.trainings.get(training.id) ?? stopping;
  }

  /** At start: pick up every training a previous bridge left running, and settle the ones that ended meanwhile. */
  reconcile(): void {
    for (const training of this.store.trainings.unsettled()) {
      const layout = trainingLayout(training.dir);
      if (training.supervisorPid === null && !existsSync(layout.status)) {
        this.settle(training, {
          state: 'CREATE FAILED',
          stateReason: 'the bridge stopped before this training started; copy it to run it again',
          exitCode: null,
        });
        continue;
      }
      this.watching.set(training.id, { layout });
    }
    if (this.watching.size > 0) {
      this.ensureTimer();
      for (const id of this.watching.keys()) void this.look(id);
    }
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** For the status route. */
  watchedCount(): number {
    return this.watching.size;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 250);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.ticks += 1;
      for (const id of [...this.watching.keys()]) {
        await this.look(id);
        const training = this.store.trainings.get(id);
        if (training?.state === 'RUNNING' && this.ticks % 4 === 0) {
          await this.options.metrics.ingest(id, trainingLayout(training.dir).tensorboard).catch((error: Error) => {
            this.options.log.warn({ training: training.name, error: error.message }, 'reading metrics failed');
          });
        }
      }
      if (this.watching.size === 0) this.shutdown();
    } finally {
      this.ticking = false;
    }
  }

  /** Bring one training's state up to what its supervisor says, or settle it if the supervisor is gone. */
  async look(id: string): Promise<void> {
    const watch = this.watching.get(id);
    const training = this.store.trainings.get(id);
    if (!watch || !training) {
      this.watching.delete(id);
      return;
    }
    if (isSettled(trainingStates, training.state)) {
      this.watching.delete(id);
      return;
    }
    const { status, unreadable } = readStatus(watch.layout.status);
    if (unreadable !== undefined && unreadable !== watch.unreadable) {
      this.options.log.warn(
        { training: training.name, file: watch.layout.status, error: unreadable },
        'status.json could not be read',
      );
    }
    watch.unreadable = unreadable;
    if (status && FINAL_SUPERVISOR_STATES.includes(status.state)) {
      const metricsFailure = await this.options.metrics.ingest(id, watch.layout.tensorboard).then(
        () => undefined,
        (error: Error) => {
          this.options.log.warn({ training: training.name, error: error.message }, 'reading the final metrics failed');
          return `its final metrics could not be read: ${error.message}`;
        },
      );
      this.options.metrics.forget(id);
      this.settle(training, {
        state: status.state,
        stateReason: [status.reason, metricsFailure].filter(Boolean).join('; ') || null,
        exitCode: status.exitCode,
        startedAt: training.startedAt ?? status.startedAt,
        endedAt: status.endedAt ?? new Date().toISOString(),
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
    const pid = training.supervisorPid ?? status?.supervisorPid ?? null;
    const running = pid !== null && this.options.executor.isRunning(pid, watch.layout);
    if (!running) {
      // status.json is written before the supervisor exits: look once more before calling it vanished
      if (!watch.goneOnce) {
        watch.goneOnce = true;
        return;
      }
      const stopped = training.state === 'STOP IN PROGRESS';
      this.killLeftovers(status);
      const supervisor = `the training's supervisor${pid === null ? '' : ` (pid ${pid})`}`;
      this.settle(training, {
        state: stopped ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: stopped
          ? 'stopped by request'
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
    const stopOverdue = watch.stopAskedAt !== undefined && now > watch.stopAskedAt + STOP_GRACE_MS;
    if (overdue || stopOverdue) {
      // the supervisor didn't end it in time: end everything it started ourselves
      this.options.executor.kill([pid, ...(status?.ranks.map((r) => r.pid) ?? [])]);
      this.settle(training, {
        state: stopOverdue ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: stopOverdue
          ? 'stopped by request (its processes had to be killed)'
          : `the maximum duration of ${training.maxDurationSeconds}s was reached (its processes had to be killed)`,
        exitCode: null,
      });
    }
  }

  private killLeftovers(status: SupervisorStatus | undefined): void {
    const ranks = status?.ranks.filter((r) => r.exitCode === null).map((r) => r.pid) ?? [];
    if (ranks.length > 0) this.options.executor.kill(ranks);
  }

  private settle(training: TrainingRecord, result: Outcome): TrainingRecord {
    this.watching.delete(training.id);
    const settled = this.store.tx(() => {
      const next = this.store.trainings.update(training.id, {
        state: result.state,
        stateReason: result.stateReason,
        exitCode: result.exitCode,
        startedAt: result.startedAt ?? training.startedAt,
        endedAt: result.endedAt ?? new Date().toISOString(),
      });
      this.store.trainings.recordFinished(next);
      return next;
    });
    this.options.log.info({ training: training.name, state: result.state }, 'training ended');
    return settled;
  }
}
