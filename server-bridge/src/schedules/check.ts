import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { ScheduleStep } from '@emkit/shared';
import { type DatasetResolver, isDatasetRef } from '../datasets/resolve.js';
import { HttpError } from '../server/errors.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import { trainingLayout } from '../trainings/contract.js';

export interface StepCheckDeps {
  store: Store;
  /** a recipe by id or name, built-in or saved (throws 404) */
  findRecipe: (key: string) => { builtin: boolean; name: string };
  datasets?: DatasetResolver;
}

const missing = (what: string, key: string, field: string) =>
  new HttpError(404, 'not_found', `${field}: ${what} "${key}" doesn't exist`, field);
const unprocessable = (message: string, field: string) => new HttpError(422, 'unprocessable', `${field}: ${message}`, field);
const badRequest = (message: string, field: string) => new HttpError(400, 'bad_request', `${field}: ${message}`, field);

/** A training step by path: absolute, there, and run as saved (a snapshot belongs to a template training). */
function checkPathStep(path: string, source: 'snapshot' | 'latest' | undefined, at: string): void {
  if (!isAbsolute(path)) throw badRequest(`"${path}" is not an absolute path`, `${at}.path`);
  if (source === 'snapshot') {
    throw badRequest('a path is run as saved at each run; source: snapshot needs a template training', `${at}.source`);
  }
  if (!existsSync(path)) throw missing('notebook, script or folder', path, `${at}.path`);
}

/**
 * Each step's target exists, and the chain hands on what later steps take (a model to evaluate, an evaluation to
 * judge): checked when a schedule is made or changed, and again at each due time (a 404 then pauses the schedule).
 */
export async function checkSteps(steps: readonly ScheduleStep[], deps: StepCheckDeps): Promise<void> {
  let madeModel = false;
  let evaluated = false;
  let promotes = false;
  for (const [n, step] of steps.entries()) {
    const at = `steps.${n}`;
    switch (step.kind) {
      case 'training': {
        if ((step.training === undefined) === (step.path === undefined)) {
          throw badRequest(
            'give exactly one of training (a training to run again) and path (a notebook, script or folder to run as saved)',
            `${at}.training`,
          );
        }
        if (step.path !== undefined) {
          checkPathStep(step.path, step.source, at);
          madeModel = step.model !== undefined;
          break;
        }
        const training = deps.store.trainings.get(step.training as string);
        if (!training) throw missing('training', step.training as string, `${at}.training`);
        checkTemplateSource(training, step.source ?? 'snapshot', at);
        madeModel = step.model !== undefined || training.registerModel !== null;
        break;
      }
      case 'recipe': {
        let recipe: { builtin: boolean };
        try {
          recipe = deps.findRecipe(step.recipe);
        } catch {
          throw missing('recipe', step.recipe, `${at}.recipe`);
        }
        // a built-in registers a model (the schedule's name by default); a saved recipe's training only with `model`
        madeModel = recipe.builtin || step.model !== undefined;
        break;
      }
      case 'evaluation': {
        if (step.model !== undefined) {
          if (!deps.store.models.find(step.model)) throw missing('model', step.model, `${at}.model`);
        } else if (!madeModel) {
          throw unprocessable(
            'no earlier step makes a model version to evaluate: name a model, or give the training step a `model`',
            `${at}.model`,
          );
        }
        await checkData(step.data, `${at}.data`, deps.datasets);
        evaluated = true;
        break;
      }
      case 'promote':
        if (!evaluated)
          throw unprocessable('a promote step judges an evaluation: put an evaluation step before it', `${at}.kind`);
        promotes = true;
        break;
      case 'batch': {
        const model = step.batch.model;
        if (model !== undefined) {
          if (!deps.store.models.find(model)) throw missing('model', model, `${at}.batch.model`);
        } else if (!madeModel && !promotes) {
          throw unprocessable('no earlier step makes or promotes a model to score with: name batch.model', `${at}.batch.model`);
        }
        await checkData(step.batch.input, `${at}.batch.input`, deps.datasets);
        break;
      }
    }
  }
}

/** The template's code is still there: its snapshot, or (latest) the folder it was submitted from. */
function checkTemplateSource(training: TrainingRecord, source: 'snapshot' | 'latest', at: string): void {
  const path = source === 'snapshot' ? trainingLayout(training.dir).source : training.source.path;
  if (!existsSync(path)) {
    throw unprocessable(
      source === 'snapshot'
        ? `the source snapshot of training "${training.name}" is gone (${path})`
        : `the folder training "${training.name}" was submitted from is gone (${path}); schedule its snapshot instead`,
      `${at}.source`,
    );
  }
}

async function checkData(data: string, field: string, datasets: DatasetResolver | undefined): Promise<void> {
  if (datasets && isDatasetRef(data)) {
    await datasets(data, field);
    return;
  }
  if (!isAbsolute(data)) throw unprocessable(`"${data}" is neither an absolute path nor a dataset name[:version]`, field);
  if (!existsSync(data)) throw missing('data', data, field);
}
