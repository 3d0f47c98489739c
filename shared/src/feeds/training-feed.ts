import type { EmkitClient } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import type { WebSocketFactory, WebSocketLike } from '../api/events.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { MetricsEventData } from '../schemas/metrics.js';
import type { UsageEventData } from '../schemas/monitoring.js';
import type { LogStreamMessage, Training } from '../schemas/trainings.js';
import { isSettled, trainingStates } from '../states.js';
import { ModelCaller } from './model-caller.js';
import type { TrainingViewAction, TrainingViewMessage } from './protocol.js';

const RECONNECT_MS = 1000;

/**
 * Everything a training view shows, from the bridge: the training, its metrics, files and
 * its processes' resource usage once, then live (new sampling rounds from `usage` events) — rank 0's log over its WebSocket (resuming from the last byte after a
 * drop), and the training's changes and new metric points from the host's event stream,
 * which the host passes to `handleEvent`. A no-code training ends with its model's holdout
 * evaluation (followed until it settles) and the quick test of that model (`act`).
 */
export class TrainingFeed {
  private socket: WebSocketLike | null = null;
  private offset = 0;
  private logEnded = false;
  private disposed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly WebSocketImpl: WebSocketFactory | undefined;
  private settled = false;
  /** the holdout evaluation shown (a no-code training's `evaluation`) */
  private evaluationId: string | null = null;
  private readonly caller: ModelCaller;

  constructor(
    private readonly client: EmkitClient,
    readonly trainingId: string,
    private readonly post: (message: TrainingViewMessage) => void,
    options: { WebSocket?: WebSocketFactory } = {},
  ) {
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
    this.caller = new ModelCaller(client);
  }

  start(): void {
    void this.load();
    this.openLog();
  }

  /** The view's actions this feed answers (the quick test, the threshold); false for the host's own. */
  act(action: TrainingViewAction): boolean {
    if (action.action === 'predict') {
      void this.predict(action);
      return true;
    }
    if (action.action === 'threshold') {
      void this.threshold(action.requestId, action.evaluationId, action.threshold);
      return true;
    }
    return false;
  }

  /** The quick test of the training's model: the view's `predict` action, answered with `prediction` or `predictionError`. */
  async predict(action: TrainingViewAction & { action: 'predict' }): Promise<void> {
    const { requestId } = action;
    try {
      const prediction = await this.caller.predict(action.modelId, action.input);
      if (!this.disposed) this.post({ type: 'prediction', requestId, prediction });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'predictionError', requestId, message: (error as Error).message });
    }
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed) return;
    // 'evaluations' joins the event resources with the evaluations API
    if ((event.resource as string) === 'evaluations') {
      if (event.id === this.evaluationId) void this.loadEvaluation();
      return;
    }
    if (event.resource !== 'trainings' || event.id !== this.trainingId) return;
    if (event.action === 'metrics') {
      const data = event.data as unknown as MetricsEventData;
      if (data.points.length) this.post({ type: 'metricPoints', points: data.points });
      return;
    }
    if (event.action === 'usage') {
      this.post({ type: 'usageRound', data: event.data as unknown as UsageEventData });
      return;
    }
    if (event.action === 'updated' || event.action === 'finished' || event.action === 'created') {
      const training = event.data as unknown as Training | null;
      if (!training) return;
      this.post({ type: 'training', training });
      this.followEvaluation(training);
      // the files are final once it has settled (the executed notebook, the model)
      if (!this.settled && isSettled(trainingStates, training.state)) {
        this.settled = true;
        void this.loadFiles();
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }

  private async load(): Promise<void> {
    try {
      const training = await this.client.api.getTraining({ params: { id: this.trainingId } });
      if (this.disposed) return;
      this.post({ type: 'training', training });
      this.settled = isSettled(trainingStates, training.state);
      this.followEvaluation(training);
      const metrics = await this.client.api.getTrainingMetrics({ params: { id: this.trainingId }, query: {} });
      if (this.disposed) return;
      this.post({ type: 'metrics', series: metrics.series });
      await Promise.all([this.loadFiles(), this.loadUsage()]);
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** A training that has (or now got) a holdout evaluation: it is read and shown. */
  private followEvaluation(training: Training): void {
    if (!training.evaluation || training.evaluation === this.evaluationId) return;
    this.evaluationId = training.evaluation;
    void this.loadEvaluation();
  }

  private async loadEvaluation(): Promise<void> {
    const id = this.evaluationId;
    if (!id) return;
    try {
      const evaluation = await this.client.api.getEvaluation({ params: { id }, query: {} });
      if (!this.disposed && id === this.evaluationId) this.post({ type: 'evaluation', evaluation });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async threshold(requestId: number, evaluationId: string, threshold: number): Promise<void> {
    try {
      const evaluation = await this.client.api.getEvaluation({ params: { id: evaluationId }, query: { threshold } });
      if (!this.disposed && evaluation.atThreshold) this.post({ type: 'threshold', requestId, figures: evaluation.atThreshold });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  /** Its ranks' CPU and memory as stored; a bridge without the route (404) has none to show. */
  private async loadUsage(): Promise<void> {
    try {
      const usage = await this.client.api.getTrainingResources({ params: { id: this.trainingId }, query: {} });
      if (!this.disposed) this.post({ type: 'usage', usage });
    } catch (error) {
      if (!this.disposed && !(error instanceof ApiError && error.status === 404))
        this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private async loadFiles(): Promise<void> {
    try {
      const files = await this.client.api.listTrainingFiles({ params: { id: this.trainingId } });
      if (!this.disposed) this.post({ type: 'files', files: files.items });
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
    }
  }

  private openLog(): void {
    if (this.disposed || this.logEnded || !this.WebSocketImpl) return;
    const socket = new this.WebSocketImpl(
      this.client.trainingLogUrl(this.trainingId, 0, this.offset),
      this.client.socketProtocols(),
    );
    this.socket = socket;
    socket.onmessage = (message) => {
      const data: LogStreamMessage = JSON.parse(String(message.data));
      if (data.type === 'chunk') {
        // a reconnection asks from the last offset, so nothing repeats and nothing is lost
        if (data.offset !== this.offset) return;
        this.offset = data.nextOffset;
        if (data.text) this.post({ type: 'log', text: data.text });
      } else {
        this.logEnded = true;
        socket.close();
      }
    };
    socket.onerror = () => undefined;
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (!this.disposed && !this.logEnded) this.timer = setTimeout(() => this.openLog(), RECONNECT_MS);
    };
  }
}
