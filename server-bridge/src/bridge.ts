import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AlertService } from './alerts/service.js';
import type { WebhookOptions } from './alerts/webhook.js';
import { BatchInferenceService } from './batch-inferences/service.js';
import { ClusterService } from './clusters/service.js';
import type { BridgeContext } from './context.js';
import { DatasetScanner, DEFAULT_SCAN_LIMITS, type ScanLimits } from './datasets/scanner.js';
import { DatasetService } from './datasets/service.js';
import { DriftService } from './drift/service.js';
import { ReplicaUsagePushes } from './endpoints/replica-usage.js';
import { EndpointService } from './endpoints/service.js';
import { EnvironmentService } from './environments/service.js';
import { EvaluationService } from './evaluations/service.js';
import { ExperimentService } from './experiments/service.js';
import { MetricsIngester } from './metrics/ingest.js';
import { DeclaredInputs } from './models/declared-inputs.js';
import { QuickTests } from './models/quick-tests.js';
import { ModelService } from './models/service.js';
import { ModelQualityService } from './payloads/model-quality.js';
import { PayloadService } from './payloads/service.js';
import { writeBuiltinSources } from './recipes/builtin-sources.js';
import { recipeCompletion } from './recipes/completion.js';
import { RecipeService } from './recipes/service.js';
import { collectWhenIdle } from './runtime/idle-gc.js';
import { type Executor, LocalExecutor } from './runtime/local-executor.js';
import { createLogger } from './runtime/logger.js';
import { defaultHome, defaultKernelsDir, homePaths } from './runtime/paths.js';
import { privateDirectory, privateFile } from './runtime/private-files.js';
import type { RotationOptions } from './runtime/rotating-log.js';
import {
  isProcessAlive,
  type RuntimeInfo,
  readOrCreateToken,
  readRuntimeFile,
  removeRuntimeFile,
  writeRuntimeFile,
} from './runtime/runtime-file.js';
import { addSecret } from './runtime/secrets.js';
import { prepareSocketDir } from './runtime/socket-dir.js';
import { ScheduleService } from './schedules/service.js';
import { buildApp } from './server/app.js';
import { BrowserSessions } from './server/browser-sessions.js';
import { clusterDashboardScope } from './server/cluster-dashboard-proxy.js';
import { tensorboardScope } from './server/tensorboard-proxy.js';
import { TicketBook } from './server/tickets.js';
import { Store } from './store/index.js';
import { TensorboardService } from './tensorboards/service.js';
import { TrainingService } from './trainings/service.js';
import { DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from './trainings/source.js';
import { TuningService } from './tunings/service.js';
import { DEFAULT_USAGE_INTERVAL_MS, UsageService } from './usage/service.js';
import { UsageSidecar } from './usage/sidecar.js';
import { VERSION } from './version.js';

export interface BridgeOptions {
  home?: string;
  host?: string;
  /** 0 picks a free port */
  port?: number;
  /** default: kept in <home>/token across restarts */
  token?: string;
  /** browser origins allowed to call (the editors'), exact or `http://host:*` */
  corsOrigins?: string[];
  /** the address a cluster's nodes reach this bridge at (cluster trainings push their results there); default: where it listens */
  publicUrl?: string;
  /** extra Host header names to accept besides loopback and the bind host */
  allowedHosts?: string[];
  kernelsDir?: string;
  /** interpreter venvs are made from by default */
  python?: string;
  /** the emkit Python package to install into environments (wheel or folder) */
  emkitPackage?: string;
  /** where `import emkit` finds the runner and tracking in trainings (a source folder or the wheel) */
  emkitImportPath?: string;
  /** `--max-active-models`: at most this many ACTIVE model versions (none: no cap) */
  maxActiveModels?: number;
  /** caps on a training's source snapshot */
  snapshotLimits?: SnapshotLimits;
  /** how often running trainings are looked at (ms) */
  trainingPollMs?: number;
  /** where trainings run: the local supervisor by default; in-process tests put a fake here */
  executor?: Executor;
  /** where evaluation runners run: `python -m emkit.evaluation` detached by default */
  evaluationExecutor?: Executor;
  /** where batch scoring runners run: `python -m emkit.batch` detached by default */
  batchExecutor?: Executor;
  /** a TensorBoard nobody has visited for this long is stopped */
  tensorboardIdleSeconds?: number;
  /** a dataset upload (POST /datasets/upload) larger than this gets 413 (default 512 MiB) */
  datasetUploadLimit?: number;
  /** what one dataset may hold: files, bytes, one file's bytes (the scanner's and the copy's caps) */
  datasetLimits?: ScanLimits;
  /** inference bodies larger than this get 413 (default 10 MiB) */
  inferenceBodyLimit?: number;
  /** a model that takes longer to answer gets the caller a 504 (default 60 s) */
  inferenceTimeoutMs?: number;
  /** how often the alert rules are read (ms, default 5 s) */
  alertIntervalMs?: number;
  /** how each alert webhook is tried: a timeout per attempt, attempts, the first wait between them */
  alertWebhook?: WebhookOptions;
  /** how often every cluster is checked (ms, default 5 s) */
  clusterPollMs?: number;
  /** how often stages' closed drift windows are looked for (ms, default 10 s) */
  driftPollMs?: number;
  /** how often an idle model worker is asked for /health (default 5 s) */
  workerHealthMs?: number;
  /** what logged payloads may wait to be written before further calls are dropped (bytes, default 64 MiB) */
  payloadLogQueueBytes?: number;
  /** how often the processes the bridge started are sampled (CPU, memory…; default 5 s; 0: never) */
  usageIntervalMs?: number;
  /** a quick-test worker (POST /models/{id}/predict) nobody has called for this long is stopped (default 300) */
  quickTestIdleSeconds?: number;
  logLevel?: string;
  /** when <home>/logs/bridge.log is rotated, and how many old ones are kept (default 10 MiB, 3) */
  logRotation?: RotationOptions;
  /** no log lines on stderr (the file in <home>/logs still gets them) */
  quiet?: boolean;
}

export interface RunningBridge {
  url: string;
  token: string;
  home: string;
  app: FastifyInstance;
  log: Logger;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8765;
export const DEFAULT_DATASET_UPLOAD_MB = 512;
export const DEFAULT_QUICK_TEST_IDLE_SECONDS = 300;

const packageRoot = fileURLToPath(new URL('..', import.meta.url));

/** The wheel `npm run build` makes, else the source folder (pip builds it then). */
export function defaultEmkitPackage(): string {
  const wheels = join(packageRoot, 'dist', 'python');
  if (existsSync(wheels)) {
    const wheel = readdirSync(wheels).find((f) => f.startsWith('emkit-') && f.endsWith('.whl'));
    if (wheel) return join(wheels, wheel);
  }
  return join(packageRoot, 'python');
}

/**
 * What trainings put first on PYTHONPATH: this bridge's own emkit package, so the
 * runner always matches the bridge whatever version an environment has installed.
 * The source folder in a checkout; else the wheel (pure Python imports from a zip).
 */
export function defaultEmkitImportPath(): string {
  const source = join(packageRoot, 'python', 'src');
  if (existsSync(join(source, 'emkit', '__init__.py'))) return source;
  return defaultEmkitPackage();
}

export class BridgeAlreadyRunning extends Error {}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Start a bridge on its home: store, services, HTTP, runtime.json. */
export async function startBridge(options: BridgeOptions = {}): Promise<RunningBridge> {
  const paths = homePaths(options.home ?? defaultHome());
  const bridgeLog = join(paths.home, 'logs', 'bridge.log');
  // before anything in the home is read or trusted: it, and the files that hold the token, are private and ours
  const warnings: string[] = [];
  privateDirectory(paths.home, 'home', warnings);
  privateFile(paths.tokenFile, 'token file', warnings, `; if others may have read it, delete it and restart to rotate the token`);
  privateFile(paths.runtimeFile, 'runtime file', warnings);
  privateFile(bridgeLog, 'log', warnings);

  const previous = readRuntimeFile(paths.runtimeFile);
  if (previous && previous.pid !== process.pid && isProcessAlive(previous.pid) && (await answersHealth(previous.url))) {
    throw new BridgeAlreadyRunning(`a bridge already serves ${paths.home} at ${previous.url} (pid ${previous.pid})`);
  }

  const log = createLogger({ level: options.logLevel, file: bridgeLog, quiet: options.quiet, rotation: options.logRotation });
  for (const warning of warnings) log.warn(warning);
  const store = new Store(paths.db);
  const token = options.token ?? readOrCreateToken(paths.tokenFile);
  // kept out of the log and out of every process the bridge starts
  addSecret(token);
  const startedAt = Date.now();
  const python = options.python ?? process.env.EMKIT_PYTHON ?? 'python3';
  const environments = new EnvironmentService(store, paths, {
    kernelsDir: options.kernelsDir ?? defaultKernelsDir(),
    python,
    emkitPackage: options.emkitPackage ?? defaultEmkitPackage(),
    log,
  });
  const emkitImportPath = options.emkitImportPath ?? defaultEmkitImportPath();
  // in memory only: a restart ends every browser session
  const sessions = new BrowserSessions();
  // before the trainings and the endpoints, whose runs and stages may be on a cluster
  const clusters = new ClusterService(store, {
    root: paths.clusters,
    logDir: paths.clusterLogs,
    python,
    emkitImportPath,
    log,
    pollMs: options.clusterPollMs,
    onDeleted: (cluster) => {
      for (const key of [cluster.id, cluster.name]) sessions.revoke(clusterDashboardScope(key));
    },
  });
  const datasetLimits = options.datasetLimits ?? DEFAULT_SCAN_LIMITS;
  const datasets = new DatasetService(store, {
    root: paths.datasets,
    home: paths.home,
    scanner: new DatasetScanner({ python, emkitImportPath, limits: datasetLimits }),
    limits: datasetLimits,
  });
  const resolveDataset = datasets.resolve.bind(datasets);
  const trainings = new TrainingService(store, {
    root: paths.trainings,
    python,
    executor: options.executor ?? new LocalExecutor(emkitImportPath),
    environments,
    metrics: new MetricsIngester(store, log),
    log,
    snapshotLimits: options.snapshotLimits,
    pollMs: options.trainingPollMs,
    clusters: () => clusters,
    datasets: resolveDataset,
    completion: () => completion,
  });
  // one private folder for the sockets of the model workers and the TensorBoards
  const sockets = prepareSocketDir(paths.sockets);
  if (sockets.fallback) log.info({ dir: sockets.dir }, 'the home is too deep for socket paths: sockets go here');
  const tensorboards = new TensorboardService(store, {
    logDir: paths.tensorboardLogs,
    python,
    socketDir: sockets.dir,
    emkitImportPath,
    log,
    idleSeconds: options.tensorboardIdleSeconds,
    onDeleted: (id) => sessions.revoke(tensorboardScope(id)),
  });
  const inferenceBodyLimit = options.inferenceBodyLimit ?? 10 * 1024 * 1024;
  const replicaPushes = new ReplicaUsagePushes(token);
  const endpoints = new EndpointService(store, {
    python,
    emkitImportPath,
    logDir: paths.endpointLogs,
    socketDir: sockets.dir,
    environments,
    log,
    maxBodyBytes: inferenceBodyLimit,
    healthEveryMs: options.workerHealthMs,
    clusters,
    replicaPushes,
  });
  const payloads = new PayloadService(store, log, options.payloadLogQueueBytes);
  const inferenceTimeoutMs = options.inferenceTimeoutMs ?? 60_000;
  const quickTests = new QuickTests(store, {
    python,
    emkitImportPath,
    logDir: paths.quickTestLogs,
    socketDir: sockets.dir,
    maxBodyBytes: inferenceBodyLimit,
    timeoutMs: inferenceTimeoutMs,
    idleMs: (options.quickTestIdleSeconds ?? DEFAULT_QUICK_TEST_IDLE_SECONDS) * 1000,
    healthEveryMs: options.workerHealthMs,
    log,
  });
  const models = new ModelService(store, {
    root: paths.models,
    python,
    home: paths.home,
    limits: options.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS,
    stopWorkers: (modelId) => quickTests.stop(modelId),
    maxActive: options.maxActiveModels,
    deleteTraining: (id) => trainings.delete(id),
    deleteDataset: (name) => datasets.delete(name),
  });
  const evaluations = new EvaluationService(store, {
    root: paths.evaluations,
    home: paths.home,
    python,
    emkitImportPath,
    executor: options.evaluationExecutor ?? new LocalExecutor(emkitImportPath, 'emkit.evaluation'),
    environments,
    datasets: resolveDataset,
    log,
    pollMs: options.trainingPollMs,
  });
  const usageIntervalMs = options.usageIntervalMs ?? DEFAULT_USAGE_INTERVAL_MS;
  const batchInferences = new BatchInferenceService(store, {
    root: paths.batchInferences,
    home: paths.home,
    python,
    executor: options.batchExecutor ?? new LocalExecutor(emkitImportPath, 'emkit.batch'),
    environments,
    datasets: resolveDataset,
    registerOutput: (job) => datasets.registerOutput(job.outputDatasetName ?? '', job.outputFile),
    clusters: () => clusters,
    log,
    pollMs: options.trainingPollMs,
    usageIntervalSeconds: usageIntervalMs / 1000,
  });
  // a built-in recipe's training registers its model and holdout evaluation as it ends COMPLETE
  const completion = recipeCompletion(store, { evaluationsRoot: paths.evaluations, models });
  const recipes = new RecipeService(store, {
    root: paths.recipes,
    trainings,
    snapshotLimits: options.snapshotLimits,
    // a dataset ref's kind and columns, from the version it names (the newest for a bare name)
    datasetSchema: (ref) => {
      const [name = '', version] = ref.split(':');
      const dataset = store.datasets.get(name);
      if (!dataset) return undefined;
      return version === undefined ? dataset.latest.schema : store.datasets.version(dataset, Number(version))?.schema;
    },
  });
  await writeBuiltinSources(paths.recipes);
  const schedules = new ScheduleService(store, {
    trainings,
    recipes,
    models,
    evaluations,
    batchInferences,
    findRecipe: (key) => recipes.find(key),
    datasets: resolveDataset,
    log,
  });
  const declaredInputs = new DeclaredInputs(store, { python, emkitImportPath, log });
  const drift = new DriftService(store, {
    python,
    emkitImportPath,
    home: paths.home,
    db: store.payloadLogFile,
    cacheRoot: join(paths.home, 'drift'),
    datasets: resolveDataset,
    stageRuntime: (endpointName, stageName) => endpoints.route(endpointName)?.stages.get(stageName),
    flushPayloads: () => payloads.writer.flush(),
    log,
    pollMs: options.driftPollMs,
    declaredInputs: (modelId) => declaredInputs.of(modelId),
  });
  // after the services whose processes it samples
  const usage = new UsageService(store, {
    sidecar: new UsageSidecar({ python, emkitImportPath, log }),
    intervalMs: usageIntervalMs,
    log,
    workers: () => endpoints.localWorkers(),
    overMemoryLimit: (worker, limitMb, rssMb) => endpoints.restartOverMemory(worker, limitMb, rssMb),
  });
  const modelQuality = new ModelQualityService(store, payloads);
  const alerts = new AlertService(store, {
    log,
    trafficOf: (endpointId, stage) => endpoints.traffic(endpointId, stage).map((traffic) => traffic.totals),
    sources: { usage, modelQuality, drift },
    tickMs: options.alertIntervalMs,
    webhook: options.alertWebhook,
  });
  const tunings = new TuningService(store, {
    root: join(paths.home, 'tunings'),
    python,
    emkitImportPath,
    environments,
    clusters: () => clusters,
    datasets: resolveDataset,
    snapshotLimits: options.snapshotLimits,
    trainings,
    log,
  });
  const context: BridgeContext = {
    version: VERSION,
    paths,
    store,
    environments,
    experiments: new ExperimentService(store),
    datasets,
    trainings,
    tensorboards,
    models,
    quickTests,
    evaluations,
    batchInferences,
    endpoints,
    payloads,
    modelQuality,
    drift,
    clusters,
    recipes,
    schedules,
    usage,
    alerts,
    tunings,
    tickets: new TicketBook(),
    sessions,
    uptimeSeconds: () => (Date.now() - startedAt) / 1000,
  };
  environments.reconcile();
  await datasets.reconcile();
  trainings.reconcile();
  evaluations.reconcile();
  batchInferences.reconcile();
  tensorboards.reconcile();
  // first: the stages on a cluster start again from the cluster's state as it is now
  await clusters.reconcile();
  endpoints.reconcile();
  drift.start();
  // after the trainings and evaluations: a run picked up again waits on them
  schedules.start();
  usage.start();
  alerts.start();
  // after the trainings: the trials it picks up again are their trainings
  tunings.start();

  const host = options.host ?? '127.0.0.1';
  const allowedHosts = [
    '127.0.0.1',
    'localhost',
    '[::1]',
    host.includes(':') ? `[${host}]` : host,
    ...(options.allowedHosts ?? []),
    // the nodes of a cluster send their pushes with this Host
    ...(options.publicUrl ? [new URL(options.publicUrl).hostname] : []),
  ];
  const app = await buildApp(context, {
    token,
    allowedHosts,
    corsOrigins: options.corsOrigins ?? [],
    logger: log,
    inference: { bodyLimit: inferenceBodyLimit, timeoutMs: inferenceTimeoutMs },
    // a file reaches the worker in base64 (4 bytes per 3), inside the worker's body limit
    uploadLimit: Math.floor((inferenceBodyLimit - 1024) / 4) * 3,
    datasetUploadLimit: options.datasetUploadLimit ?? DEFAULT_DATASET_UPLOAD_MB * 1024 * 1024,
  });
  try {
    await app.listen({ host, port: options.port ?? DEFAULT_PORT });
  } catch (error) {
    await usage.stop();
    await tunings.shutdown();
    schedules.shutdown();
    await alerts.shutdown();
    await endpoints.shutdown();
    await quickTests.shutdown();
    await clusters.shutdown();
    await payloads.close();
    store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  if (trainings.clusterRuns) {
    trainings.clusterRuns.bridgeUrl = options.publicUrl ?? url;
    trainings.clusterRuns.usageIntervalSeconds = usage.intervalSeconds;
  }
  // the replicas of stages already on a cluster get it at their pools' next watch
  replicaPushes.bridgeUrl = options.publicUrl ?? url;
  replicaPushes.everySeconds = usage.intervalSeconds;
  const info: RuntimeInfo = {
    url,
    token,
    pid: process.pid,
    version: VERSION,
    home: paths.home,
    startedAt: new Date(startedAt).toISOString(),
  };
  writeRuntimeFile(paths.runtimeFile, info);
  log.info({ url, home: paths.home, version: VERSION }, 'emkit bridge listening');
  const stopIdleCollection = collectWhenIdle(app.server);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      removeRuntimeFile(paths.runtimeFile, process.pid);
      stopIdleCollection();
      await app.close();
      await usage.stop();
      // runs left going are resumed by the next bridge
      await tunings.shutdown();
      schedules.shutdown();
      await alerts.shutdown();
      await drift.shutdown();
      // trainings and evaluations go on without the bridge (the next one picks them up); TensorBoards don't
      trainings.shutdown();
      evaluations.shutdown();
      batchInferences.shutdown();
      tensorboards.shutdown();
      // local clusters' nodes end with the bridge that started them
      await Promise.all([endpoints.shutdown(), quickTests.shutdown(), clusters.shutdown()]);
      if (sockets.fallback) rmSync(sockets.dir, { recursive: true, force: true });
      await environments.shutdown();
      // after the gateway has stopped: what waits to be logged is written
      await payloads.close();
      store.close();
      log.info('emkit bridge stopped');
      log.flush();
    })();
    return closing;
  };
  return { url, token, home: paths.home, app, log, close };
}
