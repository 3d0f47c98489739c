import type { EndpointViewAction, ModelFocus, ModelViewAction, TrainingViewAction } from '@emkit/shared';
import {
  DatasetFeed,
  type EmkitClient,
  EndpointFeed,
  ModelFeed,
  type ResourceEvent,
  TrainingFeed,
  type Translate,
} from '@emkit/shared';
import { DatasetView, EndpointView, ModelView, TrainingView } from '@emkit/shared/views';
import { Widget } from '@lumino/widgets';
import type { BridgeConnection } from '../connection/connection.js';

/**
 * A shared view (training or endpoint) in a Lumino widget: the feed runs in the page, its
 * messages go straight to the view, the bridge's events reach the feed from the one
 * connection the extension keeps. Closing the tab ends the feed and its log socket.
 */
export abstract class DetailWidget<
  Feed extends { start(): void; handleEvent(e: ResourceEvent): void; dispose(): void },
> extends Widget {
  protected feed: Feed | null = null;

  constructor(
    protected readonly connection: BridgeConnection,
    id: string,
  ) {
    super();
    this.id = id;
    this.addClass('emkit-DetailWidget');
    this.connection.event.connect(this.onEvent, this);
  }

  protected startFeed(feed: Feed): void {
    this.feed = feed;
    feed.start();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.connection.event.disconnect(this.onEvent, this);
    this.feed?.dispose();
    super.dispose();
  }

  private onEvent(_: unknown, event: ResourceEvent): void {
    this.feed?.handleEvent(event);
  }
}

export class TrainingWidget extends DetailWidget<TrainingFeed> {
  readonly view: TrainingView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    trainingId: string,
    t: Translate,
    act: (a: TrainingViewAction) => void,
  ) {
    super(connection, `emkit-training-${trainingId}`);
    const feed = new TrainingFeed(client, trainingId, (message) => this.view.handle(message));
    // the feed answers a no-code training's quick test and threshold; the rest is the host's
    this.view = new TrainingView(this.node, { t, act: (action) => feed.act(action) || act(action) });
    this.startFeed(feed);
  }

  protected override onAfterShow(): void {
    // laid out now: the charts can take their width
    this.view.flush();
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}

export class EndpointWidget extends DetailWidget<EndpointFeed> {
  readonly view: EndpointView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    endpointId: string,
    t: Translate,
    act: (a: EndpointViewAction) => void,
  ) {
    super(connection, `emkit-endpoint-${endpointId}`);
    const feed = new EndpointFeed(client, endpointId, (message) => this.view.handle(message));
    // the feed answers calls, the stage lifecycle and settings; the rest is the host's
    this.view = new EndpointView(this.node, { t, act: (action) => feed.act(action) || act(action) });
    this.startFeed(feed);
  }

  protected override onAfterShow(): void {
    this.view.flush();
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}

/** A model name's view: its versions as iterations, an evaluation in full, a quick test. */
export class ModelWidget extends DetailWidget<ModelFeed> {
  readonly view: ModelView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    name: string,
    focus: ModelFocus,
    t: Translate,
    act: (a: ModelViewAction) => void,
  ) {
    super(connection, `emkit-model-${name}`);
    const feed = new ModelFeed(client, name, (message) => this.view.handle(message), focus);
    // the feed answers what it can (versions, threshold, quick test); the rest is the host's
    this.view = new ModelView(this.node, { name, t, score: true, act: (action) => feed.act(action) || act(action) });
    this.startFeed(feed);
  }

  /** Shows a version, or follows a new evaluation, in the tab already open. */
  focus(focus: ModelFocus): void {
    this.feed?.focus(focus);
  }

  protected override onAfterShow(): void {
    this.view.flush();
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}

/** A dataset's preview: its columns and first rows, or its classes with their counts and samples. */
export class DatasetWidget extends DetailWidget<DatasetFeed> {
  readonly view: DatasetView;

  constructor(connection: BridgeConnection, client: EmkitClient, datasetId: string, name: string, t: Translate) {
    super(connection, `emkit-dataset-${datasetId}`);
    const feed = new DatasetFeed(client, datasetId, (message) => this.view.handle(message));
    this.view = new DatasetView(this.node, { name, t, act: (action) => feed.act(action) });
    this.startFeed(feed);
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}
