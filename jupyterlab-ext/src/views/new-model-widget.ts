import {
  type EmkitClient,
  type ModelType,
  NewModelFeed,
  type NewModelViewAction,
  type Training,
  type Translate,
} from '@emkit/shared';
import { NewModelView } from '@emkit/shared/views';
import type { BridgeConnection } from '../connection/connection.js';
import { DetailWidget } from './detail-widgets.js';

/**
 * "New model (no code)" in a Lumino widget: the shared view and its feed, both in the page.
 * The feed answers dataset previews and Train; the host gets upload, cancel, and the training
 * once it has started (to open its view).
 */
export class NewModelWidget extends DetailWidget<NewModelFeed> {
  readonly view: NewModelView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    t: Translate,
    host: { act: (action: NewModelViewAction) => void; started: (training: Training) => void },
  ) {
    super(connection, 'emkit-new-model');
    const feed = new NewModelFeed(client, (message) => {
      this.view.handle(message);
      if (message.type === 'started') host.started(message.training);
    });
    this.view = new NewModelView(this.node, { t, act: (action) => feed.act(action) || host.act(action) });
    this.startFeed(feed);
  }

  /** Picks a model type's card (Train Recipe… on a built-in). */
  chooseType(type: ModelType): void {
    this.view.chooseType(type);
  }

  /** Lists the datasets again and previews `select` (name:version), e.g. one just uploaded. */
  reloadDatasets(select?: string): Promise<void> {
    return this.feed?.reloadDatasets(select) ?? Promise.resolve();
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}
