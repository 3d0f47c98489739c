import type { EmkitClient } from '../api/client.js';
import type { Dataset, DatasetPreview } from '../schemas/datasets.js';
import type { ResourceEvent } from '../schemas/events.js';

export type DatasetViewMessage =
  /** the dataset as it is now, with its version numbers newest first (sent first, then on every change) */
  | { type: 'dataset'; dataset: Dataset; versions: number[] }
  /** the preview of the version shown: a table's columns and first rows, or per class its count and samples */
  | { type: 'preview'; preview: DatasetPreview }
  /** the dataset was deleted while shown */
  | { type: 'deleted' }
  /** something the feed could not load, in words */
  | { type: 'error'; message: string };

export type DatasetViewAction =
  /** preview another version (the newest is shown first) */
  { action: 'selectVersion'; version: number };

/** Rows of a table the preview shows. */
export const PREVIEW_ROWS = 20;

/**
 * What a dataset preview shows: the dataset and its newest version's preview, then again when
 * the bridge says the dataset changed (a new version: the view follows it unless another
 * version was chosen). DOM-free, like the other feeds: JupyterLab runs it in the page, VS Code
 * in the extension host with the view in a webview.
 */
export class DatasetFeed {
  private disposed = false;
  private datasetId: string | null = null;
  /** the version chosen in the view; null: the newest */
  private chosen: number | null = null;
  private shownVersion: number | null = null;

  constructor(
    private readonly client: EmkitClient,
    /** the dataset's id or name */
    readonly dataset: string,
    private readonly post: (message: DatasetViewMessage) => void,
  ) {}

  start(): void {
    void this.load();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'datasets') return;
    if (event.id !== this.datasetId && event.id !== this.dataset) return;
    if (event.action === 'deleted') {
      this.post({ type: 'deleted' });
      return;
    }
    void this.load();
  }

  /** The actions the feed answers itself; false: the host's. */
  act(action: DatasetViewAction): boolean {
    if (action.action !== 'selectVersion') return false;
    this.chosen = action.version;
    void this.loadPreview(action.version);
    return true;
  }

  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    try {
      const params = { params: { id: this.dataset } };
      const [dataset, versions] = await Promise.all([
        this.client.api.getDataset(params),
        this.client.api.listDatasetVersions({ ...params, query: { limit: 1000 } }),
      ]);
      if (this.disposed) return;
      this.datasetId = dataset.id;
      this.post({ type: 'dataset', dataset, versions: versions.items.map((v) => v.version).sort((a, b) => b - a) });
      const version = this.chosen ?? dataset.latest.version;
      if (version !== this.shownVersion) await this.loadPreview(version);
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async loadPreview(version: number): Promise<void> {
    try {
      const preview = await this.client.api.previewDataset({
        params: { id: this.dataset },
        query: { version, rows: PREVIEW_ROWS },
      });
      // an answer for a version no longer wanted is dropped
      if (this.disposed || version !== (this.chosen ?? preview.version)) return;
      this.shownVersion = preview.version;
      this.post({ type: 'preview', preview });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }
}
