import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BatchErrorList,
  type BatchInference,
  type BatchInferenceCreate,
  type BatchInferenceList,
  type BatchInferenceListQuery,
  batchInferenceStates,
  isSettled,
  type LogChunk,
  type LogQuery,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterService } from '../clusters/service.js';
import type { DatasetResolver } from '../datasets/resolve.js';
import type { EnvironmentService } from '../environments/service.js';
import type { Executor } from '../runtime/local-executor.js';
import { readLogChunk } from '../runtime/logs.js';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { conflict, notFound } from '../server/errors.js';
import { logWindowOf, pageOf } from '../server/query-defaults.js';
import { type BatchInferenceRecord, batchInferenceOf } from '../store/batch-inferences.js';
import type { Store } from '../store/index.js';
import { batchLayout } from './contract.js';
import { readErrorsFile } from './errors-file.js';
import { type BatchCreateContext, BatchSubmitter } from './submit.js';
import { BatchSupervision } from './supervise.js';

export interface BatchInferenceServiceOptions {
  /** `<home>/batch-inferences` */
  root: string;
  home: string;
  python: string;
  /** runs `python -m emkit.batch spec.json` detached */
  executor: Executor;
  environments: EnvironmentService;
  log: FastifyBaseLogger;
  pollMs?: number;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
  /** the Ray clusters a job's workers may run on (none: this machine only) */
  clusters?: () => ClusterService;
  /** registers a COMPLETE job's predictions as its `outputDataset`, answering `name:version` */
  registerOutput?: (job: BatchInferenceRecord) => Promise<string>;
  /** how often a job's workers on a cluster sample themselves (the bridge's usage interval); 0 or none: never */
  usageIntervalSeconds?: number;
}

/**
 * Batch scoring jobs, as the routes (and schedules) see them: create (./submit.ts), get, list, stop, delete, logs,
 * with supervision (./supervise.ts) watching — and resuming — each runner until it settles.
 */
export class BatchInferenceService {
  private readonly supervision: BatchSupervision;
  private readonly submitter: BatchSubmitter;

  constructor(
    private readonly store: Store,
    private readonly options: BatchInferenceServiceOptions,
  ) {
    this.supervision = new BatchSupervision(store, options);
    this.submitter = new BatchSubmitter(store, this.supervision, options);
  }

  /** `schedule`: the schedule whose run asks for it (null or left out: a person). */
  async create(body: BatchInferenceCreate, context: BatchCreateContext = {}): Promise<BatchInference> {
    return batchInferenceOf(await this.submitter.create(body, context));
  }

  find(id: string): BatchInference {
    return batchInferenceOf(this.record(id));
  }

  list(query: BatchInferenceListQuery | undefined): BatchInferenceList {
    let modelIds: string[] | undefined;
    if (query?.model) {
      const model = this.store.models.find(query.model);
      if (!model) throw notFound('model', query.model);
      // a bare name means all its versions; id, name:version and name@alias mean one
      modelIds =
        query.model === model.name
          ? this.store.models.list({ name: model.name, limit: 100_000, offset: 0 }).items.map((m) => m.id)
          : [model.id];
    }
    const page = this.store.batchInferences.list({ modelIds, state: query?.state, schedule: query?.schedule, ...pageOf(query) });
    return { items: page.items.map(batchInferenceOf), total: page.total };
  }

  async stop(id: string): Promise<BatchInference> {
    const job = this.record(id);
    if (job.state === 'STOP IN PROGRESS') return batchInferenceOf(job);
    if (this.settled(job)) throw conflict(`batch scoring ${job.name} has already ended (${job.state})`);
    return batchInferenceOf(await this.supervision.stop(job));
  }

  /** A settled job: its record and its own folder go; an output folder the user named stays. */
  async delete(id: string): Promise<void> {
    const job = this.record(id);
    if (!this.settled(job)) throw conflict(`batch scoring ${job.name} is ${job.state}; stop it before deleting it`);
    this.store.tx(() => this.store.batchInferences.delete(job.id));
    try {
      await rm(job.dir, { recursive: true, force: true });
    } catch (error) {
      this.options.log.warn({ batchInference: job.id, error: (error as Error).message }, 'could not remove the job folder');
    }
  }

  readLog(id: string, query: LogQuery | undefined): Promise<LogChunk> {
    const job = this.record(id);
    const { offset, limit } = logWindowOf(query);
    return readLogChunk(batchLayout(job.dir).supervisorLog, offset, limit);
  }

  /** The job's first bad items (errors.jsonl, wherever its output went) and how many it has. */
  readErrors(id: string, limit: number | undefined): Promise<BatchErrorList> {
    return readErrorsFile(batchInferenceOf(this.record(id)).errorsFile, limit);
  }

  /** At start: pick up (or resume) what a previous bridge left running, and clear what it left half-made. */
  reconcile(): void {
    this.supervision.reconcile();
    void this.removeOrphans().catch((error: Error) => {
      this.options.log.warn({ error: error.message }, 'could not clear the batch scoring folders no record owns');
    });
  }

  shutdown(): void {
    this.supervision.shutdown();
  }

  /** Folders under `<home>/batch-inferences` without a record: creates a bridge died in the middle of. */
  private async removeOrphans(): Promise<void> {
    for (const entry of await readdirIfPresent(this.options.root)) {
      if (!entry.isDirectory() || this.store.batchInferences.get(entry.name)?.id === entry.name) continue;
      const dir = join(this.options.root, entry.name);
      this.supervision.endOrphan(dir);
      await rm(dir, { recursive: true, force: true });
      this.options.log.info({ dir }, 'removed a batch scoring folder no record owns');
    }
  }

  private record(id: string): BatchInferenceRecord {
    const job = this.store.batchInferences.get(id);
    if (!job) throw notFound('batch inference', id);
    return job;
  }

  private settled(job: BatchInferenceRecord): boolean {
    return isSettled(batchInferenceStates, job.state);
  }
}
