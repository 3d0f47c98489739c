import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { ExperimentComparison } from '../schemas/metrics.js';

export type ComparisonViewMessage =
  /** the experiment's trainings side by side as they are now (sent first, then after every change) */
  { type: 'comparison'; comparison: ExperimentComparison } | { type: 'error'; message: string };

export type ComparisonViewAction =
  /** a row was clicked: the host opens that training's own view */
  { action: 'openTraining'; id: string; name: string };

/** How long after a change the comparison is read again, so a burst of metric points costs one read. */
export const COMPARISON_REFRESH_MS = 1000;

/**
 * What a comparison view shows: the experiment's comparison once, then again after any of its
 * trainings is created, changes, finishes, is deleted or logs new metric points (from the
 * host's event stream, passed to `handleEvent`). Reads are coalesced: at most one in flight,
 * one more after it when something changed meanwhile.
 */
export class ComparisonFeed {
  private disposed = false;
  private experimentId: string | null = null;
  private trainingIds = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private loading = false;
  private again = false;

  constructor(
    private readonly client: EmkitClient,
    /** the experiment's id or name */
    readonly experiment: string,
    private readonly post: (message: ComparisonViewMessage) => void,
    private readonly refreshMs: number = COMPARISON_REFRESH_MS,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'trainings' || !this.concerns(event)) return;
    this.refreshSoon();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** A training of this experiment: one listed already, or one whose data names the experiment. */
  private concerns(event: ResourceEvent): boolean {
    // before the first answer it isn't known which are: read once more to be sure
    if (this.experimentId === null || this.trainingIds.has(event.id)) return true;
    const experimentId = (event.data as { experimentId?: unknown } | null)?.experimentId;
    return experimentId !== undefined && experimentId === this.experimentId;
  }

  private refreshSoon(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, this.refreshMs);
  }

  private async load(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    try {
      const comparison = await this.client.api.compareExperiment({ params: { id: this.experiment } });
      if (this.disposed) return;
      this.experimentId = comparison.experimentId;
      this.trainingIds = new Set(comparison.trainings.map((t) => t.id));
      this.post({ type: 'comparison', comparison });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    } finally {
      this.loading = false;
      if (this.again && !this.disposed) {
        this.again = false;
        this.refreshSoon();
      }
    }
  }
}
