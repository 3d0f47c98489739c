/** setTimeout's longest wait (about 24.8 days); a farther due time is waited for in legs. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * One timer, set for the nearest due time of all schedules (not a poll every second): when it goes off, `fire`
 * handles whatever is due by then and the timer is set again. Any change to a schedule re-arms it.
 */
export class ScheduleClock {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    /** the nearest due time of an ACTIVE schedule, or null */
    private readonly nearest: () => Date | null,
    /** handle everything due at or before `at` (and move each one's next due time on) */
    private readonly fire: (at: Date) => void,
  ) {}

  arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const next = this.nearest();
    if (!next) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, next.getTime() - Date.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fire(new Date());
      this.arm();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
