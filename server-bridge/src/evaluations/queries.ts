import {
  type Evaluation,
  type EvaluationList,
  type EvaluationListQuery,
  evaluationStates,
  isSettled,
  type LogChunk,
  type LogQuery,
  type ModelIterations,
} from '@emkit/shared';
import type { FastifyBaseLogger } from 'fastify';
import { readLogChunk } from '../runtime/logs.js';
import { HttpError, notFound } from '../server/errors.js';
import { logWindowOf, pageOf } from '../server/query-defaults.js';
import { type EvaluationRecord, evaluationOf, evaluationSummary } from '../store/evaluations.js';
import type { Store } from '../store/index.js';
import { evaluationLayout } from './contract.js';
import type { EvaluationFiles } from './results.js';
import { figuresAt } from './threshold.js';

/** The read side of evaluations: one with its result (and a threshold's figures), lists, logs, iterations. */
export class EvaluationQueries {
  constructor(
    protected readonly store: Store,
    protected readonly files: EvaluationFiles,
    protected readonly log: FastifyBaseLogger,
  ) {}

  protected record(id: string): EvaluationRecord {
    const evaluation = this.store.evaluations.get(id);
    if (!evaluation) throw notFound('evaluation', id);
    return evaluation;
  }

  /** With its result once COMPLETE, and precision/recall per class at `threshold` (else its own) where it has scores. */
  async find(id: string, threshold?: number): Promise<Evaluation> {
    const evaluation = this.record(id);
    if (evaluation.state !== 'COMPLETE') {
      if (threshold !== undefined) {
        throw new HttpError(
          409,
          'conflict',
          `evaluation ${id} is ${evaluation.state}: figures at a threshold come once it is COMPLETE`,
        );
      }
      return evaluationOf(evaluation);
    }
    let files: Awaited<ReturnType<EvaluationFiles['read']>>;
    try {
      files = await this.files.read(evaluation.id, evaluation.dir);
    } catch (error) {
      this.log.warn({ evaluation: id, error: (error as Error).message }, 'the result of an evaluation could not be read');
      throw new HttpError(500, 'internal', `the result of evaluation ${id} could not be read: ${(error as Error).message}`);
    }
    if (!files) throw new HttpError(500, 'internal', `the result of evaluation ${id} is gone from ${evaluation.dir}`);
    if (files.curvesProblem && threshold !== undefined) {
      this.log.warn({ evaluation: id, error: files.curvesProblem }, 'the curves of an evaluation could not be read');
    }
    const atThreshold = files.curves ? figuresAt(files.curves, threshold ?? evaluation.threshold) : null;
    return evaluationOf(evaluation, files.result, atThreshold);
  }

  list(query: EvaluationListQuery | undefined): EvaluationList {
    let modelIds: string[] | undefined;
    if (query?.model) {
      const model = this.store.models.find(query.model);
      if (!model) throw notFound('model', query.model);
      // a bare name means all its versions; id, name:version and name@alias mean one
      const all = query.model === model.name;
      modelIds = all
        ? this.store.models.list({ name: model.name, limit: 100_000, offset: 0 }).items.map((m) => m.id)
        : [model.id];
    }
    const page = this.store.evaluations.list({ modelIds, state: query?.state, ...pageOf(query) });
    return { items: page.items.map(evaluationSummary), total: page.total };
  }

  readLog(id: string, query: LogQuery | undefined): Promise<LogChunk> {
    const evaluation = this.record(id);
    const { offset, limit } = logWindowOf(query);
    return readLogChunk(evaluationLayout(evaluation.dir).supervisorLog, offset, limit);
  }

  /** Every version of a model name, oldest first, each with its newest COMPLETE evaluation on one dataset. */
  iterations(ref: string, dataset: string | undefined): ModelIterations {
    const model = this.store.models.find(ref);
    if (!model) throw notFound('model', ref);
    const datasets = this.store.evaluations.datasetsOf(model.name);
    const chosen = dataset === undefined ? datasets[0] : datasets.find((d) => d.sha256 === dataset);
    if (dataset !== undefined && !chosen) {
      throw notFound(`dataset evaluated with model "${model.name}"`, dataset);
    }
    const latest = chosen
      ? this.store.evaluations.latestCompleteOn(model.name, chosen.sha256)
      : new Map<string, EvaluationRecord>();
    const versions = this.store.models.list({ name: model.name, limit: 100_000, offset: 0 }).items;
    versions.sort((a, b) => a.version - b.version);
    return {
      name: model.name,
      dataset: chosen ? { sha256: chosen.sha256, path: chosen.path } : null,
      datasets,
      iterations: versions.map((version) => {
        const evaluation = latest.get(version.id);
        return {
          modelId: version.id,
          version: version.version,
          aliases: version.aliases,
          evaluation: evaluation ? evaluationSummary(evaluation) : null,
        };
      }),
    };
  }

  protected settled(evaluation: EvaluationRecord): boolean {
    return isSettled(evaluationStates, evaluation.state);
  }
}
