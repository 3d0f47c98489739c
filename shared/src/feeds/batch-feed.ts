import type { EmkitClient } from '../api/client.js';
import type { BatchInference } from '../schemas/batch-inferences.js';
import type { ResourceEvent } from '../schemas/events.js';
import { batchInferenceStates, isSettled } from '../states.js';
import { BATCH_ERRORS_SHOWN, type BatchViewAction, type BatchViewMessage } from './protocol.js';

/**
 * What a batch job's view shows, from the bridge: the job, then its changes (progress comes on
 * the `batch-inferences` events at most twice a second) and the workers' log read on from the
 * last byte after each of them — the events pace the log, so nothing polls — and the first bad
 * items (errors.jsonl) whenever their count grows. Stop is the feed's;
 * opening the output, the model and deleting are the host's. DOM-free, like the other feeds.
 */
export class BatchFeed {
  private disposed = false;
  private offset = 0;
  /** a log read under way, and whether another was asked for meanwhile: one read at a time, in order */
  private reading: Promise<void> | null = null;
  private readAgain = false;
  /** the bad items counted when the list was last read: read again only when it grows */
  private errorsRead = -1;

  constructor(
    private readonly client: EmkitClient,
    readonly batchId: string,
    private readonly post: (message: BatchViewMessage) => void,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'batch-inferences' || event.id !== this.batchId) return;
    if (event.action === 'deleted') {
      this.post({ type: 'deleted' });
      return;
    }
    // only these carry the job itself: `usage` carries its processes' samples
    if (event.action !== 'created' && event.action !== 'updated' && event.action !== 'finished') return;
    const batch = event.data as unknown as BatchInference | null;
    if (batch) this.show(batch);
    else void this.load();
  }

  /** The view's actions this feed answers (stop); false for the host's own. */
  act(action: BatchViewAction): boolean {
    if (action.action !== 'stop') return false;
    void this.client.api
      .stopBatchInference({ params: { id: this.batchId } })
      .then((batch) => this.show(batch))
      .catch((error: Error) => this.fail(error));
    return true;
  }

  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    try {
      const batch = await this.client.api.getBatchInference({ params: { id: this.batchId } });
      this.show(batch);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private show(batch: BatchInference): void {
    if (this.disposed) return;
    this.post({ type: 'batch', batch });
    this.readLog();
    // a settled job's last lines may land after the read just started: read once more after it
    if (isSettled(batchInferenceStates, batch.state)) this.readLog();
    if (batch.progress.errors !== this.errorsRead && this.errorsRead < BATCH_ERRORS_SHOWN) {
      this.errorsRead = batch.progress.errors;
      void this.readErrors();
    }
  }

  private async readErrors(): Promise<void> {
    try {
      const list = await this.client.api.listBatchInferenceErrors({
        params: { id: this.batchId },
        query: { limit: BATCH_ERRORS_SHOWN },
      });
      if (!this.disposed) this.post({ type: 'errors', items: list.items });
    } catch (error) {
      // a bridge from before the errors route has none to give: the view says there are none
      if ((error as { status?: number }).status !== 404) this.fail(error as Error);
    }
  }

  private readLog(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readLogOnce().finally(() => {
      this.reading = null;
      if (this.readAgain && !this.disposed) {
        this.readAgain = false;
        this.readLog();
      }
    });
  }

  private async readLogOnce(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.client.api.getBatchInferenceLog({
          params: { id: this.batchId },
          query: { offset: this.offset },
        });
        if (this.disposed) return;
        // a log shorter than what was read was started again: read it from the start
        const reset = chunk.size < this.offset;
        if (reset) {
          this.offset = 0;
          continue;
        }
        if (chunk.text) this.post({ type: 'log', text: chunk.text, ...(this.offset === 0 ? { reset: true } : {}) });
        const moved = chunk.nextOffset !== this.offset;
        this.offset = chunk.nextOffset;
        if (!moved || chunk.nextOffset >= chunk.size) return;
      }
    } catch (error) {
      // a job just made may have no log yet; the next event reads again
      if ((error as { status?: number }).status !== 404) this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    if (!this.disposed) this.post({ type: 'error', message: error.message });
  }
}
