import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { Schedule } from '../schemas/schedules.js';
import type { ScheduleViewAction, ScheduleViewMessage } from './protocol.js';

/** Runs of the history the view shows at most, newest first. */
export const SCHEDULE_RUNS_SHOWN = 50;

/**
 * What a schedule's view shows, from the bridge: the schedule and its history, then again each
 * time the bridge says it changed (a run starting, a step moving on, a run ending all come as a
 * `schedules` event with its lastRun). Pause, resume and run now are the feed's; delete and
 * opening what a step made are the host's. DOM-free, like the other feeds.
 */
export class ScheduleFeed {
  private disposed = false;
  private scheduleId: string | null = null;
  /** the history read asked for last: an older answer arriving later is dropped */
  private runsAsked = 0;

  constructor(
    private readonly client: EmkitClient,
    /** the schedule's id or name */
    readonly schedule: string,
    private readonly post: (message: ScheduleViewMessage) => void,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'schedules') return;
    if (event.id !== this.scheduleId && event.id !== this.schedule) return;
    if (event.action === 'deleted') {
      this.post({ type: 'deleted' });
      return;
    }
    const schedule = event.data as unknown as Schedule | null;
    if (schedule) this.show(schedule);
    void this.loadRuns();
  }

  /** The view's actions this feed answers; false for the host's own (delete, openResource). */
  act(action: ScheduleViewAction): boolean {
    const params = { params: { id: this.scheduleId ?? this.schedule } };
    switch (action.action) {
      case 'pause':
        void this.answer(this.client.api.pauseSchedule(params));
        return true;
      case 'resume':
        void this.answer(this.client.api.resumeSchedule(params));
        return true;
      case 'runNow':
        // the run comes back as the schedule's next event; the history is read again then
        void this.client.api
          .runSchedule(params)
          .then(() => this.loadRuns())
          .catch((error: Error) => this.fail(error));
        return true;
      default:
        return false;
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    try {
      const schedule = await this.client.api.getSchedule({ params: { id: this.schedule } });
      this.show(schedule);
      await this.loadRuns();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async answer(request: Promise<Schedule>): Promise<void> {
    try {
      this.show(await request);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private show(schedule: Schedule): void {
    if (this.disposed) return;
    this.scheduleId = schedule.id;
    this.post({ type: 'schedule', schedule });
  }

  private async loadRuns(): Promise<void> {
    const asked = ++this.runsAsked;
    try {
      const list = await this.client.api.listScheduleRuns({
        params: { id: this.scheduleId ?? this.schedule },
        query: { limit: SCHEDULE_RUNS_SHOWN },
      });
      if (!this.disposed && asked === this.runsAsked) this.post({ type: 'runs', runs: list.items });
    } catch (error) {
      if (asked === this.runsAsked) this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    if (!this.disposed) this.post({ type: 'error', message: error.message });
  }
}
