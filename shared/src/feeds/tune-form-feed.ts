import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { Training, TrainingCreate } from '../schemas/trainings.js';
import type { TuningCreate } from '../schemas/tunings.js';
import { type ParameterLiteral, spaceFromParameters } from '../tuning/space-spec.js';
import { nameFromFile } from '../workflows/names.js';
import { trainingFile } from '../workflows/schedule-draft.js';
import type { TuneFormAction, TuneFormMessage, TuneOrigin } from './protocol.js';

/** Items of each list the form's pickers offer at most (the bridge's list limit). */
const LIST_LIMIT = 1000;
/** A hyperparameter's text that reads as a number or a bool. */
const LITERAL = /^(?:true|false|True|False|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/;
/** A tuning's name is a resource name (at most 50): room for the suffix. */
const NAME_ROOM = 44;

/**
 * What the Tune form needs from the bridge: the experiments and clusters its pickers offer, the
 * space pre-filled from where it was opened (the notebook's parameters cell, or a training's
 * hyperparameters), the tags that file's last training logged (the metric box's suggestions), and
 * the create. DOM-free, like the other feeds; cancel is the host's.
 */
export class TuneFormFeed {
  private disposed = false;

  constructor(
    private readonly client: EmkitClient,
    private readonly origin: TuneOrigin,
    private readonly post: (message: TuneFormMessage) => void,
  ) {}

  start(): void {
    void this.init();
  }

  /** The view's actions this feed answers (start); false for the host's own (cancel). */
  act(action: TuneFormAction): boolean {
    if (action.action !== 'start') return false;
    void this.create(action.body);
    return true;
  }

  /** The lists are read once, when the form opens (the hosts call every feed the same way). */
  handleEvent(_event: ResourceEvent): void {}

  dispose(): void {
    this.disposed = true;
  }

  private async init(): Promise<void> {
    try {
      const query = { query: { limit: LIST_LIMIT } };
      const [experiments, clusters, trainings] = await Promise.all([
        this.client.api.listExperiments(query),
        this.client.api.listClusters(query),
        this.client.api.listTrainings(query),
      ]);
      const origin = this.origin;
      let source: TrainingCreate['source'];
      let literals: ParameterLiteral[];
      let name: string;
      let last: Training | undefined;
      let ranOn: string | null | undefined;
      if (origin.kind === 'notebook') {
        source = { path: origin.path };
        literals = origin.parameters;
        name = nameFromFile(origin.path);
        // newest first: the file's last training
        last = trainings.items.find((training) => trainingFile(training) === origin.path);
      } else {
        last = await this.client.api.getTraining({ params: { id: origin.training } });
        source = { path: last.source.path, entryPoint: last.source.entryPoint };
        // a training's values are the text its `--key value` got: a number or a bool is typed, the rest is text
        literals = Object.entries(last.hyperparameters).map(([name, value]) => ({
          name,
          value,
          quoted: !LITERAL.test(value.trim()),
        }));
        name = last.name;
        ranOn = last.cluster;
      }
      const metrics = last ? await this.tags(last.id) : [];
      if (this.disposed) return;
      this.post({
        type: 'init',
        name: `${name.slice(0, NAME_ROOM).replace(/[-_]+$/, '')}-tune`,
        source,
        parameters: Object.fromEntries(literals.map((p) => [p.name, p.value])),
        space: spaceFromParameters(literals),
        metrics,
        experiments: experiments.items.map((e) => e.name),
        experiment: last?.experimentName ?? null,
        clusters: clusters.items,
        ...(ranOn !== undefined ? { ranOn } : {}),
      });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** The tags a training logged; none when its metrics can't be read (the box is then typed in). */
  private async tags(trainingId: string): Promise<string[]> {
    try {
      const metrics = await this.client.api.getTrainingMetrics({ params: { id: trainingId }, query: { maxPoints: 2 } });
      return metrics.series.map((s) => s.tag).sort();
    } catch {
      return [];
    }
  }

  private async create(body: TuningCreate): Promise<void> {
    try {
      const tuning = await this.client.api.createTuning({ body });
      if (!this.disposed) this.post({ type: 'started', tuning });
    } catch (error) {
      if (this.disposed) return;
      const field = error instanceof ApiError ? error.field : undefined;
      this.post({ type: 'startError', message: (error as Error).message, ...(field ? { field } : {}) });
    }
  }
}
