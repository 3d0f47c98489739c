import {
  type EmkitClient,
  type Translate,
  TuneFormFeed,
  type TuneOrigin,
  type Tuning,
  TuningFeed,
  type TuningViewAction,
} from '@emkit/shared';
import { TuneForm, TuningView } from '@emkit/shared/views';
import type { BridgeConnection } from '../connection/connection.js';
import { DetailWidget } from './detail-widgets.js';

/** A tuning: state, best trial, the objective over trials, parallel coordinates, importance, trials; stop and copy are the feed's. */
export class TuningWidget extends DetailWidget<TuningFeed> {
  readonly view: TuningView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    tuningId: string,
    t: Translate,
    host: { act: (action: TuningViewAction) => void; copied: (tuning: Tuning) => void },
  ) {
    super(connection, `emkit-tuning-${tuningId}`);
    const feed = new TuningFeed(client, tuningId, (message) => {
      this.view.handle(message);
      if (message.type === 'copied') host.copied(message.tuning);
    });
    this.view = new TuningView(this.node, { t, act: (action) => feed.act(action) || host.act(action) });
    this.startFeed(feed);
  }

  protected override onAfterShow(): void {
    // laid out now: the chart can take its width
    this.view.flush();
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}

/** The Tune form; the host gets cancel and the tuning once it started. */
export class TuneFormWidget extends DetailWidget<TuneFormFeed> {
  readonly view: TuneForm;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    origin: TuneOrigin,
    t: Translate,
    host: { cancel: () => void; started: (tuning: Tuning) => void },
  ) {
    super(connection, 'emkit-tune-form');
    const feed = new TuneFormFeed(client, origin, (message) => {
      this.view.handle(message);
      if (message.type === 'started') host.started(message.tuning);
    });
    this.view = new TuneForm(this.node, {
      t,
      act: (action) => {
        if (!feed.act(action)) host.cancel();
      },
    });
    this.startFeed(feed);
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}
