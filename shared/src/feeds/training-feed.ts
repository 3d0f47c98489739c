import type { EmkitClient } from '../api/client.js';
import type { WebSocketFactory, WebSocketLike } from '../api/events.js';
import type { ResourceEvent } from '../schemas/events.js';
import type { MetricsEventData } from '../schemas/metrics.js';
import type { LogStreamMessage, Training } from '../schemas/trainings.js';
import { isSettled, trainingStates } from '../states.js';
import type { TrainingViewMessage } from './protocol.js';

const RECONNECT_MS = 1000;

/**
 * Everything a training view shows, from the bridge: the training, its metrics and files
 * once, then live — rank 0's log over its WebSocket (resuming from the last byte after a
 * drop), and the training's changes and new metric points from the host's event stream,
 * which the host passes to `handleEvent`.
 */
export class TrainingFeed {
  private socket: WebSocketLike | null = null;
  private offset = 0;
  private logEnded = false;
  private disposed = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly WebSocketImpl: WebSocketFactory | undefined;
  private settled = false;

  constructor(
    private readonly client: EmkitClient,
    readonly trainingId: string,
    private readonly post: (message: TrainingViewMessage) => void,
    options: { WebSocket?: WebSocketFactory } = {},
  ) {
    this.WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketFactory }).WebSocket;
  }

  start(): void {
    void this.load();
    this.openLog();
  }

  handleEvent(event: ResourceEvent): void {
    if (this.disposed || event.resource !== 'trainings' || event.id !== this.trainingId) return;
    if (event.action === 'metrics') {
      const data = event.data as unknown as MetricsEventData;
      if (data.points.length) this.post({ type: 'metricPoints', points: data.points });
      return;
    }
    if (event.action === 'updated' || event.action === 'finished' || event.action === 'created') {
      const training = event.data as unknown as Training | null;
      if (!training) return;
      this.post({ type: 'training', training });
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
      const metrics = await this.client.api.getTrainingMetrics({ params: { id: this.trainingId }, query: {} });
      if (this.disposed) return;
      this.post({ type: 'metrics', series: metrics.series });
      await this.loadFiles();
    } catch (error) {
      if (!this.disposed) this.post({ type: 'error', message: (error as Error).message });
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
