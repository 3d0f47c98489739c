import type { ScheduleRun, ScheduleRunStep } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../store/index.js';
import { now } from '../store/rows.js';
import type { RunRecord, ScheduleRecord } from '../store/schedules.js';
import { RunCancelled } from './settle.js';
import { type ScheduleSteps, StepFailed } from './steps.js';

const freshSteps = (schedule: ScheduleRecord, state: ScheduleRunStep['state']): ScheduleRunStep[] =>
  schedule.steps.map((step) => ({ kind: step.kind, state, resource: null, outcome: null }));

/**
 * The runs of schedules: the overlap rule when one is due, then each run's steps in order, one at a time, each
 * recorded as it starts and ends. A failed step fails the run and SKIPS the rest. At most one run of a schedule
 * goes at a time; `queue` keeps one more waiting.
 */
export class ScheduleRuns {
  /** schedule id → its run going now, and how to cancel waiting on it */
  private readonly going = new Map<string, { run: RunRecord; controller: AbortController }>();

  constructor(
    private readonly store: Store,
    private readonly steps: ScheduleSteps,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** A due time (or a manual start): a new run, or a QUEUED or SKIPPED one under the overlap rule. */
  begin(schedule: ScheduleRecord, trigger: ScheduleRun['trigger'], dueAt: Date): RunRecord {
    const busy = this.going.get(schedule.id)?.run;
    if (busy) {
      const queued = this.store.schedules.runsInStates(['QUEUED']).find((r) => r.schedule === schedule.id);
      if (schedule.overlap === 'queue' && !queued) return this.insert(schedule, trigger, dueAt, 'QUEUED', null);
      const reason = queued
        ? `run ${busy.number} was still going and run ${queued.number} was queued`
        : `run ${busy.number} was still going`;
      return this.insert(schedule, trigger, dueAt, 'SKIPPED', reason);
    }
    const run = this.insert(schedule, trigger, dueAt, 'RUNNING', null);
    this.execute(schedule, run);
    return run;
  }

  private insert(
    schedule: ScheduleRecord,
    trigger: ScheduleRun['trigger'],
    dueAt: Date,
    state: 'RUNNING' | 'QUEUED' | 'SKIPPED',
    reason: string | null,
  ): RunRecord {
    const time = now();
    return this.store.tx(() =>
      this.store.schedules.insertRunOf(schedule, {
        schedule: schedule.id,
        trigger,
        state,
        reason,
        dueAt: dueAt.toISOString(),
        startedAt: state === 'RUNNING' ? time : null,
        finishedAt: state === 'SKIPPED' ? time : null,
        steps: freshSteps(schedule, state === 'SKIPPED' ? 'SKIPPED' : 'PENDING'),
      }),
    );
  }

  /** At start: runs a stopped bridge left going resume at their current step; queued ones start once free. */
  reconcile(): void {
    for (const run of this.store.schedules.runsInStates(['RUNNING'])) {
      const schedule = this.store.schedules.get(run.schedule);
      if (schedule) this.execute(schedule, run);
    }
    for (const run of this.store.schedules.runsInStates(['QUEUED'])) this.startQueued(run.schedule);
  }

  /** The schedule was deleted: stop waiting on its run (the resources it made go on, unlinked). */
  cancel(scheduleId: string): void {
    this.going.get(scheduleId)?.controller.abort();
    this.going.delete(scheduleId);
  }

  /** The bridge stops: runs are left RUNNING in the store, and the next bridge resumes them. */
  shutdown(): void {
    for (const { controller } of this.going.values()) controller.abort();
    this.going.clear();
  }

  isGoing(scheduleId: string): boolean {
    return this.going.has(scheduleId);
  }

  private execute(schedule: ScheduleRecord, run: RunRecord): void {
    const controller = new AbortController();
    this.going.set(schedule.id, { run, controller });
    void this.walk(schedule, run, controller.signal)
      .catch((error: Error) => {
        if (!(error instanceof RunCancelled))
          this.log.error({ schedule: schedule.name, error: error.message }, 'a schedule run broke');
      })
      .finally(() => {
        if (this.going.get(schedule.id)?.controller !== controller) return;
        this.going.delete(schedule.id);
        if (!controller.signal.aborted) this.startQueued(schedule.id);
      });
  }

  private startQueued(scheduleId: string): void {
    if (this.going.has(scheduleId)) return;
    const queued = this.store.schedules.runsInStates(['QUEUED']).find((r) => r.schedule === scheduleId);
    const schedule = this.store.schedules.get(scheduleId);
    if (!queued || !schedule) return;
    const run = this.update(queued, { state: 'RUNNING', startedAt: now() });
    this.execute(schedule, run);
  }

  /** Step by step from the first that hasn't ended; a step RUNNING with its resource resumes at waiting on it. */
  private async walk(schedule: ScheduleRecord, start: RunRecord, signal: AbortSignal): Promise<void> {
    let run = start;
    for (const [index, step] of schedule.steps.entries()) {
      const recorded = run.steps[index];
      if (!recorded || recorded.state === 'COMPLETE') continue;
      try {
        let resource = recorded.state === 'RUNNING' ? recorded.resource : null;
        if (!resource) {
          // the name of what the step makes, recorded first: a bridge that dies between the make and the record of
          // its id finds the one made by that name when it starts again, instead of making a second
          const context = { schedule, run, index, chain: run.chain, signal };
          const name = (recorded.state === 'RUNNING' ? recorded.name : undefined) ?? this.steps.nameFor(step, context);
          run = this.update(run, { steps: withStep(run.steps, index, { state: 'RUNNING', ...(name ? { name } : {}) }) });
          const made = name ? this.steps.madeBefore(step, name, run) : null;
          resource = made ?? (await this.steps.start(step, { ...context, run, name }));
          if (signal.aborted) return;
          faultPoint('schedule-step-made');
          run = this.update(run, { steps: withStep(run.steps, index, { resource }) });
        }
        const end = await this.steps.finish(step, resource, { schedule, run, index, chain: run.chain, signal });
        run = this.update(run, {
          steps: withStep(run.steps, index, { state: 'COMPLETE', outcome: end.outcome }),
          chain: end.chain,
        });
      } catch (error) {
        if (error instanceof RunCancelled || signal.aborted) throw new RunCancelled('cancelled');
        const message = error instanceof StepFailed ? error.message : (error as Error).message;
        const steps = run.steps.map((s, i) =>
          i === index
            ? { ...s, state: 'FAILED' as const, outcome: message }
            : i > index
              ? { ...s, state: 'SKIPPED' as const }
              : s,
        );
        this.update(run, { state: 'FAILED', reason: `step ${index + 1} (${step.kind}): ${message}`, steps, finishedAt: now() });
        return;
      }
    }
    this.update(run, { state: 'COMPLETE', finishedAt: now() });
  }

  private update(run: RunRecord, changes: Parameters<Store['schedules']['updateRunOf']>[1]): RunRecord {
    return this.store.tx(() => this.store.schedules.updateRunOf(run, changes));
  }
}

function withStep(steps: ScheduleRunStep[], index: number, changes: Partial<ScheduleRunStep>): ScheduleRunStep[] {
  return steps.map((s, i) => (i === index ? { ...s, ...changes } : s));
}

/**
 * `EMKIT_FAULT=<point>` kills the bridge with SIGKILL there, as a crash would at that moment: what the crash tests
 * use (unset, always, outside them).
 */
function faultPoint(point: string): void {
  if (process.env.EMKIT_FAULT === point) process.kill(process.pid, 'SIGKILL');
}
