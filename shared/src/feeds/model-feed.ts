import type { EmkitClient } from '../api/client.js';
import type { Evaluation, ModelIterations } from '../schemas/evaluations.js';
import type { ResourceEvent } from '../schemas/events.js';
import { evaluationStates, isSettled } from '../states.js';
import { ModelCaller } from './model-caller.js';
import type { ModelViewAction, ModelViewMessage, QuickTestInput } from './protocol.js';

/** What the host may ask a model view to show first: a version, or an evaluation to follow (just created). */
export interface ModelFocus {
  modelId?: string;
  evaluationId?: string;
}

/** An event's data, as far as this feed reads it (evaluations and models both carry these). */
type EventData = { id?: string; name?: string; state?: string; model?: { id?: string; name?: string } } | null;

/**
 * Everything a model view shows, from the bridge: the model's versions as iterations, the
 * chosen version's latest evaluation (followed live through the host's event stream until it
 * settles), precision/recall at the threshold the slider asks for, and quick-test calls.
 * DOM-free: JupyterLab runs it in the page, VS Code in the extension host.
 */
export class ModelFeed {
  private disposed = false;
  private iterations: ModelIterations | null = null;
  private dataset: string | undefined;
  private modelId: string | null;
  private evaluationId: string | null;
  /** one read of the shown evaluation at a time; events during it ask for one more */
  private reading = false;
  private readAgain = false;
  private readonly caller: ModelCaller;

  constructor(
    private readonly client: EmkitClient,
    /** the model's name: its versions are the iterations */
    readonly modelName: string,
    private readonly post: (message: ModelViewMessage) => void,
    focus: ModelFocus = {},
  ) {
    this.modelId = focus.modelId ?? null;
    this.evaluationId = focus.evaluationId ?? null;
    this.caller = new ModelCaller(client);
  }

  start(): void {
    void this.load();
  }

  /** Shows a version or follows an evaluation now (the host opened the view again, e.g. after Evaluate…). */
  focus(focus: ModelFocus): void {
    if (focus.modelId) this.modelId = focus.modelId;
    this.evaluationId = focus.evaluationId ?? null;
    if (focus.evaluationId) void this.readEvaluation();
    else if (focus.modelId) void this.showVersion(focus.modelId);
  }

  /** The view's actions this feed answers; false for the host's own (evaluate, promote). */
  act(action: ModelViewAction): boolean {
    switch (action.action) {
      case 'selectDataset':
        this.dataset = action.sha256;
        void this.loadIterations().then(() => {
          if (this.modelId) return this.showVersion(this.modelId);
        });
        return true;
      case 'selectVersion':
        void this.showVersion(action.modelId);
        return true;
      case 'threshold':
        void this.threshold(action.requestId, action.evaluationId, action.threshold);
        return true;
      case 'predict':
        void this.predict(action.requestId, action.modelId, action.input);
        return true;
      case 'stopEvaluation':
        void this.client.api.stopEvaluation({ params: { id: action.evaluationId } }).catch((error: Error) => this.fail(error));
        return true;
      default:
        return false;
    }
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed) return;
    const data = event.data as EventData;
    // 'evaluations' joins the event resources with the evaluations API
    if ((event.resource as string) === 'evaluations') {
      const shown = event.id === this.evaluationId;
      const ofThisModel = data?.model?.name === this.modelName;
      if (!shown && !ofThisModel) return;
      if (shown) void this.readEvaluation();
      // a new evaluation of the version on show is followed from its start
      else if (event.action === 'created' && data?.model?.id === this.modelId) {
        this.evaluationId = event.id;
        void this.readEvaluation();
      }
      if (event.action === 'deleted' || (data?.state && isSettled(evaluationStates, data.state as never)))
        void this.loadIterations();
      return;
    }
    if (event.resource === 'models') {
      const known = this.iterations?.iterations.some((i) => i.modelId === event.id);
      if (data?.name === this.modelName || known) void this.loadIterations();
    }
  }

  dispose(): void {
    this.disposed = true;
  }

  private async load(): Promise<void> {
    await this.loadIterations();
    if (this.evaluationId) await this.readEvaluation();
    else {
      const lines = this.iterations?.iterations ?? [];
      // the newest version with an evaluation, else the newest version
      const chosen =
        this.modelId ?? ([...lines].reverse().find((i) => i.evaluation)?.modelId || lines[lines.length - 1]?.modelId);
      if (chosen) await this.showVersion(chosen);
    }
  }

  private async loadIterations(): Promise<void> {
    try {
      const iterations = await this.client.api.listModelEvaluations({
        params: { id: this.modelName },
        query: this.dataset ? { dataset: this.dataset } : {},
      });
      if (this.disposed) return;
      this.iterations = iterations;
      this.post({ type: 'iterations', iterations });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** A version's evaluation: the one lined up with the others, else its newest of any state. */
  private async showVersion(modelId: string): Promise<void> {
    this.modelId = modelId;
    try {
      let id = this.iterations?.iterations.find((i) => i.modelId === modelId)?.evaluation?.id;
      if (!id) {
        const newest = await this.client.api.listEvaluations({ query: { model: modelId, limit: 1 } });
        id = newest.items[0]?.id;
      }
      if (this.disposed || this.modelId !== modelId) return;
      this.evaluationId = id ?? null;
      if (id) await this.readEvaluation();
      else this.post({ type: 'evaluation', modelId, evaluation: null });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Reads the shown evaluation again; a burst of events costs one read in flight and one after. */
  private async readEvaluation(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.readAgain = false;
        const id = this.evaluationId;
        if (!id) return;
        const evaluation: Evaluation = await this.client.api.getEvaluation({ params: { id }, query: {} });
        if (this.disposed || id !== this.evaluationId) continue;
        this.modelId = evaluation.model.id;
        this.post({ type: 'evaluation', modelId: evaluation.model.id, evaluation });
      } while (this.readAgain && !this.disposed);
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.reading = false;
    }
  }

  private async threshold(requestId: number, evaluationId: string, threshold: number): Promise<void> {
    try {
      const evaluation = await this.client.api.getEvaluation({ params: { id: evaluationId }, query: { threshold } });
      if (!this.disposed && evaluation.atThreshold) this.post({ type: 'threshold', requestId, figures: evaluation.atThreshold });
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private async predict(requestId: number, modelId: string, input: QuickTestInput): Promise<void> {
    try {
      const prediction = await this.caller.predict(modelId, input);
      if (!this.disposed) this.post({ type: 'prediction', requestId, prediction });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'predictionError', requestId, message: (error as Error).message });
    }
  }

  private fail(error: Error): void {
    if (!this.disposed) this.post({ type: 'error', message: error.message });
  }
}
