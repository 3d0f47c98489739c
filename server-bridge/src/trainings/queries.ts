import { realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import {
  isSettled,
  type LogChunk,
  type MetricsQuery,
  MetricsQuery as MetricsQuerySchema,
  type Training,
  type TrainingFileList,
  type TrainingList,
  type TrainingListQuery,
  TrainingLogQuery,
  type TrainingMetrics,
  trainingStates,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { MetricsIngester } from '../metrics/ingest.js';
import { readLogChunk } from '../runtime/logs.js';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { HttpError, notFound } from '../server/errors.js';
import { logWindowOf, pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { publicTraining, type TrainingRecord } from '../store/trainings.js';
import { rankLog, trainingLayout } from './contract.js';
import { trainingQuality } from './quality.js';

/** The folders of a training a client may list and download from. */
const READABLE = ['artifacts', 'model', 'checkpoints', 'tensorboard'] as const;

/** The read side of trainings: finding, listing, and reading their logs, metrics and files. */
export class TrainingQueries {
  constructor(
    protected readonly store: Store,
    protected readonly metrics: MetricsIngester,
    protected readonly log: FastifyBaseLogger,
  ) {}

  /** The stored training, with what only the bridge needs. */
  protected record(key: string): TrainingRecord {
    const training = this.store.trainings.get(key);
    if (!training) throw notFound('training', key);
    return training;
  }

  find(key: string): Training {
    return publicTraining(this.record(key));
  }

  list(query: TrainingListQuery | undefined): TrainingList {
    let experimentId: string | undefined;
    if (query?.experiment) {
      const experiment = this.store.experiments.get(query.experiment);
      if (!experiment) throw notFound('experiment', query.experiment);
      experimentId = experiment.id;
    }
    const page = this.store.trainings.list({ experimentId, state: query?.state, ...pageOf(query) });
    return { items: page.items.map(publicTraining), total: page.total };
  }

  readLog(key: string, query: TrainingLogQuery | undefined): Promise<LogChunk> {
    const training = this.find(key);
    const rank = query?.rank ?? (TrainingLogQuery.properties.rank.default as number);
    this.checkRank(training, rank);
    const { offset, limit } = logWindowOf(query);
    return readLogChunk(this.logFile(training, rank), offset, limit);
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
    const training = this.record(key);
    // a settled training's files were read to the end when it settled; a running one may have news
    if (!isSettled(trainingStates, training.state))
      await this.metrics.ingest(training.id, trainingLayout(training.dir).tensorboard);
    const maxPoints = query?.maxPoints ?? (MetricsQuerySchema.properties.maxPoints.default as number);
    const tags = query?.tag ? [query.tag] : this.store.metrics.tags(training.id);
    return {
      trainingId: training.id,
      series: tags.map((tag) => this.store.metrics.series(training.id, tag, maxPoints)),
      quality: trainingQuality(this.store, training),
    };
  }

  async files(key: string): Promise<TrainingFileList> {
    const training = this.find(key);
    const layout = trainingLayout(training.dir);
    const items: TrainingFileList['items'] = [];
    const walk = async (dir: string, depth: number): Promise<void> => {
      const entries = await readdirIfPresent(dir).catch((error: NodeJS.ErrnoException) => {
        // an unreadable folder (EACCES) is left out of the list, and said so in the log
        this.log.warn({ training: training.name, dir, error: error.message }, 'could not list a training folder');
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
    for (const dir of READABLE) await walk(layout[dir], 0);
    items.sort((a, b) => a.path.localeCompare(b.path));
    return { items };
  }

  /**
   * The absolute path of one of those files, or of a log; nothing outside them (no `..`, no
   * spec or source), and no link out of them: the training's code may have left links anywhere.
   */
  async filePath(key: string, path: string): Promise<string> {
    const layout = trainingLayout(this.find(key).dir);
    const full = resolve(layout.dir, path);
    const allowed = [...READABLE.map((dir) => layout[dir]), layout.logs];
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
}
