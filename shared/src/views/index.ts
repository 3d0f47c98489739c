// The detail views, for browsers only (JupyterLab's page, VS Code's webviews): imported as
// `@emkit/shared/views` so the bridge and VS Code's extension host never load DOM code.
export type { ComparisonViewAction, ComparisonViewMessage } from '../feeds/comparison-feed.js';
export type { DatasetViewAction, DatasetViewMessage } from '../feeds/dataset-feed.js';
export {
  BATCH_ERRORS_SHOWN,
  type BatchItemError,
  type BatchViewAction,
  type BatchViewMessage,
  type EndpointViewAction,
  type EndpointViewMessage,
  type ModelViewAction,
  type ModelViewMessage,
  type NewModelViewAction,
  type NewModelViewMessage,
  type QuickTestInput,
  type ScheduleEditorAction,
  type ScheduleEditorMessage,
  type ScheduleOrigin,
  type ScheduleResourceType,
  type ScheduleViewAction,
  type ScheduleViewMessage,
  type TrainingViewAction,
  type TrainingViewMessage,
  type Translate,
  type TuneFormAction,
  type TuneFormMessage,
  type TuneOrigin,
  type TuningViewAction,
  type TuningViewMessage,
  untranslated,
} from '../feeds/protocol.js';
export { BarList, histogramBars } from './bar-list.js';
export { BatchView } from './batch-view.js';
export { ClassTable, THRESHOLD_DEBOUNCE_MS } from './class-table.js';
export {
  bestRows,
  type ComparisonColumn,
  type ComparisonSort,
  cellValue,
  compareValues,
  comparisonColumns,
  filterColumns,
  sortRows,
} from './comparison-table.js';
export { ComparisonView } from './comparison-view.js';
export { ConfusionMatrix, rowShares } from './confusion-matrix.js';
export { DatasetView } from './dataset-view.js';
export { type ControlElement, type ControlTags, h, useControls } from './dom.js';
export { DRIFT_WINDOWS_SHOWN, DriftView } from './drift-view.js';
export { EndpointView } from './endpoint-view.js';
export { EvaluationView } from './evaluation-view.js';
export { bestValues, IterationsTable } from './iterations-table.js';
export { findMatches, LOG_ROW_HEIGHT, LogLines, LogView } from './log-view.js';
export { formatValue, MetricsChart, mergePoint, type SeriesData } from './metrics-chart.js';
export { ModelView } from './model-view.js';
export { NewModelView } from './new-model-view.js';
export { ObjectiveChart, objectiveSeries } from './objective-chart.js';
export { type Axis, axisPosition, ParallelCoordinates, parallelAxes } from './parallel-coordinates.js';
export { PrCurveChart, prColumns } from './pr-curve-chart.js';
export { QUALITY_WINDOWS_SHOWN, QualityView } from './quality-view.js';
export { parseInstances, QuickTestBox, rankedScores } from './quick-test.js';
export { ResourceChart } from './resource-chart.js';
export { PREVIEW_DEBOUNCE_MS, ScheduleEditor } from './schedule-editor.js';
export { resourceInWords, shortId, stepInWords } from './schedule-steps.js';
export { ScheduleView } from './schedule-view.js';
export { StageSettingsForm } from './stage-settings-form.js';
export { StageStatsChart, stageColumns } from './stage-stats-chart.js';
export { VIEW_STRINGS, type ViewString } from './strings.js';
export { ensureStyles, themeColors } from './styles.js';
export { TrainingView } from './training-view.js';
export { parseBody, TryItBox } from './try-it.js';
export { TuneForm } from './tune-form.js';
export { mergeTrial, sortTrials, type TrialColumn, type TrialSort, TrialsTable } from './tuning-trials-table.js';
export { importanceBars, TuningView } from './tuning-view.js';
