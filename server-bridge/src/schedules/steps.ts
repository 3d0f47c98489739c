import {
  batchInferenceStates,
  type EvaluationResult,
  evaluationStates,
  isSettled,
  type ScheduleRunStep,
  type ScheduleStep,
  trainingStates,
} from '@emkit/shared';
import type { BatchInferenceService } from '../batch-inferences/service.js';
import type { EvaluationService } from '../evaluations/service.js';
import type { ModelService } from '../models/service.js';
import type { RecipeService } from '../recipes/service.js';
import type { Store } from '../store/index.js';
import type { ChainState, RunRecord, ScheduleRecord } from '../store/schedules.js';
import type { TrainingRecord } from '../store/trainings.js';
import type { TrainingService } from '../trainings/service.js';
import { comparisonHolds, describeFigure, figureOf } from './metric.js';
import { whenSettled } from './settle.js';

type StepResource = NonNullable<ScheduleRunStep['resource']>;

export interface StepDeps {
  store: Store;
  trainings: TrainingService;
  recipes: RecipeService;
  models: ModelService;
  evaluations: EvaluationService;
  batchInferences: Pick<BatchInferenceService, 'create'>;
}

/** A step that could not do its part: the run fails with this, later steps are SKIPPED. */
export class StepFailed extends Error {}

export interface StepContext {
  schedule: ScheduleRecord;
  run: RunRecord;
  index: number;
  chain: ChainState;
  signal: AbortSignal;
  /** the name recorded for what the step makes (nameFor), given to it */
  name?: string;
}

/** What a step's end hands on: its outcome in words and the chain's state for the next step. */
export interface StepEnd {
  outcome: string | null;
  chain: ChainState;
}

/**
 * The steps of a run, each in two halves: `start` makes the resource (a normal training, evaluation or batch job)
 * and is recorded on the run before `finish` waits for it to settle, so a restarted bridge resumes at `finish`.
 */
export class ScheduleSteps {
  constructor(private readonly deps: StepDeps) {}

  /** The name of the training or batch job the step will make (none for the other steps), chosen free now. */
  nameFor(step: ScheduleStep, context: StepContext): string | undefined {
    switch (step.kind) {
      case 'training':
      case 'recipe':
        return this.runName(context);
      case 'batch':
        return step.batch.name ?? withSuffix(context.schedule.name, `-${context.run.number}-${context.index + 1}`);
      default:
        return undefined;
    }
  }

  /** What this run's step made by that name before the bridge could record it, if it did. */
  madeBefore(step: ScheduleStep, name: string, run: RunRecord): StepResource | null {
    const since = run.startedAt ?? run.dueAt;
    if (step.kind === 'training' || step.kind === 'recipe') {
      const training = this.deps.store.trainings.get(name);
      return training && training.name === name && training.createdAt >= since ? { type: 'trainings', id: training.id } : null;
    }
    if (step.kind === 'batch') {
      const { items } = this.deps.store.batchInferences.list({ schedule: run.schedule, limit: 50, offset: 0 });
      const job = items.find((j) => j.name === name && j.createdAt >= since);
      return job ? { type: 'batch-inferences', id: job.id } : null;
    }
    return null;
  }

  async start(step: ScheduleStep, context: StepContext): Promise<StepResource | null> {
    switch (step.kind) {
      case 'training':
        return { type: 'trainings', id: await this.startTraining(step, context) };
      case 'recipe':
        return { type: 'trainings', id: await this.startRecipe(step, context) };
      case 'evaluation':
        return { type: 'evaluations', id: await this.startEvaluation(step, context) };
      case 'promote':
        return null;
      case 'batch':
        return { type: 'batch-inferences', id: await this.startBatch(step, context) };
    }
  }

  async finish(step: ScheduleStep, resource: StepResource | null, context: StepContext): Promise<StepEnd> {
    switch (step.kind) {
      case 'training':
      case 'recipe':
        return this.finishTraining(step, (resource as StepResource).id, context);
      case 'evaluation':
        return this.finishEvaluation((resource as StepResource).id, context);
      case 'promote':
        return this.promote(step, context);
      case 'batch':
        return this.finishBatch((resource as StepResource).id, context);
    }
  }

  private async startTraining(step: Extract<ScheduleStep, { kind: 'training' }>, context: StepContext): Promise<string> {
    if (step.path !== undefined) return this.startFromPath(step.path, step, context);
    const template = this.deps.store.trainings.get(step.training as string);
    if (!template) throw new StepFailed(`training "${step.training}" doesn't exist any more`);
    const name = context.name ?? this.runName(context);
    const hyperparameters = { ...template.hyperparameters, ...step.hyperparameters };
    const datasets = { ...template.datasets, ...step.datasets };
    const tags = withScheduleTag(template.tags, context.schedule.name);
    const description = `run ${context.run.number} of schedule "${context.schedule.name}"`;
    if ((step.source ?? 'snapshot') === 'snapshot') {
      const copy = await this.deps.trainings.copy(template.id, { name, description, hyperparameters, datasets, tags });
      return copy.id;
    }
    const created = await this.deps.trainings.create(
      {
        name,
        description,
        experiment: template.experimentId,
        source: { path: template.source.path, entryPoint: template.source.entryPoint },
        hyperparameters,
        datasets,
        environment: template.environmentId ?? undefined,
        instanceCount: template.instanceCount,
        maxDurationSeconds: template.maxDurationSeconds ?? undefined,
        tags,
        earlyStopping: template.earlyStopping ?? undefined,
      },
      { recipe: template.recipe, registerModel: template.registerModel },
    );
    return created.id;
  }

  /** A notebook, script or folder submitted as saved now, in the experiment named as the schedule. */
  private async startFromPath(
    path: string,
    step: Extract<ScheduleStep, { kind: 'training' }>,
    context: StepContext,
  ): Promise<string> {
    const created = await this.deps.trainings.create({
      name: context.name ?? this.runName(context),
      description: `run ${context.run.number} of schedule "${context.schedule.name}"`,
      experiment: context.schedule.name,
      source: { path },
      hyperparameters: step.hyperparameters ?? {},
      datasets: step.datasets ?? {},
      ...(step.environment ? { environment: step.environment } : {}),
      tags: withScheduleTag({}, context.schedule.name),
    });
    return created.id;
  }

  private async startRecipe(step: Extract<ScheduleStep, { kind: 'recipe' }>, context: StepContext): Promise<string> {
    const recipe = this.deps.recipes.find(step.recipe);
    const training = await this.deps.recipes.train(recipe.id, {
      name: context.name ?? this.runName(context),
      description: `run ${context.run.number} of schedule "${context.schedule.name}"`,
      datasets: step.datasets,
      hyperparameters: step.hyperparameters,
      // a built-in registers its model as it ends: the step's name for it, else the schedule's
      ...(recipe.builtin ? { model: step.model ?? context.schedule.name } : {}),
    });
    return training.id;
  }

  private async finishTraining(
    step: Extract<ScheduleStep, { kind: 'training' | 'recipe' }>,
    id: string,
    context: StepContext,
  ): Promise<StepEnd> {
    const training = await whenSettled<TrainingRecord>(
      this.deps.store.events,
      'trainings',
      id,
      () => this.deps.store.trainings.get(id),
      (t) => isSettled(trainingStates, t.state),
      context.signal,
    );
    if (training.state !== 'COMPLETE') {
      throw new StepFailed(
        `training "${training.name}" ended ${training.state}${training.stateReason ? `: ${training.stateReason}` : ''}`,
      );
    }
    // a built-in's training registered its version as it ended; any other registers one now if the step names a model
    let model = training.model ?? undefined;
    if (!model && step.model !== undefined) {
      const made = await this.deps.models.create({
        name: step.model,
        training: training.id,
        description: `from run ${context.run.number} of schedule "${context.schedule.name}"`,
      });
      model = { id: made.id, name: made.name, version: made.version };
    }
    return {
      outcome: model ? `${training.name} registered ${model.name}:${model.version}` : `${training.name} COMPLETE`,
      chain: { ...context.chain, ...(model ? { model } : {}) },
    };
  }

  private async startEvaluation(step: Extract<ScheduleStep, { kind: 'evaluation' }>, context: StepContext): Promise<string> {
    const model = step.model ?? context.chain.model?.id;
    if (model === undefined) throw new StepFailed('no model to evaluate: no earlier step registered one');
    const evaluation = await this.deps.evaluations.create({
      model,
      data: step.data,
      ...(step.label === undefined ? {} : { label: step.label }),
      ...(step.features === undefined ? {} : { features: step.features }),
    });
    return evaluation.id;
  }

  private async finishEvaluation(id: string, context: StepContext): Promise<StepEnd> {
    const evaluation = await whenSettled(
      this.deps.store.events,
      'evaluations',
      id,
      () => this.deps.store.evaluations.get(id),
      (e) => isSettled(evaluationStates, e.state),
      context.signal,
    );
    const label = `${evaluation.model.name}:${evaluation.model.version}`;
    if (evaluation.state !== 'COMPLETE') {
      throw new StepFailed(
        `the evaluation of ${label} ended ${evaluation.state}${evaluation.stateReason ? `: ${evaluation.stateReason}` : ''}`,
      );
    }
    const figures = Object.entries(evaluation.metrics)
      .filter(([, v]) => typeof v === 'number')
      .slice(0, 3)
      .map(([k, v]) => `${k} ${describeFigure(v as number)}`);
    return {
      outcome: `${label}: ${figures.join(', ') || 'COMPLETE'}`,
      chain: { ...context.chain, evaluation: { id, model: evaluation.model.id } },
    };
  }

  /** Read the evaluation's figure, compare it, and move the alias only when it passes: either way, say which. */
  private async promote(step: Extract<ScheduleStep, { kind: 'promote' }>, context: StepContext): Promise<StepEnd> {
    const judged = context.chain.evaluation;
    if (!judged) throw new StepFailed('no evaluation to judge: the evaluation step before it made none');
    const evaluation = await this.deps.evaluations.find(judged.id);
    const value = figureOf(evaluation.result as EvaluationResult | null, this.summaryOf(judged.id), step.metric);
    if (value === undefined) {
      throw new StepFailed(`the evaluation ${judged.id} has no figure "${step.metric}" (e.g. accuracy, macro.f1, r2, rmse)`);
    }
    const comparison = step.comparison ?? '>=';
    const model = this.deps.models.find(judged.model);
    const label = `${model.name}:${model.version}`;
    const test = `${step.metric} ${describeFigure(value)} ${comparison} ${step.threshold}`;
    const chain: ChainState = { ...context.chain, promote: { name: model.name, alias: step.alias } };
    if (!comparisonHolds(value, comparison, step.threshold)) {
      return { outcome: `not promoted: ${test} does not hold; ${step.alias} stays where it was`, chain };
    }
    this.deps.models.promote(model.id, step.alias);
    return { outcome: `${test}: ${label} promoted to ${step.alias}`, chain };
  }

  private summaryOf(id: string): Record<string, number | null> {
    return this.deps.store.evaluations.get(id)?.metrics ?? {};
  }

  private async startBatch(step: Extract<ScheduleStep, { kind: 'batch' }>, context: StepContext): Promise<string> {
    const { chain } = context;
    // the alias the chain promotes (whichever version holds it now), else the version the chain made
    const model =
      step.batch.model ??
      (chain.promote ? `${chain.promote.name}@${chain.promote.alias}` : chain.model ? chain.model.id : undefined);
    if (model === undefined) throw new StepFailed('no model to score with: no earlier step made or promoted one');
    const job = await this.deps.batchInferences.create(
      { ...step.batch, model, ...(context.name ? { name: context.name } : {}) },
      { schedule: context.schedule.id },
    );
    return job.id;
  }

  private async finishBatch(id: string, context: StepContext): Promise<StepEnd> {
    const job = await whenSettled(
      this.deps.store.events,
      'batch-inferences',
      id,
      () => this.deps.store.batchInferences.get(id),
      (j) => isSettled(batchInferenceStates, j.state),
      context.signal,
    );
    const label = `batch scoring ${job.name} with ${job.model.name}:${job.model.version}`;
    if (job.state !== 'COMPLETE') throw new StepFailed(`${label} ended ${job.state}${job.reason ? `: ${job.reason}` : ''}`);
    return { outcome: `${label}: ${job.progress.done} items scored into ${job.output}`, chain: context.chain };
  }

  /** `<schedule>-<run number>`, cut to fit a name, and made free if a training has it already. */
  private runName(context: StepContext): string {
    const suffix = `-${context.run.number}${context.index > 0 ? `-${context.index + 1}` : ''}`;
    const base = `${context.schedule.name.slice(0, 50 - suffix.length - 3)}${suffix}`;
    let name = base;
    for (let n = 2; this.deps.store.trainings.get(name); n++) name = `${base}-${n}`;
    return name;
  }
}

/** `<base><suffix>`, the base cut to keep it within a name's 50 characters. */
function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, 50 - suffix.length)}${suffix}`;
}

/** The template's tags plus `schedule: <name>`, while there is room (at most 10). */
function withScheduleTag(tags: Record<string, string>, schedule: string): Record<string, string> {
  if ('schedule' in tags || Object.keys(tags).length < 10) return { ...tags, schedule };
  return tags;
}
