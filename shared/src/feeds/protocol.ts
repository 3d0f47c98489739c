import type { BatchInference } from '../schemas/batch-inferences.js';
import type { Cluster } from '../schemas/clusters.js';
import type { Dataset, DatasetPreview } from '../schemas/datasets.js';
import type { Endpoint, StageMinute, StageUpdate } from '../schemas/endpoints.js';
import type { Evaluation, ModelIterations, ModelPrediction, ThresholdFigures } from '../schemas/evaluations.js';
import type { MetricSeries, MetricsEventData } from '../schemas/metrics.js';
import type { Model } from '../schemas/models.js';
import type { EndpointDrift, EndpointModelQuality, ResourceUsage, UsageEventData } from '../schemas/monitoring.js';
import type { ModelType, Recipe, RecipeTrain } from '../schemas/recipes.js';
import type { Schedule, ScheduleCreate, ScheduleRun } from '../schemas/schedules.js';
import type { Training, TrainingCreate } from '../schemas/trainings.js';
import type { SearchSpace, Tuning, TuningCreate, TuningTrial } from '../schemas/tunings.js';
import type { ScheduleLocale } from '../workflows/schedule-words.js';

/**
 * The detail views' contract. A feed (DOM-free, shared/src/feeds/) talks to the bridge and posts
 * view messages; a view (DOM, shared/src/views/, imported as @emkit/shared/views) renders them and answers with actions.
 * JupyterLab runs both in the page and connects them with two function calls; VS Code runs
 * the feed in the extension host and the view in a webview, with postMessage in between —
 * which is why everything here is plain JSON.
 */

export interface TrainingFileEntry {
  path: string;
  bytes: number;
  modifiedAt: string;
}

export type TrainingViewMessage =
  /** the training as it is now (sent first, then on every change) */
  | { type: 'training'; training: Training }
  /** a chunk of rank 0's log to append; `reset` empties the view first (a reconnection re-reads from 0) */
  | { type: 'log'; text: string; reset?: boolean }
  /** every series as stored (sent once after the training) */
  | { type: 'metrics'; series: MetricSeries[] }
  /** points new since the last message, any tags */
  | { type: 'metricPoints'; points: MetricsEventData['points'] }
  /** what the training wrote (refreshed when it settles) */
  | { type: 'files'; files: TrainingFileEntry[] }
  /** its ranks' and TensorBoard's CPU and memory as stored (sent once after the training) */
  | { type: 'usage'; usage: ResourceUsage }
  /** one sampling round, from the `usage` event */
  | { type: 'usageRound'; data: UsageEventData }
  /** a no-code training's holdout evaluation (its `evaluation`), as it is now */
  | { type: 'evaluation'; evaluation: Evaluation }
  /** precision/recall per class at a threshold, the answer to a `threshold` action */
  | { type: 'threshold'; requestId: number; figures: ThresholdFigures }
  /** the answer to a `predict` action (the quick test of the training's model) */
  | { type: 'prediction'; requestId: number; prediction: ModelPrediction }
  | { type: 'predictionError'; requestId: number; message: string }
  /** something the feed could not load, in words */
  | { type: 'error'; message: string };

export type TrainingViewAction =
  | { action: 'stop' }
  | { action: 'copy' }
  /** the host's: the Tune form, its space pre-filled from this training's hyperparameters */
  | { action: 'tune' }
  | { action: 'createModel' }
  /** a COMPLETE training kept to train again on other data without code (the host asks a name) */
  | { action: 'saveRecipe' }
  | { action: 'openTensorboard' }
  /** a path from the files list, e.g. artifacts/train.ipynb */
  | { action: 'openFile'; path: string }
  /** the feed's (TrainingFeed.act): the quick test of `training.model` */
  | { action: 'predict'; requestId: number; modelId: string; input: QuickTestInput }
  /** the feed's: precision/recall per class of the holdout evaluation at this threshold */
  | { action: 'threshold'; requestId: number; evaluationId: string; threshold: number };

/** The "New model (no code)" view: six cards, the datasets that fit, a preview, the choices, Train. */
export type NewModelViewMessage =
  /** the built-in recipes: one card each */
  | { type: 'recipes'; recipes: Recipe[] }
  /** every dataset (the view keeps those that fit the type); `select`: a ref to pick, e.g. after an upload */
  | { type: 'datasets'; datasets: Dataset[]; select?: string }
  /** the answer to `selectDataset`: the version `ref` names, previewed */
  | { type: 'preview'; ref: string; dataset: Dataset; preview: DatasetPreview }
  /** the training was created: the host opens its view */
  | { type: 'started'; training: Training }
  /** the bridge refused the training: its words and the field they are about */
  | { type: 'trainError'; message: string; field?: string }
  | { type: 'error'; message: string };

export type NewModelViewAction =
  /** preview a dataset version (`name:version`) */
  | { action: 'selectDataset'; ref: string }
  /** the host's: pick a file or folder and upload it as a dataset, then `reloadDatasets(ref)` */
  | { action: 'upload'; modelType: ModelType }
  /** the feed's: train the built-in recipe with the body made by noCodeTraining */
  | { action: 'train'; recipe: string; body: RecipeTrain }
  /** the host's: close the view */
  | { action: 'cancel' };

export type EndpointViewMessage =
  /** the endpoint with its stages as it is now (sent first, then on every change) */
  | { type: 'endpoint'; endpoint: Endpoint }
  /** the last hour per stage, oldest first (sent once after the endpoint) */
  | { type: 'stats'; minutes: StageMinute[] }
  /** one minute of one stage, new or updated (a minute is keyed by stageId + minute) */
  | { type: 'statMinute'; minute: StageMinute }
  /** the answer to a `predict` action */
  | { type: 'prediction'; requestId: number; status: number; body: unknown; latencyMs: number }
  /** its workers' CPU and memory over the last hour (sent after the endpoint) */
  | { type: 'usage'; usage: ResourceUsage }
  /** one sampling round of its workers, from the `usage` event */
  | { type: 'usageRound'; data: UsageEventData }
  /** its stages' drift per window (sent after the endpoint, then again as windows fill) */
  | { type: 'drift'; drift: EndpointDrift }
  /** its accuracy (or errors) per window from the labels sent back, beside the evaluation's */
  | { type: 'quality'; quality: EndpointModelQuality }
  /** the answer to `updateStage` or a lifecycle action: done, or the bridge's words and the field they are about */
  | { type: 'stageSaved'; stage: string }
  | { type: 'stageError'; stage: string; message: string; field?: string }
  | { type: 'error'; message: string };

export type EndpointViewAction =
  /** send `body` (parsed JSON) to the endpoint's default stage (`stage` null) or a named stage */
  | { action: 'predict'; requestId: number; stage: string | null; body: unknown }
  | { action: 'setDefault'; stage: string }
  | { action: 'addStage' }
  | { action: 'deleteStage'; stage: string }
  /** the feed's: stop an ACTIVE stage's workers, start an INACTIVE one's, deploy a failed one again */
  | { action: 'deactivateStage'; stage: string }
  | { action: 'activateStage'; stage: string }
  | { action: 'redeployStage'; stage: string }
  /** the feed's: PATCH the stage's monitoring settings (memory limit, payload logging, drift) */
  | { action: 'updateStage'; stage: string; body: StageUpdate }
  /** the feed's: read drift and model quality again now */
  | { action: 'refreshMonitoring' }
  /** the host's: the "Add Alert…" form on this endpoint (and stage) */
  | { action: 'addAlert'; stage: string | null };

export type ModelViewMessage =
  /** the model's versions as iterations on one dataset (sent first, then after every change) */
  | { type: 'iterations'; iterations: ModelIterations }
  /** the chosen version and the evaluation shown for it, as it is now (null: never evaluated) */
  | { type: 'evaluation'; modelId: string; evaluation: Evaluation | null }
  /** precision/recall per class at a threshold, the answer to a `threshold` action */
  | { type: 'threshold'; requestId: number; figures: ThresholdFigures }
  /** the answer to a `predict` action: the model's predictions, or the bridge's words */
  | { type: 'prediction'; requestId: number; prediction: ModelPrediction }
  | { type: 'predictionError'; requestId: number; message: string }
  | { type: 'error'; message: string };

/** An input for the quick test: JSON instances, or one file (an image, audio, text) read in the page. */
export type QuickTestInput =
  | { kind: 'json'; instances: unknown[] }
  | { kind: 'file'; name: string; type: string; base64: string };

export type ModelViewAction =
  /** line the iterations up on another dataset (its sha256) */
  | { action: 'selectDataset'; sha256: string }
  /** show this version's evaluation */
  | { action: 'selectVersion'; modelId: string }
  /** precision/recall per class of an evaluation at this threshold */
  | { action: 'threshold'; requestId: number; evaluationId: string; threshold: number }
  | { action: 'predict'; requestId: number; modelId: string; input: QuickTestInput }
  | { action: 'stopEvaluation'; evaluationId: string }
  /** the host's: the Evaluate… form for this version, and promote */
  | { action: 'evaluate'; modelId: string }
  | { action: 'promote'; modelId: string }
  /** the host's, shown only when the host asks for it (ModelView's `score`): Score a dataset… with this version */
  | { action: 'score'; modelId: string };

/** A bad item of a batch job, as errors.jsonl records it. */
export interface BatchItemError {
  key: string;
  reason: string;
}

/** Bad items a batch view lists at most (the first of errors.jsonl). */
export const BATCH_ERRORS_SHOWN = 100;

export type BatchViewMessage =
  /** the job as it is now, with its progress (sent first, then on every change) */
  | { type: 'batch'; batch: BatchInference }
  /** a chunk of the workers' log to append; `reset` empties the view first */
  | { type: 'log'; text: string; reset?: boolean }
  /** the first BATCH_ERRORS_SHOWN bad items, with their reasons (sent again as they grow) */
  | { type: 'errors'; items: BatchItemError[] }
  /** the job was deleted while shown */
  | { type: 'deleted' }
  | { type: 'error'; message: string };

export type BatchViewAction =
  /** the feed's: end the job, keeping what was scored */
  | { action: 'stop' }
  /** the host's: open the predictions file (JupyterLab: when under its root; VS Code: in an editor) */
  | { action: 'openOutput' }
  /** the host's: the model view of the job's model version */
  | { action: 'openModel' }
  /** the host's: ask, then delete the settled job */
  | { action: 'delete' };

export type ScheduleViewMessage =
  /** the schedule as it is now (sent first, then on every change, with its lastRun) */
  | { type: 'schedule'; schedule: Schedule }
  /** its history, newest first (sent after the schedule, then again when a run changes) */
  | { type: 'runs'; runs: ScheduleRun[] }
  /** the schedule was deleted while shown */
  | { type: 'deleted' }
  | { type: 'error'; message: string };

/** What a run's step made: a training, a model version, an evaluation or a batch job. */
export type ScheduleResourceType = 'trainings' | 'models' | 'evaluations' | 'batch-inferences';

export type ScheduleViewAction =
  /** the feed's */
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'runNow' }
  /** the host's: ask, then delete */
  | { action: 'delete' }
  /** the host's: the view of what a run's step made */
  | { action: 'openResource'; resource: ScheduleResourceType; id: string };

/** Where the schedule editor was opened from: its steps are pre-filled from it. */
export type ScheduleOrigin =
  | { kind: 'training'; training: string }
  | { kind: 'recipe'; recipe: string }
  | { kind: 'model'; model: string }
  /** an absolute .ipynb/.py path: the newest training of that file is the template (source `latest`) */
  | { kind: 'notebook'; path: string }
  | { kind: 'none' };

export type ScheduleEditorMessage =
  /** the draft to start from and the lists its pickers offer (sent once) */
  | {
      type: 'init';
      draft: ScheduleCreate;
      /** why the draft has no step yet, e.g. a notebook never submitted (null: it has one); English, for the view's `t` with `noteArg` */
      note: string | null;
      noteArg?: string;
      trainings: Training[];
      recipes: Recipe[];
      models: Model[];
      datasets: Dataset[];
      locale: ScheduleLocale;
    }
  /** the answer to a `preview` action: the next due times (ISO) */
  | { type: 'preview'; requestId: number; nextRuns: string[] }
  /** the bridge's 400 for that expression, in its words */
  | { type: 'previewError'; requestId: number; message: string }
  /** the schedule was made: the host opens its view */
  | { type: 'saved'; schedule: Schedule }
  /** the bridge refused it: its words and the field they are about (`cron`, `steps.1.data`) */
  | { type: 'saveError'; message: string; field?: string }
  | { type: 'error'; message: string };

export type ScheduleEditorAction =
  /** the feed's: the next due times of this timing (the view asks when typing rests) */
  | { action: 'preview'; requestId: number; cron?: string; timezone?: string; every?: string }
  /** the feed's: create the schedule */
  | { action: 'save'; body: ScheduleCreate }
  /** the host's: close the editor */
  | { action: 'cancel' };

/**
 * How a view gets its words: the host's translator with `{0}`-style placeholders. Every text a
 * view shows is in VIEW_STRINGS, so each editor's catalog test can check it has them all.
 */
export type Translate = (text: string, ...args: (string | number)[]) => string;

/** The English text itself, placeholders filled. */
export const untranslated: Translate = (text, ...args) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));

export type TuningViewMessage =
  /** the tuning as it is now: state, counts, best, importance (sent first, then on every change) */
  | { type: 'tuning'; tuning: Tuning }
  /** every trial in number order (sent after the tuning, and again after a reconnection) */
  | { type: 'trials'; trials: TuningTrial[] }
  /** one trial as it is now, from the `trial` event: started, a new objective point, or ended */
  | { type: 'trial'; trial: TuningTrial }
  /** the answer to `copy`: the new tuning (the host opens it) */
  | { type: 'copied'; tuning: Tuning }
  /** the tuning was deleted while shown */
  | { type: 'deleted' }
  | { type: 'error'; message: string };

export type TuningViewAction =
  /** the feed's: no new trial starts and the running ones are stopped */
  | { action: 'stop' }
  /** the feed's: the same search again as a new study (answered with `copied`) */
  | { action: 'copy' }
  /** the host's: its "Create model" from this training (the best trial's) */
  | { action: 'createModel'; trainingId: string }
  /** the host's: a trial's training view */
  | { action: 'openTraining'; trainingId: string };

/** What "Tune…" was asked from: the space is pre-filled from its parameters. */
export type TuneOrigin =
  /** an absolute .ipynb/.py path and its parameters cell's assignments (notebookParameterEntries) */
  | { kind: 'notebook'; path: string; parameters: { name: string; value: string; quoted: boolean }[] }
  /** a training: its source and hyperparameters */
  | { kind: 'training'; training: string };

export type TuneFormMessage =
  /** where the form starts from, and the lists its pickers offer (sent once) */
  | {
      type: 'init';
      name: string;
      source: TrainingCreate['source'];
      /** each parameter's value as written (a row not searched stays fixed at it) */
      parameters: Record<string, string>;
      /** the pre-filled space (spaceFromParameters) */
      space: SearchSpace;
      /** the tags the source's last training logged, for the metric box (empty: never trained) */
      metrics: string[];
      experiments: string[];
      experiment: string | null;
      clusters: Cluster[];
      /** where the origin training ran (a cluster's name, null: this machine); undefined: the default */
      ranOn?: string | null;
    }
  /** the tuning was made: the host opens its view */
  | { type: 'started'; tuning: Tuning }
  /** the bridge refused it: its words and the field they are about (`space.lr`, `objective.metric`) */
  | { type: 'startError'; message: string; field?: string }
  | { type: 'error'; message: string };

export type TuneFormAction =
  /** the feed's: create the tuning */
  | { action: 'start'; body: TuningCreate }
  /** the host's: close the form */
  | { action: 'cancel' };
