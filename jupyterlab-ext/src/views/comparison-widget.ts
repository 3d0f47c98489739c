import { ComparisonFeed, type ComparisonViewAction, type EmkitClient, type Translate } from '@emkit/shared';
import { ComparisonView } from '@emkit/shared/views';
import type { BridgeConnection } from '../connection/connection.js';
import { DetailWidget } from './detail-widgets.js';

/** An experiment's comparison table in a Lumino widget, refreshed from the connection's events while it is open. */
export class ComparisonWidget extends DetailWidget<ComparisonFeed> {
  readonly view: ComparisonView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    readonly experimentId: string,
    t: Translate,
    act: (action: ComparisonViewAction) => void,
  ) {
    super(connection, `emkit-comparison-${experimentId}`);
    this.view = new ComparisonView(this.node, { t, act });
    this.startFeed(new ComparisonFeed(client, experimentId, (message) => this.view.handle(message)));
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}
