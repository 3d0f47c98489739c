import { existsSync, readFileSync } from 'node:fs';
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type ExperimentComparison,
  isSettled,
  type LogChunk,
  type MetricsQuery,
  NAME_PATTERN,
  type Training,
  type TrainingCopy,
  type TrainingCreate,
  type TrainingFileList,
  type TrainingListQuery,
  type TrainingMetrics,
  type TrainingState,
  type TrainingUpdate,
  trainingStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { EnvironmentService } from '../environments/service.js';
import type { MetricsIngester } from '../metrics/ingest.js';
import { readLogChunk } from '../runtime/logs.js';
import { which } from '../runtime/process.js';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import type { Store } from '../store/index.js';
import { isUniqueViolation } from '../store/rows.js';
import { publicTraining, type TrainingRecord } from '../store/trainings.js';
import {
  clashingKeys,
  contractEnvironment,
  datasetVariable,
  FINAL_SUPERVISOR_STATES,
  hyperparameterVariable,
  rankLog,
  type SupervisorStatus,
  type TrainingLayout,
  type TrainingSpec,
  trainingLayout,
} from './contract.js';
import type { Executor } from './local-executor.js';
import { copySnapshot, DEFAULT_SNAPSHOT_LIMITS, resolveSource, type SnapshotLimits, snapshotSource } from './source.js';

export interface TrainingServiceOptions {
  /** `<home>/trainings` */
  root: string;
  /** the interpreter trainings without an environment run with */
  python: string;
  executor: Executor;
  environments: EnvironmentService;
  metrics: MetricsIngester;
  log: FastifyBaseLogger;
  snapshotLimits?: SnapshotLimits;
  /** how often running trainings are looked at; metrics are read every fourth look */
  pollMs?: number;
}

/** How long a stop may take before the bridge kills what is left itself. */
const STOP_GRACE_MS = 5000;
/** A supervisor that misses its own deadline by this much is ended by the bridge. */
const DEADLINE_SLACK_MS = 10_000;
export const DEFAULT_EXPERIMENT = 'default';

const ORDER: Record<TrainingState, number> = {
  'CREATE REQUESTED': 0,
  'CREATE IN PROGRESS': 1,
  RUNNING: 2,
  'STOP IN PROGRESS': 3,
  COMPLETE: 4,
  'FAIL TRAIN': 4,
  STOPPED: 4,
  'CREATE FAILED': 4,
};

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

function readStatus(file: string): SupervisorStatus | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorStatus;
  } catch {
    return undefined;
  }
}

/** Two keys that would set the same variable can't both be honoured: refuse them, naming both. */
function refuseClashes(field: string, values: Record<string, string>, variable: (key: string) => string): void {
  const clash = clashingKeys(Object.keys(values), variable);
  if (clash) {
    throw new HttpError(400, 'validation', `${field} "${clash[0]}" and "${clash[1]}" would both be ${variable(clash[0])}`, field);
  }
}

/** `My Notebook.ipynb` → `my-notebook-20261122-093015` */
export function defaultTrainingName(entryPoint: string, at = new Date()): string {
  const stem =
    basename(entryPoint, extname(entryPoint))
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+|[-_]+$/g, '')
      .slice(0, 30) || 'training';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stem}-${stamp}`;
}

interface Watch {
  layout: TrainingLayout;
  /** when a stop was asked, for the backstop */
  stopAskedAt?: number;
  /** the supervisor was found gone once; the next look decides (status.json may land in between) */
  goneOnce?: boolean;
}

/**
 * Trainings: submit (validate, snapshot, record, start), watch (status.json → state,
 * event files → metrics), stop, copy, delete, and reconcile after a restart.
 */
export class TrainingService {
  private readonly watching = new Map<string, Watch>();
  private readonly snapshotLimits: SnapshotLimits;
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private ticking = false;

  constructor(
    private readonly store: Store,
    private readonly options: TrainingServiceOptions,
  ) {
    this.snapshotLimits = options.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS;
  }

  find(key: string): TrainingRecord {
    const training = this.store.trainings.get(key);
    if (!training) throw notFound('training', key);
    return training;
  }

  get(key: string): Training {
    return publicTraining(this.find(key));
  }

  list(query: TrainingListQuery | undefined): { items: Training[]; total: number } {
    let experimentId: string | undefined;
    if (query?.experiment) {
      const experiment = this.store.experiments.get(query.experiment);
      if (!experiment) throw notFound('experiment', query.experiment);
      experimentId = experiment.id;
    }
    const page = this.store.trainings.list({
      experimentId,
      state: query?.state,
      limit: query?.limit ?? 100,
      offset: query?.offset ?? 0,
    });
    return { items: page.items.map(publicTraining), total: page.total };
  }

  async create(input: TrainingCreate): Promise<Training> {
    const source = await resolveSource(input.source.path, input.source.entryPoint);
    return this.submit({
      name: input.name,
      description: input.description ?? '',
      experiment: input.experiment,
      entryPoint: source.entryPoint,
      hyperparameters: input.hyperparameters ?? {},
      datasets: input.datasets ?? {},
      environment: input.environment,
      instanceCount: input.instanceCount ?? 1,
      maxDurationSeconds: input.maxDurationSeconds ?? null,
      tags: input.tags ?? {},
      copiedFrom: null,
      snapshot: (target) => snapshotSource(source, target, this.snapshotLimits),
      sourceInfo: { path: source.root, kind: source.kind },
    });
  }

  /** The same settings and the same snapshot of the source, as a new run. */
  async copy(key: string, overrides: TrainingCopy): Promise<Training> {
    const original = this.find(key);
    const from = trainingLayout(original.dir).source;
    if (!existsSync(from)) throw conflict(`the source snapshot of training "${original.name}" is gone (${from})`);
    return this.submit({
      name: overrides.name,
      description: overrides.description ?? original.description,
      experiment: overrides.experiment ?? original.experimentId,
      entryPoint: original.source.entryPoint,
      hyperparameters: overrides.hyperparameters ?? original.hyperparameters,
      datasets: overrides.datasets ?? original.datasets,
      environment: overrides.environment ?? original.environmentId ?? undefined,
      instanceCount: overrides.instanceCount ?? original.instanceCount,
      maxDurationSeconds: overrides.maxDurationSeconds ?? original.maxDurationSeconds,
      tags: overrides.tags ?? original.tags,
      copiedFrom: original.id,
      snapshot: (target) => copySnapshot(from, target, this.snapshotLimits),
      sourceInfo: { path: original.source.path, kind: original.source.kind },
    });
  }

  private async submit(plan: {
    name: string | undefined;
    description: string;
    experiment: string | undefined;
    entryPoint: string;
    hyperparameters: Record<string, string>;
    datasets: Record<string, string>;
    environment: string | undefined;
    instanceCount: number;
    maxDurationSeconds: number | null;
    tags: Record<string, string>;
    copiedFrom: string | null;
    snapshot: (target: string) => Promise<{ files: number; bytes: number }>;
    sourceInfo: { path: string; kind: 'notebook' | 'script' };
  }): Promise<Training> {
    refuseClashes('hyperparameters', plan.hyperparameters, hyperparameterVariable);
    refuseClashes('datasets', plan.datasets, datasetVariable);
    for (const [name, path] of Object.entries(plan.datasets)) {
      if (!isAbsolute(path))
        throw unprocessable(`dataset "${name}": the path must be absolute, not "${path}"`, `datasets.${name}`);
      if (!existsSync(path)) throw unprocessable(`dataset "${name}": ${path} does not exist`, `datasets.${name}`);
    }
    const { environmentId, environmentName, python } = this.pickPython(plan.environment);
    const name = plan.name ?? this.freeName(defaultTrainingName(plan.entryPoint));
    if (this.store.trainings.get(name)) throw conflict(`a training named "${name}" already exists`);
    const experiment = this.experimentFor(plan.experiment);

    const id = this.store.trainings.newId();
    const layout = trainingLayout(join(this.options.root, id));
    await mkdir(layout.dir, { recursive: true });
    let training: TrainingRecord;
    try {
      const snapshot = await plan.snapshot(layout.source);
      await Promise.all(
        [layout.logs, layout.artifacts, layout.model, layout.checkpoints, layout.tensorboard].map((d) => mkdir(d)),
      );
      const spec: TrainingSpec = {
        version: 1,
        trainingId: id,
        trainingName: name,
        python,
        sourceDir: layout.source,
        entryPoint: plan.entryPoint,
        kind: plan.sourceInfo.kind,
        hyperparameters: plan.hyperparameters,
        instanceCount: plan.instanceCount,
        maxDurationSeconds: plan.maxDurationSeconds,
        env: contractEnvironment({
          layout,
          entryPoint: plan.entryPoint,
          hyperparameters: plan.hyperparameters,
          datasets: plan.datasets,
        }),
        logDir: layout.logs,
        statusFile: layout.status,
        artifactsDir: layout.artifacts,
        installer: this.installerFor(python),
      };
      await writeFile(layout.spec, `${JSON.stringify(spec, null, 2)}\n`);
      training = this.store.tx(() => {
        // the experiment is made here, with the training, so a failed submit leaves neither
        const experimentId =
          experiment.id ??
          this.store.experiments.get(experiment.name)?.id ??
          this.store.experiments.insert({ name: experiment.name, description: '' }).id;
        return this.store.trainings.insert({
          id,
          name,
          description: plan.description,
          experimentId,
          source: { ...plan.sourceInfo, entryPoint: plan.entryPoint, files: snapshot.files, bytes: snapshot.bytes },
          hyperparameters: plan.hyperparameters,
          datasets: plan.datasets,
          environmentId,
          environment: environmentName,
          python,
          instanceCount: plan.instanceCount,
          maxDurationSeconds: plan.maxDurationSeconds,
          tags: plan.tags,
          copiedFrom: plan.copiedFrom,
          dir: layout.dir,
        });
      });
    } catch (error) {
      await rm(layout.dir, { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a training named "${name}" already exists`);
      throw error;
    }
    return publicTraining(await this.launch(training, layout));
  }

  private async launch(training: TrainingRecord, layout: TrainingLayout): Promise<TrainingRecord> {
    try {
      const pid = await this.options.executor.start(layout, training.python, () => void this.look(training.id));
      this.watching.set(training.id, { layout });
      this.ensureTimer();
      return this.store.tx(() => this.store.trainings.update(training.id, { supervisorPid: pid }));
    } catch (error) {
      return this.settle(training, { state: 'CREATE FAILED', stateReason: (error as Error).message, exitCode: null });
    }
  }

  private pickPython(key: string | undefined): { environmentId: string | null; environmentName: string | null; python: string } {
    if (key === undefined) {
      const python = isAbsolute(this.options.python) ? this.options.python : which(this.options.python);
      if (!python)
        throw unprocessable(`the bridge's Python (${this.options.python}) isn't on the PATH; pick an environment`, 'environment');
      return { environmentId: null, environmentName: null, python };
    }
    const environment = this.options.environments.find(key);
    if (environment.state !== 'ACTIVE') {
      throw conflict(`environment "${environment.name}" is ${environment.state}; trainings run in ACTIVE environments`);
    }
    return { environmentId: environment.id, environmentName: environment.name, python: join(environment.path, 'bin', 'python') };
  }

  /** uv installs a requirements.txt in a fraction of pip's time, when the bridge can find it. */
  private installerFor(python: string): string[] | null {
    const uv = which('uv') ?? which('uv', join(python, '..'));
    return uv ? [uv, 'pip', 'install', '--python', python] : null;
  }

  /** As MLflow does: a training names its experiment, and an experiment not there yet is made with it. */
  private experimentFor(key: string | undefined): { id: string | undefined; name: string } {
    const experiment = this.store.experiments.get(key ?? DEFAULT_EXPERIMENT);
    if (experiment) return { id: experiment.id, name: experiment.name };
    if (key === undefined) return { id: undefined, name: DEFAULT_EXPERIMENT };
    if (!new RegExp(NAME_PATTERN).test(key)) {
      throw new HttpError(
        400,
        'validation',
        `body.experiment: "${key}" is no experiment, nor a valid name for a new one`,
        'experiment',
      );
    }
    return { id: undefined, name: key };
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.store.trainings.get(name); n++) name = `${base}-${n}`;
    return name;
  }

  update(key: string, changes: TrainingUpdate): Training {
    const training = this.find(key);
    return publicTraining(
      this.store.tx(() =>
        this.store.trainings.update(training.id, {
          description: changes.description ?? training.description,
          tags: changes.tags ?? training.tags,
        }),
      ),
    );
  }

  async stop(key: string): Promise<Training> {
    const training = this.find(key);
    if (training.state === 'STOP IN PROGRESS') return publicTraining(training);
    if (isSettled(trainingStates, training.state)) {
      throw conflict(`training "${training.name}" has already ended (${training.state})`);
    }
    const layout = trainingLayout(training.dir);
    const stopping = this.store.tx(() => this.store.trainings.update(training.id, { state: 'STOP IN PROGRESS' }));
    const watch = this.watching.get(training.id) ?? { layout };
    watch.stopAskedAt = Date.now();
    this.watching.set(training.id, watch);
    this.ensureTimer();
    if (training.supervisorPid !== null && this.options.executor.isRunning(training.supervisorPid, layout)) {
      this.options.executor.requestStop(training.supervisorPid);
    }
    await this.look(training.id);
    return publicTraining(this.store.trainings.get(training.id) ?? stopping);
  }

  async delete(key: string): Promise<void> {
    const training = this.find(key);
    if (!isSettled(trainingStates, training.state)) {
      throw conflict(`training "${training.name}" is ${training.state}; stop it before deleting it`);
    }
    const models = this.store.models.versionsFromTraining(training.id);
    if (models.length > 0) {
      throw conflict(`model ${models.join(', ')} comes from training "${training.name}"; delete the model first`);
    }
    this.store.tx(() => this.store.trainings.delete(training.id));
    this.options.metrics.forget(training.id);
    try {
      await rm(training.dir, { recursive: true, force: true });
    } catch (error) {
      this.options.log.warn({ training: training.name, error: (error as Error).message }, 'could not remove the training folder');
    }
  }

  readLog(key: string, rank: number, offset: number, limit: number): Promise<LogChunk> {
    const training = this.find(key);
    this.checkRank(training, rank);
    return readLogChunk(rankLog(trainingLayout(training.dir), rank), offset, limit);
  }

  checkRank(training: Training, rank: number): void {
    if (rank >= training.instanceCount) {
      throw new HttpError(
        404,
        'not_found',
        `training "${training.name}" has ${training.instanceCount} rank(s): 0 to ${training.instanceCount - 1}`,
      );
    }
  }

  logFile(training: Training, rank: number): string {
    return rankLog(trainingLayout(training.dir), rank);
  }

  async metricsOf(key: string, query: MetricsQuery | undefined): Promise<TrainingMetrics> {
    const training = this.find(key);
    // a settled training's files were read to the end when it settled; a running one may have news
    if (!isSettled(trainingStates, training.state))
      await this.options.metrics.ingest(training.id, trainingLayout(training.dir).tensorboard);
    const maxPoints = query?.maxPoints ?? 5000;
    const tags = query?.tag ? [query.tag] : this.store.metrics.tags(training.id);
    return { trainingId: training.id, series: tags.map((tag) => this.store.metrics.series(training.id, tag, maxPoints)) };
  }

  compare(key: string): ExperimentComparison {
    const experiment = this.store.experiments.get(key);
    if (!experiment) throw notFound('experiment', key);
    const trainings = this.store.trainings.list({ experimentId: experiment.id, limit: 10_000, offset: 0 }).items;
    const hyperparameters = new Set<string>();
    const metrics = new Set<string>();
    const rows = trainings.map((training) => {
      const summaries = this.store.metrics.summaries(training.id);
      for (const key of Object.keys(training.hyperparameters)) hyperparameters.add(key);
      for (const tag of Object.keys(summaries)) metrics.add(tag);
      return {
        id: training.id,
        name: training.name,
        state: training.state,
        createdAt: training.createdAt,
        hyperparameters: training.hyperparameters,
        metrics: summaries,
      };
    });
    return {
      experimentId: experiment.id,
      experimentName: experiment.name,
      hyperparameters: [...hyperparameters].sort(),
      metrics: [...metrics].sort(),
      trainings: rows,
    };
  }

  async files(key: string): Promise<TrainingFileList> {
    const training = this.find(key);
    const layout = trainingLayout(training.dir);
    const items: TrainingFileList['items'] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdirIfPresent(dir).catch((error: NodeJS.ErrnoException) => {
        // an unreadable folder (EACCES) is left out of the list, and said so in the log
        this.options.log.warn({ training: training.name, dir, error: error.message }, 'could not list a training folder');
        return [];
      });
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory() && depth < 8) await walk(full, depth + 1);
        else if (entry.isFile()) {
          // a file removed since the folder was read (the training deleted, a checkpoint rotated) is left out
          const info = await stat(full).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOENT') return undefined;
            throw error;
          });
          if (!info) continue;
          items.push({
            path: relative(layout.dir, full).split(sep).join('/'),
            bytes: info.size,
            modifiedAt: info.mtime.toISOString(),
          });
        }
      }
    };
    for (const dir of [layout.artifacts, layout.model, layout.checkpoints, layout.tensorboard]) await walk(dir, 0);
    items.sort((a, b) => a.path.localeCompare(b.path));
    return { items };
  }

  /**
   * The absolute path of one of those files; nothing outside them (no `..`, no spec or
   * source), and no link out of them: the training's code may have left links anywhere.
   */
  async filePath(key: string, path: string): Promise<string> {
    const training = this.find(key);
    const layout = trainingLayout(training.dir);
    const full = resolve(layout.dir, path);
    const allowed = [layout.artifacts, layout.model, layout.checkpoints, layout.tensorboard, layout.logs];
    if (!allowed.some((dir) => full.startsWith(dir + sep))) {
      throw new HttpError(
        400,
        'bad_request',
        `"${path}" is not under artifacts/, model/, checkpoints/, tensorboard/ or logs/`,
        'path',
      );
    }
    const real = await realpath(full).catch(() => undefined);
    if (!real) throw notFound('file', path);
    const realAllowed = await Promise.all(allowed.map((dir) => realpath(dir).catch(() => dir)));
    if (!realAllowed.some((dir) => real.startsWith(dir + sep))) {
      throw new HttpError(400, 'bad_request', `"${path}" is a link out of the training's folders; it is not served`, 'path');
    }
    return real;
  }

  /** At start: pick up every training a previous bridge left running, and settle the ones that ended meanwhile. */
  reconcile(): void {
    for (const training of this.store.trainings.unsettled()) {
      const layout = trainingLayout(training.dir);
      if (training.supervisorPid === null && !existsSync(layout.status)) {
        this.settle(training, {
          state: 'CREATE FAILED',
          stateReason: 'the bridge stopped before this training started; copy it to run it again',
          exitCode: null,
        });
        continue;
      }
      this.watching.set(training.id, { layout });
    }
    if (this.watching.size > 0) {
      this.ensureTimer();
      for (const id of this.watching.keys()) void this.look(id);
    }
  }

  shutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 250);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.ticks += 1;
      for (const id of [...this.watching.keys()]) {
        await this.look(id);
        const training = this.store.trainings.get(id);
        if (training?.state === 'RUNNING' && this.ticks % 4 === 0) {
          await this.options.metrics.ingest(id, trainingLayout(training.dir).tensorboard).catch((error: Error) => {
            this.options.log.warn({ training: training.name, error: error.message }, 'reading metrics failed');
          });
        }
      }
      if (this.watching.size === 0) this.shutdown();
    } finally {
      this.ticking = false;
    }
  }

  /** Bring one training's state up to what its supervisor says, or settle it if the supervisor is gone. */
  private async look(id: string): Promise<void> {
    const watch = this.watching.get(id);
    const training = this.store.trainings.get(id);
    if (!watch || !training) {
      this.watching.delete(id);
      return;
    }
    if (isSettled(trainingStates, training.state)) {
      this.watching.delete(id);
      return;
    }
    const status = readStatus(watch.layout.status);
    if (status && FINAL_SUPERVISOR_STATES.includes(status.state)) {
      await this.options.metrics.ingest(id, watch.layout.tensorboard).catch(() => 0);
      this.options.metrics.forget(id);
      this.settle(training, {
        state: status.state,
        stateReason: status.reason,
        exitCode: status.exitCode,
        startedAt: training.startedAt ?? status.startedAt,
        endedAt: status.endedAt ?? new Date().toISOString(),
      });
      return;
    }
    if (status && ORDER[status.state] > ORDER[training.state]) {
      this.store.tx(() =>
        this.store.trainings.update(id, {
          state: status.state,
          startedAt: status.startedAt ?? training.startedAt,
          supervisorPid: training.supervisorPid ?? status.supervisorPid,
        }),
      );
    }
    const pid = training.supervisorPid ?? status?.supervisorPid ?? null;
    const running = pid !== null && this.options.executor.isRunning(pid, watch.layout);
    if (!running) {
      // status.json is written before the supervisor exits: look once more before calling it vanished
      if (!watch.goneOnce) {
        watch.goneOnce = true;
        return;
      }
      const stopped = training.state === 'STOP IN PROGRESS';
      this.killLeftovers(status);
      this.settle(training, {
        state: stopped ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: stopped
          ? 'stopped by request'
          : `the training's supervisor${pid === null ? '' : ` (pid ${pid})`} ended without a result: it was killed, or the machine restarted`,
        exitCode: null,
      });
      return;
    }
    const now = Date.now();
    const overdue =
      training.maxDurationSeconds !== null &&
      now > Date.parse(training.createdAt) + training.maxDurationSeconds * 1000 + DEADLINE_SLACK_MS;
    const stopOverdue = watch.stopAskedAt !== undefined && now > watch.stopAskedAt + STOP_GRACE_MS;
    if (overdue || stopOverdue) {
      // the supervisor didn't end it in time: end everything it started ourselves
      this.options.executor.kill([pid, ...(status?.ranks.map((r) => r.pid) ?? [])]);
      this.settle(training, {
        state: stopOverdue ? 'STOPPED' : 'FAIL TRAIN',
        stateReason: stopOverdue
          ? 'stopped by request (its processes had to be killed)'
          : `the maximum duration of ${training.maxDurationSeconds}s was reached (its processes had to be killed)`,
        exitCode: null,
      });
    }
  }

  private killLeftovers(status: SupervisorStatus | undefined): void {
    const ranks = status?.ranks.filter((r) => r.exitCode === null).map((r) => r.pid) ?? [];
    if (ranks.length > 0) this.options.executor.kill(ranks);
  }

  private settle(
    training: TrainingRecord,
    result: {
      state: TrainingState;
      stateReason: string | null;
      exitCode: number | null;
      startedAt?: string | null;
      endedAt?: string | null;
    },
  ): TrainingRecord {
    this.watching.delete(training.id);
    const settled = this.store.tx(() => {
      const next = this.store.trainings.update(training.id, {
        state: result.state,
        stateReason: result.stateReason,
        exitCode: result.exitCode,
        startedAt: result.startedAt ?? training.startedAt,
        endedAt: result.endedAt ?? new Date().toISOString(),
      });
      this.store.trainings.recordFinished(next);
      return next;
    });
    this.options.log.info({ training: training.name, state: result.state }, 'training ended');
    return settled;
  }

  /** For the status route. */
  watchedCount(): number {
    return this.watching.size;
  }
}
