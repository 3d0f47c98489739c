import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Evaluation, EvaluationCreate } from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { DatasetResolver } from '../datasets/resolve.js';
import type { EnvironmentService } from '../environments/service.js';
import type { Executor } from '../runtime/local-executor.js';
import { readdirIfPresent } from '../runtime/safe-files.js';
import { conflict } from '../server/errors.js';
import { evaluationOf } from '../store/evaluations.js';
import type { Store } from '../store/index.js';
import { EvaluationQueries } from './queries.js';
import { EvaluationFiles } from './results.js';
import { EvaluationSubmitter } from './submit.js';
import { EvaluationSupervision } from './supervise.js';

export interface EvaluationServiceOptions {
  /** `<home>/evaluations` */
  root: string;
  home: string;
  python: string;
  emkitImportPath: string;
  /** runs `python -m emkit.evaluation spec.json` detached */
  executor: Executor;
  environments: EnvironmentService;
  log: FastifyBaseLogger;
  pollMs?: number;
  /** turns a dataset reference (`name[:version]`) into its pinned ref and path */
  datasets?: DatasetResolver;
}

/**
 * Evaluations, as the routes see them: the queries (./queries.ts), and create (./submit.ts), stop and delete,
 * with supervision (./supervise.ts) watching each runner until it settles.
 */
export class EvaluationService extends EvaluationQueries {
  private readonly supervision: EvaluationSupervision;
  private readonly submitter: EvaluationSubmitter;
  private readonly root: string;

  constructor(store: Store, options: EvaluationServiceOptions) {
    const files = new EvaluationFiles();
    super(store, files, options.log);
    this.root = options.root;
    this.supervision = new EvaluationSupervision(store, { ...options, files });
    this.submitter = new EvaluationSubmitter(store, this.supervision, options);
  }

  async create(input: EvaluationCreate): Promise<Evaluation> {
    return evaluationOf(await this.submitter.create(input));
  }

  async stop(id: string): Promise<Evaluation> {
    const evaluation = this.record(id);
    if (evaluation.state === 'STOP IN PROGRESS') return evaluationOf(evaluation);
    if (this.settled(evaluation)) throw conflict(`evaluation ${evaluation.id} has already ended (${evaluation.state})`);
    return evaluationOf(await this.supervision.stop(evaluation));
  }

  /** A settled evaluation: its record, its files, and what was cached of them go. */
  async delete(id: string): Promise<void> {
    const evaluation = this.record(id);
    if (!this.settled(evaluation)) {
      throw conflict(`evaluation ${evaluation.id} is ${evaluation.state}; stop it before deleting it`);
    }
    this.store.tx(() => this.store.evaluations.delete(evaluation.id));
    this.files.forget(evaluation.id);
    try {
      await rm(evaluation.dir, { recursive: true, force: true });
    } catch (error) {
      this.log.warn({ evaluation: evaluation.id, error: (error as Error).message }, 'could not remove the evaluation folder');
    }
  }

  /** At start: pick up what a previous bridge left running, and clear what it left half-made. */
  reconcile(): void {
    this.supervision.reconcile();
    void this.removeOrphans().catch((error: Error) => {
      this.log.warn({ error: error.message }, 'could not clear the evaluation folders no record owns');
    });
  }

  /** Folders under `<home>/evaluations` without a record: creates a bridge died in the middle of. */
  private async removeOrphans(): Promise<void> {
    for (const entry of await readdirIfPresent(this.root)) {
      if (!entry.isDirectory() || this.store.evaluations.get(entry.name)) continue;
      const dir = join(this.root, entry.name);
      this.supervision.endOrphan(dir);
      await rm(dir, { recursive: true, force: true });
      this.log.info({ dir }, 'removed an evaluation folder no record owns');
    }
  }

  shutdown(): void {
    this.supervision.shutdown();
  }
}
