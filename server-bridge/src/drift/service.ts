import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DriftQuery, DriftSettings, DriftWindow, EndpointDrift, FeatureDrift, StageDrift } from '@emkit/shared';
import type { Logger } from 'pino';
import type { DatasetResolver } from '../datasets/resolve.js';
import type { StageRuntime } from '../endpoints/routing.js';
import { HttpError, notFound } from '../server/errors.js';
import type { StoredDriftWindow } from '../store/drift.js';
import type { EndpointRecord, StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import { type ModelInputs, modelInputs } from './inputs.js';
import { DriftProcess } from './process.js';
import { type ReferenceTable, referenceTable, trainingTable } from './reference.js';
import { referencePredictions } from './reference-predictions.js';
import { missedWindows, type WindowBounds, windowAt, windowMs } from './windows.js';

export interface DriftServiceOptions {
  python: string;
  emkitImportPath: string;
  home: string;
  /** the payload log's SQLite file (Store.payloadLogFile): the drift process reads it, read-only */
  db: string;
  /** where each stage's reference summary, sample and predictions are kept */
  cacheRoot: string;
  datasets: DatasetResolver;
  /** a stage's live workers, to ask for the model's predictions on the reference */
  stageRuntime: (endpointName: string, stageName: string) => StageRuntime | undefined;
  /** writes the payload log's pending rows, so a window reads every answered call */
  flushPayloads?: () => Promise<void>;
  log: Logger;
  /** how often closed windows are looked for (ms, default 10 s) */
  pollMs?: number;
  /** a reference file larger than this is refused (default 512 MiB) */
  referenceMaxBytes?: number;
  /** the input columns a model declares in itself (DeclaredInputs.of) */
  declaredInputs?: (modelId: string) => Promise<string[] | undefined>;
}

/** What the drift process answers for one window. */
interface WindowAnswer {
  reference: NonNullable<EndpointDrift['reference']>;
  count: number;
  judged: boolean;
  features: FeatureDrift[];
  prediction: FeatureDrift | null;
}

/** What a stage's windows are computed against, found once and kept a while (resolving a dataset may scan it). */
interface StageReference {
  key: string;
  table: ReferenceTable | null;
  inputs: ModelInputs | undefined;
  until: number;
}

const DEFAULT_POLL_MS = 10_000;
const REFERENCE_TTL_MS = 5 * 60_000;
/** the current window is computed on demand; asked again within this, with no new payload, it is not recomputed */
const CURRENT_TTL_MS = 5_000;
const DEFAULT_REFERENCE_MAX_BYTES = 512 * 1024 * 1024;

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * Data drift of stages with a drift watch: their logged inputs, per window, against a reference
 * table (the given dataset or file, else the table their model's training used), computed by
 * `python -m emkit.drift` and stored per closed window; the current window on demand.
 * `latest` is what alert rules read.
 */
export class DriftService {
  private readonly process: DriftProcess;
  private readonly references = new Map<string, StageReference>();
  private readonly current = new Map<string, { key: string; until: number; answer: Promise<WindowAnswer> }>();
  private readonly warned = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly store: Store,
    private readonly options: DriftServiceOptions,
  ) {
    this.process = new DriftProcess({
      python: options.python,
      emkitImportPath: options.emkitImportPath,
      cwd: options.home,
      log: options.log,
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  /** Stops looking for closed windows and ends the drift process. */
  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.process.stop();
  }

  // --- reading ---------------------------------------------------------------------------

  private endpoint(key: string): EndpointRecord {
    const endpoint = this.store.endpoints.get(key);
    if (!endpoint) throw notFound('endpoint', key);
    return endpoint;
  }

  /** The stage by name, else the endpoint's default stage. */
  private findStage(endpoint: EndpointRecord, name: string | undefined): StageRecord | undefined {
    const stages = this.store.endpoints.stages(endpoint.id);
    if (name !== undefined) return stages.find((s) => s.name === name);
    return stages.find((s) => s.id === endpoint.defaultStageId) ?? stages[0];
  }

  private stage(endpoint: EndpointRecord, name: string | undefined): StageRecord {
    const stage = this.findStage(endpoint, name);
    if (!stage) throw notFound('stage', `${endpoint.name}/${name ?? '(default)'}`);
    return stage;
  }

  /** GET /endpoints/{id}/drift: the stored windows, newest `windows`, the current one (computed now) last. */
  async get(endpointKey: string, query: DriftQuery | undefined): Promise<EndpointDrift> {
    const endpoint = this.endpoint(endpointKey);
    const stage = this.stage(endpoint, query?.stage);
    const limit = query?.windows ?? 24;
    const named = (w: StoredDriftWindow): DriftWindow => ({ stage: stage.name, ...w });
    const drift = stage.drift;
    const reference = drift ? await this.reference(stage, drift) : undefined;
    if (!drift || !reference?.table) {
      return { endpointId: endpoint.id, reference: null, windows: this.store.drift.newest(stage.id, limit).map(named) };
    }
    await this.options.flushPayloads?.();
    const bounds = windowAt(Date.now(), windowMs(drift.window));
    const now = await this.currentWindow(stage, drift, reference, bounds);
    const stored = this.store.drift.newest(stage.id, limit).filter((w) => w.start !== bounds.start);
    const windows = [...stored.slice(Math.max(0, stored.length - (limit - 1))), { ...windowOf(now, bounds) }].map(named);
    return { endpointId: endpoint.id, reference: now.reference, windows };
  }

  /** For alert rules: the stage's (default: the default stage's) latest judged closed window, or null. */
  latest(endpointKey: string, stageName?: string): DriftWindow | null {
    const endpoint = this.store.endpoints.get(endpointKey);
    if (!endpoint) return null;
    const stage = this.findStage(endpoint, stageName);
    if (!stage) return null;
    const window = this.store.drift.latestJudged(stage.id);
    return window ? { stage: stage.name, ...window } : null;
  }

  // --- checking settings -----------------------------------------------------------------

  /**
   * At create and PATCH time: a drift watch's reference must be a table with the model's input
   * columns (where the model declares them, `modelInputs`): 422 naming the missing ones, or the
   * reference refused. Without a reference given, the training's table is checked the same way.
   */
  async checkSettings(modelRef: string, drift: DriftSettings | null | undefined): Promise<void> {
    if (!drift) return;
    const model = this.store.models.find(modelRef);
    if (!model) return; // the create itself answers 404 for it
    const table = drift.reference
      ? await referenceTable(this.options.datasets, drift.reference, 'drift.reference')
      : await trainingTable(this.store, this.options.datasets, model.id);
    const inputs = await this.inputs(model.id);
    if (!table || !inputs) return;
    await this.process.run('check', {
      reference: this.tableSpec(table),
      inputs: inputs.columns,
      inputsFrom: inputs.from,
    });
  }

  private inputs(modelId: string): Promise<ModelInputs | undefined> {
    const columnsOf = async (table: ReferenceTable) => {
      const answer = await this.process.run<{ columns: string[] }>('check', { reference: this.tableSpec(table) });
      return answer.columns;
    };
    return modelInputs(this.store, this.options.datasets, modelId, columnsOf, this.options.declaredInputs);
  }

  private tableSpec(table: ReferenceTable) {
    return { path: table.path, format: table.format, source: table.source, maxBytes: this.maxBytes };
  }

  private get maxBytes(): number {
    return this.options.referenceMaxBytes ?? DEFAULT_REFERENCE_MAX_BYTES;
  }

  // --- computing -------------------------------------------------------------------------

  private async reference(stage: StageRecord, drift: StageDrift): Promise<StageReference> {
    const key = `${stage.model.id}\0${drift.reference ?? ''}`;
    const known = this.references.get(stage.id);
    if (known && known.key === key && known.until > Date.now()) return known;
    const table = drift.reference
      ? await referenceTable(this.options.datasets, drift.reference, 'drift.reference')
      : ((await trainingTable(this.store, this.options.datasets, stage.model.id)) ?? null);
    const found: StageReference = {
      key,
      table,
      inputs: await this.inputs(stage.model.id),
      until: Date.now() + REFERENCE_TTL_MS,
    };
    this.references.set(stage.id, found);
    return found;
  }

  private currentWindow(
    stage: StageRecord,
    drift: StageDrift,
    reference: StageReference,
    bounds: WindowBounds,
  ): Promise<WindowAnswer> {
    const key = `${bounds.start}\0${this.store.payloads.count(stage.id)}\0${JSON.stringify(drift)}\0${reference.key}`;
    const cached = this.current.get(stage.id);
    if (cached && cached.key === key && cached.until > Date.now()) return cached.answer;
    const answer = this.compute(stage, drift, reference, bounds, false);
    this.current.set(stage.id, { key, until: Date.now() + CURRENT_TTL_MS, answer });
    answer.catch(() => this.current.delete(stage.id));
    return answer;
  }

  private async compute(
    stage: StageRecord,
    drift: StageDrift,
    reference: StageReference,
    bounds: WindowBounds,
    /** a closed window the timer computes: behind what someone waits on */
    background: boolean,
  ): Promise<WindowAnswer> {
    const table = reference.table as ReferenceTable;
    const folder = join(this.options.cacheRoot, stage.id);
    const endpoint = this.store.endpoints.get(stage.endpointId);
    let predictions: string | undefined;
    try {
      predictions = await referencePredictions({
        drift: this.process,
        folder,
        db: this.options.db,
        stage,
        reference: table,
        inputs: reference.inputs?.columns,
        key: hash(`${stage.model.id}\0${table.source}\0${table.path}`),
        runtime: endpoint ? this.options.stageRuntime(endpoint.name, stage.name) : undefined,
      });
    } catch (error) {
      // the inputs' drift doesn't wait on it: the predictions' drift is null this time
      this.warnOnce(`${stage.id}:predictions`, error, "could not get the model's predictions on the drift reference");
    }
    return this.process.run<WindowAnswer>(
      'window',
      {
        db: this.options.db,
        stageId: stage.id,
        start: bounds.start,
        end: bounds.end,
        reference: { path: table.path, format: table.format, source: table.source, cacheDir: folder, maxBytes: this.maxBytes },
        inputs: reference.inputs?.columns ?? null,
        inputsFrom: reference.inputs?.from ?? null,
        referencePredictions: predictions ?? null,
        psiThreshold: drift.psiThreshold,
        pValue: drift.pValue,
        minCount: drift.minCount,
      },
      background,
    );
  }

  /**
   * Every watched stage's closed windows, computed and stored once each: the last one as it
   * closes, and, after the bridge was down (or the stage's windows could not be computed a
   * while), the ones missed, newest first, as far back as CATCH_UP_WINDOWS windows.
   */
  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.options.flushPayloads?.();
      for (const endpoint of this.store.endpoints.list(10_000, 0).items) {
        for (const stage of this.store.endpoints.stages(endpoint.id)) {
          const drift = stage.drift;
          if (!drift || !stage.payloadLogging.enabled) continue;
          for (const bounds of missedWindows(Date.now(), windowMs(drift.window), stage.createdAt)) {
            if (this.store.drift.has(stage.id, bounds.start)) continue;
            // one that can't be computed now (its reference unreadable, say) holds the older ones
            // back until the next tick rather than failing the same way for each
            if (!(await this.close(stage, drift, bounds))) break;
          }
        }
      }
    } finally {
      this.ticking = false;
    }
  }

  /** Computes and stores one closed window; false when it could not be (told in the log once). */
  private async close(stage: StageRecord, drift: StageDrift, bounds: WindowBounds): Promise<boolean> {
    const inputs = this.store.drift.inputsBetween(stage.id, bounds.start, bounds.end);
    if (inputs < drift.minCount) {
      // too few to judge: said without asking Python (an idle stage's every window is one of these)
      const unjudged = { start: bounds.start, end: bounds.end, count: inputs, judged: false, features: [], prediction: null };
      this.store.drift.insert(stage.id, stage.endpointId, unjudged);
      return true;
    }
    try {
      const reference = await this.reference(stage, drift);
      if (!reference.table) return false;
      const answer = await this.compute(stage, drift, reference, bounds, true);
      this.store.drift.insert(stage.id, stage.endpointId, windowOf(answer, bounds));
      this.warned.delete(stage.id);
      return true;
    } catch (error) {
      this.warnOnce(stage.id, error, 'could not compute a drift window');
      return false;
    }
  }

  private warnOnce(key: string, error: unknown, what: string): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.warned.get(key) === message) return;
    this.warned.set(key, message);
    this.options.log.warn({ key, err: error instanceof HttpError ? undefined : error }, `${what}: ${message}`);
  }
}

const windowOf = (answer: WindowAnswer, bounds: WindowBounds): StoredDriftWindow => ({
  start: bounds.start,
  end: bounds.end,
  count: answer.count,
  judged: answer.judged,
  features: answer.features,
  prediction: answer.prediction,
});
