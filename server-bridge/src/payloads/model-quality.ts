import { type EndpointModelQuality, ModelQualityQuery, type ModelQualityWindow } from '@emkit/shared';
import { HttpError } from '../server/errors.js';
import type { StageRecord } from '../store/endpoints.js';
import type { Store } from '../store/index.js';
import { guessTask, QUALITY_METRICS, type QualityTask, qualityOf } from './quality-metrics.js';
import type { PayloadService } from './service.js';
import { recentWindows, windowMs } from './windows.js';

const DEFAULTS = {
  window: ModelQualityQuery.properties.window.default as string,
  windows: ModelQualityQuery.properties.windows.default as number,
};

/** The evaluation's headline figures under the names the windows use. */
const BASELINE_NAMES: Record<QualityTask, Record<string, string>> = {
  classification: { accuracy: 'accuracy', f1: 'macroF1' },
  regression: { mae: 'mae', rmse: 'rmse' },
};

const ALL_METRICS = [...QUALITY_METRICS.classification, ...QUALITY_METRICS.regression];

/** What an alert rule reads: one metric of the newest window with feedback. */
export interface QualityReading {
  value: number;
  count: number;
  stage: string | null;
  start: string;
  end: string;
  /** the same metric of the model version's evaluation, if it has one */
  baseline: number | null;
}

interface Baseline {
  evaluationId: string;
  task: QualityTask | null;
  figures: Record<string, number | null>;
}

/**
 * Rolling accuracy / F1 (classification) or MAE / RMSE (regression) per window, from the labels
 * sent back, beside the model version's latest COMPLETE evaluation (its baseline). Windows go by
 * when the prediction was made; the task is the evaluation's, else guessed from the labels.
 */
export class ModelQualityService {
  constructor(
    private readonly store: Store,
    private readonly payloads: PayloadService,
  ) {}

  get(key: string, query: ModelQualityQuery | undefined, now = Date.now()): EndpointModelQuality {
    const endpoint = this.payloads.endpoint(key);
    const stages = this.stagesOf(endpoint.id, query?.stage, endpoint.name);
    const width = windowMs(query?.window ?? DEFAULTS.window);
    const bounds = recentWindows(width, query?.windows ?? DEFAULTS.windows, now);
    const baseline = this.baselineOf(this.mainStage(endpoint, stages));
    const first = bounds[0] as { start: number };
    const labelled = new Map(
      stages.map((s) => [
        s,
        this.store.feedback.between(s.id, new Date(first.start).toISOString(), new Date(now + width).toISOString()),
      ]),
    );
    const task = baseline?.task ?? guessTask([...labelled.values()].flat());
    const windows: ModelQualityWindow[] = [];
    for (const { start, end } of bounds) {
      const [from, to] = [new Date(start).toISOString(), new Date(end).toISOString()];
      for (const stage of stages) {
        const inWindow = (labelled.get(stage) ?? []).filter((p) => p.time >= from && p.time < to);
        const { count, metrics } = qualityOf(task, inWindow);
        if (count > 0) windows.push({ stage: stage.name, start: from, end: to, count, metrics });
      }
    }
    const anyLabels = [...labelled.values()].some((l) => l.length > 0);
    return {
      endpointId: endpoint.id,
      task: baseline?.task ?? (anyLabels ? task : null),
      baseline: baseline ? { evaluationId: baseline.evaluationId, metrics: baselineMetrics(baseline, task) } : null,
      unmatchedFeedback: this.store.feedback.unmatched(endpoint.id),
      windows,
    };
  }

  /**
   * For alert rules: `metric` (accuracy, f1, mae, rmse) of the newest window with feedback, the
   * named stage's or all stages' together; null while there is none (or the task has no such metric).
   */
  latest(endpointKey: string, stage: string | undefined, metric: string, window = DEFAULTS.window): QualityReading | null {
    const endpoint = this.store.endpoints.get(endpointKey);
    if (!endpoint) return null;
    const stages = this.store.endpoints.stages(endpoint.id).filter((s) => stage === undefined || s.name === stage);
    if (stages.length === 0) return null;
    const baseline = this.baselineOf(this.mainStage(endpoint, stages));
    const newest = this.newestWindow(stages, windowMs(window));
    if (!newest) return null;
    const { start, end, labelled } = newest;
    const task = baseline?.task ?? guessTask(labelled);
    const { count, metrics } = qualityOf(task, labelled);
    const value = metrics[metric];
    if (value === undefined || count === 0) return null;
    return {
      value,
      count,
      stage: stage ?? null,
      start,
      end,
      baseline: baseline ? (baselineMetrics(baseline, task)[metric] ?? null) : null,
    };
  }

  /**
   * The metrics `latest` can answer for an endpoint (a rule checks its `metric` against them):
   * its task's, from the model version's evaluation or the labels so far; all four while unknown.
   */
  metricNames(endpointKey: string, stage?: string): readonly string[] {
    const endpoint = this.store.endpoints.get(endpointKey);
    if (!endpoint) return ALL_METRICS;
    const stages = this.store.endpoints.stages(endpoint.id).filter((s) => stage === undefined || s.name === stage);
    const labelled = this.newestWindow(stages, windowMs(DEFAULTS.window))?.labelled ?? [];
    const task = this.baselineOf(this.mainStage(endpoint, stages))?.task ?? (labelled.length > 0 ? guessTask(labelled) : null);
    return task ? QUALITY_METRICS[task] : ALL_METRICS;
  }

  /** The window (of `width`) of the stages' newest labelled prediction, with its labels; undefined: none yet. */
  private newestWindow(stages: StageRecord[], width: number) {
    const newest = stages
      .map((s) => this.store.feedback.newest(s.id))
      .reduce<string | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
    if (newest === null) return undefined;
    const startMs = Date.parse(newest) - (Date.parse(newest) % width);
    const [start, end] = [new Date(startMs).toISOString(), new Date(startMs + width).toISOString()];
    return { start, end, labelled: stages.flatMap((s) => this.store.feedback.between(s.id, start, end)) };
  }

  private stagesOf(endpointId: string, name: string | undefined, endpointName: string): StageRecord[] {
    const stages = this.store.endpoints.stages(endpointId);
    if (name === undefined) return stages;
    const stage = stages.find((s) => s.name === name);
    if (!stage) throw new HttpError(404, 'not_found', `stage "${endpointName}/${name}" doesn't exist`, 'stage');
    return [stage];
  }

  /** Whose model is the baseline: the one stage asked for, else the default stage's. */
  private mainStage(endpoint: { defaultStageId: string | null }, stages: StageRecord[]): StageRecord | undefined {
    return stages.length === 1 ? stages[0] : (stages.find((s) => s.id === endpoint.defaultStageId) ?? stages[0]);
  }

  private baselineOf(stage: StageRecord | undefined): Baseline | null {
    if (!stage) return null;
    const [evaluation] = this.store.evaluations.list({
      modelIds: [stage.model.id],
      state: 'COMPLETE',
      limit: 1,
      offset: 0,
    }).items;
    if (!evaluation) return null;
    const task = evaluation.task === 'classification' || evaluation.task === 'regression' ? evaluation.task : null;
    return { evaluationId: evaluation.id, task, figures: evaluation.metrics };
  }
}

function baselineMetrics(baseline: Baseline, task: QualityTask): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const name of QUALITY_METRICS[task]) {
    const figure = baseline.figures[BASELINE_NAMES[task][name] as string];
    if (typeof figure === 'number' && Number.isFinite(figure)) metrics[name] = figure;
  }
  return metrics;
}
