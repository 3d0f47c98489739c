import type { Dataset, DatasetPreview } from '../schemas/datasets.js';
import type { Endpoint, StageMinute } from '../schemas/endpoints.js';
import type { Evaluation, ModelIterations, ModelPrediction, ThresholdFigures } from '../schemas/evaluations.js';
import type { MetricSeries, MetricsEventData } from '../schemas/metrics.js';
import type { ModelType, Recipe, RecipeTrain } from '../schemas/recipes.js';
import type { Training } from '../schemas/trainings.js';

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
  | { type: 'error'; message: string };

export type EndpointViewAction =
  /** send `body` (parsed JSON) to the endpoint's default stage (`stage` null) or a named stage */
  | { action: 'predict'; requestId: number; stage: string | null; body: unknown }
  | { action: 'setDefault'; stage: string }
  | { action: 'addStage' }
  | { action: 'deleteStage'; stage: string };

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
  | { action: 'promote'; modelId: string };

/**
 * How a view gets its words: the host's translator with `{0}`-style placeholders. Every text a
 * view shows is in VIEW_STRINGS, so each editor's catalog test can check it has them all.
 */
export type Translate = (text: string, ...args: (string | number)[]) => string;

/** The English text itself, placeholders filled. */
export const untranslated: Translate = (text, ...args) => text.replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)] ?? ''));
