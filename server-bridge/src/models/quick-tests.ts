import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { ErrorCode, Model, ModelPredict, ModelPrediction, QuickTestWorker } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { type WorkerAnswer, WorkerConnectionError } from '../endpoints/worker-client.js';
import { type Instance, WorkerPool } from '../endpoints/worker-pool.js';
import { givenInterpreter, modelInterpreter } from '../environments/interpreter.js';
import { HttpError, notFound } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { refuseInactive } from './activation.js';

export interface QuickTestOptions {
  /** the bridge's Python: versions that come from no training are tested with it */
  python: string;
  emkitImportPath: string;
  /** `<home>/logs/quick-tests`: one log per worker */
  logDir: string;
  /** the private (0700) directory of the workers' sockets */
  socketDir: string;
  /** the worker's own body limit (the bridge's inference limit) */
  maxBodyBytes: number;
  /** a model slower than this gets the caller a 504 */
  timeoutMs: number;
  /** a worker nobody has called for this long is stopped */
  idleMs: number;
  startTimeoutMs?: number;
  healthEveryMs?: number;
  log: FastifyBaseLogger;
}

/** One version's worker, from its first call until it is idle for `idleMs`. */
interface Warm {
  model: Model;
  pool: WorkerPool;
  /** settles once the worker is READY, or rejects with why it can't be */
  started: Promise<void>;
  ready: boolean;
  /** deleted, idle or the bridge stopping: no call may use it any more */
  stopped: boolean;
  startedAt: number;
  lastUsedAt: number;
  /** calls waiting for it or being answered: it isn't idle while there are any */
  calls: number;
  idleTimer: NodeJS.Timeout | null;
}

// the socket is `<key>-0.sock`: `q-` + a model id is as long as the longest name socket-dir.ts allows for
const keyOf = (model: Model) => `q-${model.id}`;
const labelOf = (model: Model) => `${model.name}:${model.version}`;

/**
 * The quick test (Azure Custom Vision's): call a model version that no endpoint serves.
 * Its first call starts one worker — the same `python -m emkit.serving` a stage runs, through
 * the same pool — which later calls reuse, until nobody has called it for `idleMs`; deleting
 * the version and stopping the bridge stop it too. Calls that come while it starts wait for
 * that one start.
 */
export class QuickTests {
  private readonly warm = new Map<string, Warm>();

  constructor(
    private readonly store: Store,
    private readonly options: QuickTestOptions,
  ) {}

  /** `{"instances", "return_scores"?}` to the version's worker; its answer, or its error as the endpoints give it. */
  async predict(ref: string, input: ModelPredict): Promise<ModelPrediction> {
    const model = this.store.models.find(ref);
    if (!model) throw notFound('model', ref);
    refuseInactive(model, 'quick-tested');
    const began = performance.now();
    let warm = this.warm.get(model.id);
    if (warm?.ready && warm.pool.readyCount() === 0) {
      // it crashed or hangs (the pool is restarting it, or gave up): a fresh one instead of a wait
      await this.stop(model.id);
      // deleted while that worker stopped: nothing to start
      if (!this.store.models.find(model.id)) throw notFound('model', ref);
      warm = undefined;
    }
    const wasUp = warm?.ready === true;
    warm ??= this.launch(model);
    warm.calls += 1;
    if (warm.idleTimer) clearTimeout(warm.idleTimer);
    let answer: WorkerAnswer;
    try {
      await warm.started;
      answer = await this.forward(warm, Buffer.from(JSON.stringify(input)));
    } finally {
      warm.calls -= 1;
      warm.lastUsedAt = Date.now();
      this.idleLater(warm);
    }
    const document = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    if (answer.status !== 200) {
      // the model's own words, with the worker's status, as an endpoint passes them on
      const error = (document.error ?? {}) as { code?: ErrorCode; message?: string; field?: string };
      throw new HttpError(answer.status, error.code ?? 'internal', error.message ?? `the worker answered ${answer.status}`);
    }
    return {
      ...(document as Pick<ModelPrediction, 'predictions' | 'scores' | 'classes'>),
      warm: wasUp,
      milliseconds: Math.round((performance.now() - began) * 1000) / 1000,
    };
  }

  /** Stop the version's worker, if it has one (the version is being deleted). */
  async stop(modelId: string): Promise<void> {
    const warm = this.warm.get(modelId);
    if (!warm) return;
    this.warm.delete(modelId);
    warm.stopped = true;
    if (warm.idleTimer) clearTimeout(warm.idleTimer);
    await warm.pool.stop();
    this.options.log.info({ model: labelOf(warm.model) }, 'quick-test worker stopped');
  }

  /** The workers kept warm now, for the bridge's status. */
  list(): QuickTestWorker[] {
    return [...this.warm.values()].map((warm) => {
      const instance = warm.pool.instances[0] as Instance;
      return {
        modelId: warm.model.id,
        model: labelOf(warm.model),
        state: instance.state,
        pid: instance.pid,
        startedAt: new Date(warm.startedAt).toISOString(),
        lastUsedAt: new Date(warm.lastUsedAt).toISOString(),
        idleUntil: new Date(warm.lastUsedAt + this.options.idleMs).toISOString(),
      };
    });
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.warm.keys()].map((id) => this.stop(id)));
  }

  /** A worker for the version, in the map at once, so calls that come while it starts share it. */
  private launch(model: Model): Warm {
    const options = this.options;
    const pool = new WorkerPool(
      {
        key: keyOf(model),
        python: modelInterpreter(this.store, model, undefined, () => givenInterpreter(options.python)).python,
        modelDir: model.artifactPath,
        framework: model.framework,
        modelName: model.name,
        instanceCount: 1,
        logDir: options.logDir,
        socketDir: options.socketDir,
        emkitImportPath: options.emkitImportPath,
        maxBodyBytes: options.maxBodyBytes,
        startTimeoutMs: options.startTimeoutMs,
        healthEveryMs: options.healthEveryMs,
      },
      (_instance, reason) => {
        if (reason) options.log.warn({ model: labelOf(model) }, `quick-test worker: ${reason}`);
      },
    );
    const now = Date.now();
    const warm: Warm = {
      model,
      pool,
      started: Promise.resolve(),
      ready: false,
      stopped: false,
      startedAt: now,
      lastUsedAt: now,
      calls: 0,
      idleTimer: null,
    };
    warm.started = (async () => {
      try {
        await mkdir(options.logDir, { recursive: true });
        await pool.start(() => {});
        warm.ready = true;
        options.log.info({ model: labelOf(model), pid: pool.instances[0]?.pid }, 'quick-test worker ready');
      } catch (error) {
        if (this.warm.get(model.id) === warm) this.warm.delete(model.id);
        await pool.stop();
        if (warm.stopped) throw stoppedMeanwhile(model);
        throw new HttpError(422, 'unprocessable', `model ${labelOf(model)} can't be loaded: ${(error as Error).message}`);
      }
    })();
    warm.started.catch(() => {}); // its callers are told; nobody else need be
    this.warm.set(model.id, warm);
    return warm;
  }

  /** One POST to the worker; a worker that closed a kept-alive connection gets a second try. */
  private async forward(warm: Warm, body: Buffer): Promise<WorkerAnswer> {
    for (let attempt = 0; ; attempt += 1) {
      const instance = warm.stopped ? undefined : warm.pool.pick();
      if (!instance?.client) {
        if (warm.stopped) throw stoppedMeanwhile(warm.model);
        throw new HttpError(503, 'not_ready', `the quick-test worker of ${labelOf(warm.model)} isn't ready; try again shortly`);
      }
      instance.inFlight += 1;
      try {
        return await instance.client.post('/predict', body, '', this.options.timeoutMs);
      } catch (error) {
        if (!(error instanceof WorkerConnectionError)) throw error;
        if (error.code === 'ETIMEDOUT') throw new HttpError(504, 'timeout', error.message);
        if (error.reused && attempt === 0) continue;
        throw new HttpError(
          503,
          'not_ready',
          `the quick-test worker of ${labelOf(warm.model)} went away while answering (${error.code}); try again`,
        );
      } finally {
        instance.inFlight -= 1;
      }
    }
  }

  private idleLater(warm: Warm): void {
    if (warm.calls > 0 || warm.stopped) return;
    if (warm.idleTimer) clearTimeout(warm.idleTimer);
    warm.idleTimer = setTimeout(() => {
      if (warm.calls === 0 && this.warm.get(warm.model.id) === warm) void this.stop(warm.model.id);
    }, this.options.idleMs);
    warm.idleTimer.unref();
  }
}

const stoppedMeanwhile = (model: Model) =>
  new HttpError(
    503,
    'not_ready',
    `the quick-test worker of ${labelOf(model)} was stopped while this call waited (the version was deleted, or the bridge is stopping)`,
  );
