import {
  BatchFeed,
  type BatchViewAction,
  type EmkitClient,
  type Schedule,
  type ScheduleEditorAction,
  ScheduleEditorFeed,
  ScheduleFeed,
  type ScheduleLocale,
  type ScheduleOrigin,
  type ScheduleViewAction,
  type Translate,
} from '@emkit/shared';
import { BatchView, ScheduleEditor, ScheduleView } from '@emkit/shared/views';
import type { BridgeConnection } from '../connection/connection.js';
import { DetailWidget } from './detail-widgets.js';

/** A batch scoring job: live progress, input → output, bad items, log; Stop is the feed's, the rest the host's. */
export class BatchWidget extends DetailWidget<BatchFeed> {
  readonly view: BatchView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    batchId: string,
    t: Translate,
    act: (a: BatchViewAction) => void,
  ) {
    super(connection, `emkit-batch-${batchId}`);
    const feed = new BatchFeed(client, batchId, (message) => this.view.handle(message));
    this.view = new BatchView(this.node, { t, act: (action) => feed.act(action) || act(action) });
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

/** A schedule: when, its next runs, its steps, its history; pause/resume/run now are the feed's. */
export class ScheduleWidget extends DetailWidget<ScheduleFeed> {
  readonly view: ScheduleView;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    scheduleId: string,
    t: Translate,
    locale: ScheduleLocale,
    act: (a: ScheduleViewAction) => void,
  ) {
    super(connection, `emkit-schedule-${scheduleId}`);
    const feed = new ScheduleFeed(client, scheduleId, (message) => this.view.handle(message));
    this.view = new ScheduleView(this.node, { t, locale, act: (action) => feed.act(action) || act(action) });
    this.startFeed(feed);
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}

/** The schedule editor with its cron helper; the host gets cancel and the schedule once saved. */
export class ScheduleEditorWidget extends DetailWidget<ScheduleEditorFeed> {
  readonly view: ScheduleEditor;

  constructor(
    connection: BridgeConnection,
    client: EmkitClient,
    origin: ScheduleOrigin,
    t: Translate,
    locale: ScheduleLocale,
    host: { cancel: () => void; saved: (schedule: Schedule) => void },
  ) {
    super(connection, 'emkit-schedule-editor');
    const feed = new ScheduleEditorFeed(client, origin, locale, (message) => {
      this.view.handle(message);
      if (message.type === 'saved') host.saved(message.schedule);
    });
    const act = (action: ScheduleEditorAction) => {
      if (!feed.act(action)) host.cancel();
    };
    this.view = new ScheduleEditor(this.node, { t, act });
    this.startFeed(feed);
  }

  override dispose(): void {
    this.view.dispose();
    super.dispose();
  }
}
