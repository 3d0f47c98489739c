/**
 * The watching half of a detached run's supervision (trainings, evaluations): which runs are watched, each with
 * what its supervision keeps of it, and one timer that visits each in turn while any is watched, never two visits
 * at once. The timer doesn't hold the bridge's event loop.
 */
export class WatchLoop<W> {
  private readonly watching = new Map<string, W>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private ticks = 0;

  /** @param visit called for each watched id at each tick (numbered from 1) */
  constructor(
    private readonly visit: (id: string, tick: number) => Promise<void>,
    private readonly pollMs = 250,
  ) {}

  get(id: string): W | undefined {
    return this.watching.get(id);
  }

  /** Watch `id` (again) with `watch`, the timer started if it wasn't. */
  watch(id: string, watch: W): void {
    this.watching.set(id, watch);
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  forget(id: string): void {
    this.watching.delete(id);
  }

  ids(): string[] {
    return [...this.watching.keys()];
  }

  get size(): number {
    return this.watching.size;
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.ticks += 1;
      for (const id of this.ids()) await this.visit(id, this.ticks);
      if (this.watching.size === 0) this.shutdown();
    } finally {
      this.ticking = false;
    }
  }
}
