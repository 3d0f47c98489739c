import type {
  Schedule,
  ScheduleCreate,
  ScheduleList,
  SchedulePreview,
  ScheduleRun,
  ScheduleRunList,
  ScheduleUpdate,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import { publicRun, type ScheduleRecord } from '../store/schedules.js';
import { checkSteps, type StepCheckDeps } from './check.js';
import { ScheduleClock } from './clock.js';
import { ScheduleRuns } from './runs.js';
import { ScheduleSteps, type StepDeps } from './steps.js';
import { timingOf } from './timing.js';

export interface ScheduleServiceOptions extends Omit<StepDeps, 'store'>, Omit<StepCheckDeps, 'store'> {
  log: FastifyBaseLogger;
}

/**
 * Schedules, as the routes see them, and the bridge's own clock that fires them: each due time checks the
 * targets (one gone: the schedule is PAUSED with the reason) and begins a run under the overlap rule.
 */
export class ScheduleService {
  private readonly runs: ScheduleRuns;
  private readonly clock: ScheduleClock;
  private readonly check: StepCheckDeps;

  constructor(
    private readonly store: Store,
    private readonly options: ScheduleServiceOptions,
  ) {
    this.runs = new ScheduleRuns(store, new ScheduleSteps({ ...options, store }), options.log);
    this.check = { store, findRecipe: options.findRecipe, datasets: options.datasets };
    this.clock = new ScheduleClock(
      () => {
        const at = store.schedules.nearestDue();
        return at === null ? null : new Date(at);
      },
      (at) => this.fireDue(at),
    );
  }

  list(query: { limit?: number; offset?: number } | undefined): ScheduleList {
    const { limit, offset } = pageOf(query);
    const page = this.store.schedules.list(limit, offset);
    return { items: page.items.map((s) => this.store.schedules.viewOf(s)), total: page.total };
  }

  find(key: string): Schedule {
    return this.store.schedules.viewOf(this.record(key));
  }

  preview(body: { cron?: string; timezone?: string; every?: string; count?: number }): SchedulePreview {
    const at = new Date();
    return {
      nextRuns: timingOf(body)
        .upcoming(body.count ?? 5, at, at)
        .map((d) => d.toISOString()),
    };
  }

  async create(input: ScheduleCreate): Promise<Schedule> {
    const timing = timingOf(input);
    await checkSteps(input.steps, this.check);
    if (this.store.schedules.get(input.name)) throw conflict(`a schedule named "${input.name}" already exists`);
    const at = new Date();
    const paused = input.paused === true;
    try {
      const record = this.store.tx(() =>
        this.store.schedules.insert({
          name: input.name,
          description: input.description ?? '',
          state: paused ? 'PAUSED' : 'ACTIVE',
          reason: null,
          cron: input.cron ?? null,
          timezone: input.cron === undefined ? null : (input.timezone ?? 'UTC'),
          every: input.every ?? null,
          steps: input.steps,
          overlap: input.overlap ?? 'skip',
          catchUp: input.catchUp ?? true,
          anchorAt: at.toISOString(),
          nextDueAt: paused ? null : (timing.next(at, at)?.toISOString() ?? null),
        }),
      );
      this.clock.arm();
      return this.store.schedules.viewOf(record);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a schedule named "${input.name}" already exists`);
      throw error;
    }
  }

  /** A change of when (or what) starts the due times again from now. */
  async update(key: string, changes: ScheduleUpdate): Promise<Schedule> {
    const current = this.record(key);
    if (changes.cron !== undefined && changes.every !== undefined) {
      throw new HttpError(400, 'validation', 'give cron or every, not both', 'every');
    }
    const when =
      changes.cron !== undefined
        ? { cron: changes.cron, timezone: changes.timezone ?? current.timezone ?? 'UTC', every: null }
        : changes.every !== undefined
          ? { cron: null, timezone: null, every: changes.every }
          : { cron: current.cron, timezone: changes.timezone ?? current.timezone, every: current.every };
    const timing = timingOf(when);
    const steps = changes.steps ?? current.steps;
    if (changes.steps) await checkSteps(steps, this.check);
    const at = new Date();
    const updated = this.store.tx(() =>
      this.store.schedules.update(this.record(current.id), {
        ...when,
        description: changes.description ?? current.description,
        steps,
        overlap: changes.overlap ?? current.overlap,
        catchUp: changes.catchUp ?? current.catchUp,
        anchorAt: at.toISOString(),
        nextDueAt: current.state === 'ACTIVE' ? (timing.next(at, at)?.toISOString() ?? null) : null,
      }),
    );
    this.clock.arm();
    return this.store.schedules.viewOf(updated);
  }

  /** Nothing more starts; a run already going goes on. */
  pause(key: string): Schedule {
    const record = this.record(key);
    if (record.state === 'PAUSED') return this.store.schedules.viewOf(record);
    const paused = this.store.tx(() => this.store.schedules.update(record, { state: 'PAUSED', reason: null, nextDueAt: null }));
    this.clock.arm();
    return this.store.schedules.viewOf(paused);
  }

  /** Due times start again from now: the time it was paused is not caught up. */
  async resume(key: string): Promise<Schedule> {
    const record = this.record(key);
    if (record.state === 'ACTIVE') return this.store.schedules.viewOf(record);
    // a target deleted meanwhile is refused now, not found out at the next due time
    await checkSteps(record.steps, this.check);
    const at = new Date();
    const resumed = this.store.tx(() =>
      this.store.schedules.update(this.record(record.id), {
        state: 'ACTIVE',
        reason: null,
        anchorAt: at.toISOString(),
        nextDueAt: timingOf(record).next(at, at)?.toISOString() ?? null,
      }),
    );
    this.clock.arm();
    return this.store.schedules.viewOf(resumed);
  }

  /** A run now (trigger `manual`), under the overlap rule: it may come back QUEUED or SKIPPED. */
  async runNow(key: string): Promise<ScheduleRun> {
    const record = this.record(key);
    await checkSteps(record.steps, this.check);
    return publicRun(this.runs.begin(this.record(record.id), 'manual', new Date()));
  }

  history(key: string, query: { limit?: number; offset?: number } | undefined): ScheduleRunList {
    const record = this.record(key);
    const { limit, offset } = pageOf(query);
    const page = this.store.schedules.runs(record.id, limit, offset);
    return { items: page.items.map(publicRun), total: page.total };
  }

  /** The schedule and its history go; what its runs made (trainings, models, evaluations, jobs) stays. */
  delete(key: string): void {
    const record = this.record(key);
    this.runs.cancel(record.id);
    this.store.tx(() => this.store.schedules.delete(record.id));
    this.clock.arm();
  }

  /**
   * At start: runs a previous bridge left going resume; a schedule whose due time passed while the bridge was
   * down gets ONE run (trigger `catch-up`) if it asks for it, never one per missed time; then the clock is set.
   */
  start(): void {
    this.runs.reconcile();
    const at = new Date();
    for (const schedule of this.store.schedules.dueBy(at.toISOString())) {
      const missed = new Date(schedule.nextDueAt as string);
      const advanced = this.advance(schedule, at);
      if (schedule.catchUp) void this.fire(advanced, 'catch-up', missed);
    }
    this.clock.arm();
  }

  shutdown(): void {
    this.clock.stop();
    this.runs.shutdown();
  }

  private record(key: string): ScheduleRecord {
    const record = this.store.schedules.get(key);
    if (!record) throw notFound('schedule', key);
    return record;
  }

  private fireDue(at: Date): void {
    for (const schedule of this.store.schedules.dueBy(at.toISOString())) {
      const due = new Date(schedule.nextDueAt as string);
      void this.fire(this.advance(schedule, at), 'due', due);
    }
  }

  /** The next due time after `at` (an interval keeps its phase): missed ones are passed over, not queued up. */
  private advance(schedule: ScheduleRecord, at: Date): ScheduleRecord {
    let next: string | null = null;
    try {
      next = timingOf(schedule).next(at, new Date(schedule.anchorAt))?.toISOString() ?? null;
    } catch (error) {
      this.options.log.error({ schedule: schedule.name, error: (error as Error).message }, 'a stored schedule no longer reads');
    }
    return this.store.tx(() => this.store.schedules.update(schedule, { nextDueAt: next }));
  }

  /** Check the targets (one deleted: PAUSED with the reason), then begin a run. */
  private async fire(schedule: ScheduleRecord, trigger: 'due' | 'catch-up', due: Date): Promise<void> {
    try {
      await checkSteps(schedule.steps, this.check);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        const now = this.store.schedules.get(schedule.id);
        if (now) {
          this.store.tx(() =>
            this.store.schedules.update(now, {
              state: 'PAUSED',
              reason: `paused by the bridge: ${error.message}`,
              nextDueAt: null,
            }),
          );
          this.clock.arm();
        }
        return;
      }
      // anything else (a dataset changed under its pin…) is the run's to report, in its step
    }
    const current = this.store.schedules.get(schedule.id);
    if (current?.state !== 'ACTIVE') return;
    try {
      this.runs.begin(current, trigger, due);
    } catch (error) {
      this.options.log.error({ schedule: schedule.name, error: (error as Error).message }, 'a schedule run could not begin');
    }
  }
}
