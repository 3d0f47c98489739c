import type { ScheduleOrigin } from '../feeds/protocol.js';
import type { Model } from '../schemas/models.js';
import type { Recipe } from '../schemas/recipes.js';
import type { ScheduleCreate, ScheduleStep } from '../schemas/schedules.js';
import type { Training } from '../schemas/trainings.js';

/**
 * The schedule editor's starting point, from where it was opened: a training (retrain it), a
 * recipe (train it again on its datasets), a model version (score a dataset with it) or a
 * notebook (retrain its newest training from the file as saved then; one never submitted is
 * run by its path, as saved at each run). Pure, so both editors
 * and the tests build the same draft; the bridge checks it again on save.
 */

/** The timing a new schedule starts with: once a day, which the person then changes. */
export const DEFAULT_EVERY = '1d';

/** The words a draft's note uses, for the editors' catalogs (VIEW_STRINGS holds them). */
export const DRAFT_STRINGS = {
  unknown: '{0} is no longer there: choose what the schedule runs.',
} as const;

export interface DraftLists {
  trainings: readonly Training[];
  recipes: readonly Recipe[];
  models: readonly Model[];
}

export interface ScheduleDraft {
  draft: ScheduleCreate;
  /** DRAFT_STRINGS' text (English, `{0}` left for the view to fill with `noteArg`), or null */
  note: string | null;
  noteArg?: string;
}

/** A schedule name from what it runs: the bridge's name rule, with room for `-schedule`. */
export function scheduleName(base: string): string {
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 41)
    .replace(/[-_]+$/, '');
  return `${name || 'schedule'}-schedule`;
}

/** The absolute path of the file a training ran (its snapshot's folder joined with its entry point). */
export function trainingFile(training: Pick<Training, 'source'>): string {
  const folder = training.source.path.replace(/[\\/]+$/, '');
  return training.source.entryPoint ? `${folder}/${training.source.entryPoint}` : folder;
}

/** A training step that retrains `training`, registering the model its versions came from, if any. */
function trainingStep(training: Training, models: readonly Model[], source: 'snapshot' | 'latest'): ScheduleStep {
  const model = models.find((m) => m.source.training?.id === training.id)?.name;
  return {
    kind: 'training',
    training: training.id,
    source,
    hyperparameters: { ...training.hyperparameters },
    ...(Object.keys(training.datasets).length ? { datasets: { ...training.datasets } } : {}),
    ...(model ? { model } : {}),
  };
}

export function scheduleDraft(origin: ScheduleOrigin, lists: DraftLists): ScheduleDraft {
  // null: nothing to name it after
  const draft = (name: string | null, steps: ScheduleStep[]): ScheduleCreate => ({
    name: name === null ? 'schedule' : scheduleName(name),
    every: DEFAULT_EVERY,
    steps,
    overlap: 'skip',
    catchUp: true,
  });
  switch (origin.kind) {
    case 'training': {
      const training = lists.trainings.find((t) => t.id === origin.training || t.name === origin.training);
      if (!training) return { draft: draft(null, []), note: DRAFT_STRINGS.unknown, noteArg: origin.training };
      return { draft: draft(training.name, [trainingStep(training, lists.models, 'snapshot')]), note: null };
    }
    case 'notebook': {
      // the list is newest first: the newest training of this file is the template
      const training = lists.trainings.find((t) => trainingFile(t) === origin.path);
      const base =
        origin.path
          .split(/[\\/]/)
          .pop()
          ?.replace(/\.(ipynb|py)$/i, '') ?? 'notebook';
      if (!training) return { draft: draft(base, [{ kind: 'training', path: origin.path }]), note: null };
      return { draft: draft(base, [trainingStep(training, lists.models, 'latest')]), note: null };
    }
    case 'recipe': {
      const recipe = lists.recipes.find((r) => r.id === origin.recipe || r.name === origin.recipe);
      if (!recipe) return { draft: draft(null, []), note: DRAFT_STRINGS.unknown, noteArg: origin.recipe };
      const hyperparameters = Object.fromEntries(
        recipe.parameters.filter((p) => p.default !== null).map((p) => [p.name, p.default as string]),
      );
      const step: ScheduleStep = {
        kind: 'recipe',
        recipe: recipe.id,
        // the person names each dataset in the editor; empty until then
        datasets: Object.fromEntries(recipe.datasets.map((d) => [d.name, ''])),
        hyperparameters,
      };
      return { draft: draft(recipe.name, [step]), note: null };
    }
    case 'model': {
      const model = lists.models.find((m) => m.id === origin.model || `${m.name}:${m.version}` === origin.model);
      if (!model) return { draft: draft(null, []), note: DRAFT_STRINGS.unknown, noteArg: origin.model };
      const step: ScheduleStep = { kind: 'batch', batch: { model: `${model.name}:${model.version}`, input: '' } };
      return { draft: draft(`${model.name}-scoring`, [step]), note: null };
    }
    default:
      return { draft: draft(null, []), note: null };
  }
}

/** What may follow the first step: retrain → evaluate → promote if a metric passes → re-score. */
export interface ScheduleChain {
  evaluate?: { data: string; label?: string };
  promote?: { alias: string; metric: string; comparison: '>=' | '>' | '<=' | '<'; threshold: number };
  rescore?: { input: string; output?: string };
}

/**
 * The steps of a schedule: its first step, then the chain in its fixed order. A promote needs
 * the evaluation before it (the bridge answers 422 otherwise); a re-score with one `output`
 * folder for every run overwrites the last run's predictions.
 */
export function chainSteps(first: ScheduleStep, chain: ScheduleChain): ScheduleStep[] {
  const steps: ScheduleStep[] = [first];
  if (chain.evaluate) {
    steps.push({
      kind: 'evaluation',
      data: chain.evaluate.data,
      ...(chain.evaluate.label ? { label: chain.evaluate.label } : {}),
    });
  }
  if (chain.promote) steps.push({ kind: 'promote', ...chain.promote });
  if (chain.rescore) {
    const { input, output } = chain.rescore;
    steps.push({ kind: 'batch', batch: { input, ...(output ? { output, overwrite: true } : {}) } });
  }
  return steps;
}
