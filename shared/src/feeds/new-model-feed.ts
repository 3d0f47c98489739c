import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { RecipeTrain } from '../schemas/recipes.js';
import { PREVIEW_ROWS } from './dataset-feed.js';
import type { NewModelViewAction, NewModelViewMessage } from './protocol.js';

/** Datasets listed at most (the bridge's list limit). */
const DATASETS_LIMIT = 1000;

/**
 * What the "New model (no code)" view needs from the bridge: the built-in recipes (its cards)
 * and the datasets, a version's preview when one is picked, and the recipe training it asks
 * for. DOM-free, like the other feeds: JupyterLab runs it in the page, VS Code in the
 * extension host with the view in a webview. Upload and cancel are the host's.
 */
export class NewModelFeed {
  private disposed = false;
  /** the preview asked for last: an older answer arriving later is dropped */
  private wanted: string | null = null;

  constructor(
    private readonly client: EmkitClient,
    private readonly post: (message: NewModelViewMessage) => void,
  ) {}

  start(): void {
    void this.loadRecipes();
    void this.reloadDatasets();
  }

  /** The view's actions this feed answers; false for the host's own (upload, cancel). */
  act(action: NewModelViewAction): boolean {
    if (action.action === 'selectDataset') {
      void this.preview(action.ref);
      return true;
    }
    if (action.action === 'train') {
      void this.train(action.recipe, action.body);
      return true;
    }
    return false;
  }

  /** Lists the datasets again; `select` (name:version), e.g. one just uploaded, is picked in the view. */
  async reloadDatasets(select?: string): Promise<void> {
    try {
      const list = await this.client.api.listDatasets({ query: { limit: DATASETS_LIMIT } });
      if (!this.disposed) this.post({ type: 'datasets', datasets: list.items, ...(select ? { select } : {}) });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  handleEvent(event: ResourceEvent): void {
    // a dataset made, changed or deleted elsewhere shows up in the list
    if (!this.disposed && event.resource === 'datasets') void this.reloadDatasets();
  }

  dispose(): void {
    this.disposed = true;
  }

  private async loadRecipes(): Promise<void> {
    try {
      const list = await this.client.api.listRecipes({ query: { limit: DATASETS_LIMIT } });
      if (!this.disposed) this.post({ type: 'recipes', recipes: list.items.filter((r) => r.builtin) });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async preview(ref: string): Promise<void> {
    this.wanted = ref;
    const [name = '', versionText] = ref.split(':');
    try {
      const dataset = await this.client.api.getDataset({ params: { id: name } });
      const version = versionText ? Number(versionText) : dataset.latest.version;
      const preview = await this.client.api.previewDataset({ params: { id: name }, query: { version, rows: PREVIEW_ROWS } });
      if (!this.disposed && this.wanted === ref) this.post({ type: 'preview', ref, dataset, preview });
    } catch (error) {
      if (this.wanted === ref) this.fail(error as Error);
    }
  }

  private async train(recipe: string, body: RecipeTrain): Promise<void> {
    try {
      const training = await this.client.api.trainRecipe({ params: { id: recipe }, body });
      if (!this.disposed) this.post({ type: 'started', training });
    } catch (error) {
      if (this.disposed) return;
      const field = error instanceof ApiError ? error.field : undefined;
      this.post({ type: 'trainError', message: (error as Error).message, ...(field ? { field } : {}) });
    }
  }

  private fail(error: Error): void {
    if (!this.disposed) this.post({ type: 'error', message: error.message });
  }
}
