import type { EmkitClient } from '../api/client.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { Tuning, TuningTrial } from '../schemas/tunings.js';
import type { TuningViewAction, TuningViewMessage } from './protocol.js';

/**
 * What a tuning's view shows, from the bridge: the tuning and all its trials, then their changes
 * as the `tunings` events bring them (the tuning on created/updated/finished, one trial on
 * `trial`), so nothing polls. Stop and Copy are the feed's; "Create model" and opening a trial's
 * training are the host's. DOM-free, like the other feeds.
 */
export class TuningFeed {
  private disposed = false;

  constructor(
    private readonly client: EmkitClient,
    readonly tuningId: string,
    private readonly post: (message: TuningViewMessage) => void,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'tunings' || event.id !== this.tuningId) return;
    if (event.action === 'deleted') {
      this.post({ type: 'deleted' });
      return;
    }
    if (event.action === 'trial') {
      if (event.data) this.post({ type: 'trial', trial: event.data as unknown as TuningTrial });
      else void this.load();
      return;
    }
    if (event.action !== 'created' && event.action !== 'updated' && event.action !== 'finished') return;
    if (event.data) this.post({ type: 'tuning', tuning: event.data as unknown as Tuning });
    else void this.load();
  }

  /** The view's actions this feed answers (stop, copy); false for the host's own. */
  act(action: TuningViewAction): boolean {
    const id = this.tuningId;
    if (action.action === 'stop') {
      void this.client.api
        .stopTuning({ params: { id } })
        .then((tuning) => this.show(tuning))
        .catch((error: Error) => this.fail(error));
      return true;
    }
    if (action.action === 'copy') {
      void this.client.api
        .copyTuning({ params: { id }, body: {} })
        .then((tuning) => {
          if (!this.disposed) this.post({ type: 'copied', tuning });
        })
        .catch((error: Error) => this.fail(error));
      return true;
    }
    return false;
  }

  dispose(): void {
    this.disposed = true;
  }

  /** The tuning, then all its trials; an event whose data is missing reads both again. */
  private async load(): Promise<void> {
    try {
      const tuning = await this.client.api.getTuning({ params: { id: this.tuningId } });
      this.show(tuning);
      const trials = await this.client.api.listTuningTrials({ params: { id: this.tuningId }, query: {} });
      if (!this.disposed) this.post({ type: 'trials', trials: trials.items });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private show(tuning: Tuning): void {
    if (!this.disposed) this.post({ type: 'tuning', tuning });
  }

  private fail(error: Error): void {
    if (!this.disposed) this.post({ type: 'error', message: error.message });
  }
}
