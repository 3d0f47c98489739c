import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { ScheduleCreate } from '../schemas/schedules.js';
import { scheduleDraft } from '../workflows/schedule-draft.js';
import type { ScheduleLocale } from '../workflows/schedule-words.js';
import type { ScheduleEditorAction, ScheduleEditorMessage, ScheduleOrigin } from './protocol.js';

/** Items of each list the editor's pickers offer at most (the bridge's list limit). */
const LIST_LIMIT = 1000;

/**
 * What the schedule editor needs from the bridge: the lists its pickers offer and the draft made
 * from where it was opened (`scheduleDraft`), the next due times of the timing being typed
 * (`POST /schedules/preview`, whose 400 says why an expression is invalid), and the create.
 * DOM-free, like the other feeds; cancel is the host's.
 */
export class ScheduleEditorFeed {
  private disposed = false;

  constructor(
    private readonly client: EmkitClient,
    private readonly origin: ScheduleOrigin,
    private readonly locale: ScheduleLocale,
    private readonly post: (message: ScheduleEditorMessage) => void,
  ) {}

  start(): void {
    void this.init();
  }

  /** The view's actions this feed answers (preview, save); false for the host's own (cancel). */
  act(action: ScheduleEditorAction): boolean {
    if (action.action === 'preview') {
      void this.preview(action);
      return true;
    }
    if (action.action === 'save') {
      void this.save(action.body);
      return true;
    }
    return false;
  }

  /** The lists are read once, when the editor opens: nothing to follow (the hosts call every feed the same way). */
  handleEvent(_event: ResourceEvent): void {}

  dispose(): void {
    this.disposed = true;
  }

  private async init(): Promise<void> {
    try {
      const query = { query: { limit: LIST_LIMIT } };
      const [trainings, recipes, models, datasets] = await Promise.all([
        this.client.api.listTrainings(query),
        this.client.api.listRecipes(query),
        this.client.api.listModels(query),
        this.client.api.listDatasets(query),
      ]);
      const lists = { trainings: trainings.items, recipes: recipes.items, models: models.items };
      const { draft, note, noteArg } = scheduleDraft(this.origin, lists);
      if (this.disposed) return;
      this.post({
        type: 'init',
        draft,
        note,
        ...(noteArg ? { noteArg } : {}),
        trainings: trainings.items,
        recipes: recipes.items,
        models: models.items,
        datasets: datasets.items,
        locale: this.locale,
      });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async preview(action: ScheduleEditorAction & { action: 'preview' }): Promise<void> {
    const { requestId, cron, timezone, every } = action;
    const body = every ? { every } : { ...(cron ? { cron } : {}), ...(timezone ? { timezone } : {}) };
    try {
      const answer = await this.client.api.previewSchedule({ body });
      if (!this.disposed) this.post({ type: 'preview', requestId, nextRuns: answer.nextRuns });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'previewError', requestId, message: (error as Error).message });
    }
  }

  private async save(body: ScheduleCreate): Promise<void> {
    try {
      const schedule = await this.client.api.createSchedule({ body });
      if (!this.disposed) this.post({ type: 'saved', schedule });
    } catch (error) {
      if (this.disposed) return;
      const field = error instanceof ApiError ? error.field : undefined;
      this.post({ type: 'saveError', message: (error as Error).message, ...(field ? { field } : {}) });
    }
  }
}
