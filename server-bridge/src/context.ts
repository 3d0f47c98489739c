import type { AlertService } from './alerts/service.js';
import type { BatchInferenceService } from './batch-inferences/service.js';
import type { ClusterService } from './clusters/service.js';
import type { DatasetService } from './datasets/service.js';
import type { DriftService } from './drift/service.js';
import type { EndpointService } from './endpoints/service.js';
import type { EnvironmentService } from './environments/service.js';
import type { EvaluationService } from './evaluations/service.js';
import type { ExperimentService } from './experiments/service.js';
import type { QuickTests } from './models/quick-tests.js';
import type { ModelService } from './models/service.js';
import type { ModelQualityService } from './payloads/model-quality.js';
import type { PayloadService } from './payloads/service.js';
import type { RecipeService } from './recipes/service.js';
import type { HomePaths } from './runtime/paths.js';
import type { ScheduleService } from './schedules/service.js';
import type { BrowserSessions } from './server/browser-sessions.js';
import type { TicketBook } from './server/tickets.js';
import type { Store } from './store/index.js';
import type { TensorboardService } from './tensorboards/service.js';
import type { TrainingService } from './trainings/service.js';
import type { TuningService } from './tunings/service.js';
import type { UsageService } from './usage/service.js';

/** What route handlers reach: the store and the services, nothing global. */
export interface BridgeContext {
  version: string;
  paths: HomePaths;
  store: Store;
  environments: EnvironmentService;
  experiments: ExperimentService;
  /** named, versioned data: copied in or referenced, scanned by Python */
  datasets: DatasetService;
  trainings: TrainingService;
  tensorboards: TensorboardService;
  models: ModelService;
  /** model versions called with no endpoint (POST /models/{id}/predict) */
  quickTests: QuickTests;
  evaluations: EvaluationService;
  /** a model version scoring a whole table or folder of files, detached, resumable */
  batchInferences: BatchInferenceService;
  endpoints: EndpointService;
  /** stages' logged requests (payload logging) and the labels sent back for them */
  payloads: PayloadService;
  /** rolling accuracy / F1 or MAE / RMSE from those labels; `latest` is what alert rules read */
  modelQuality: ModelQualityService;
  /** stages' data drift per window against a reference table; `latest` for alert rules */
  drift: DriftService;
  /** Ray clusters: added, or started here (local), and checked every few seconds */
  clusters: ClusterService;
  /** the six built-in model types and the recipes saved from trainings */
  recipes: RecipeService;
  /** chains of trainings, evaluations, promotions and batch jobs, fired by the bridge's own clock */
  schedules: ScheduleService;
  /** CPU, memory, threads, open files (and GPU) of every process the bridge started here, sampled every few seconds */
  usage: UsageService;
  /** alert rules on the monitored series, read by the bridge's own timer */
  alerts: AlertService;
  /** searches over hyperparameters: one study process per running tuning, each trial a training */
  tunings: TuningService;
  /** one-time credentials for pages browsers open */
  tickets: TicketBook;
  /** the browser sessions those tickets open */
  sessions: BrowserSessions;
  uptimeSeconds(): number;
}
