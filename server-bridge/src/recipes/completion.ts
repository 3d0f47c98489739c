import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import {
  BUILTIN_RECIPES,
  type DatasetFormat,
  DEFAULT_BATCH_ROWS,
  DEFAULT_MAX_ERRORS,
  DEFAULT_THRESHOLD,
  type EvaluationResult,
  type Model,
} from '@emkit/shared';
import { type EvaluationSpec, evaluationLayout, type RunnerStatus } from '../evaluations/contract.js';
import { headline, MAX_CURVES_BYTES, MAX_RESULT_BYTES } from '../evaluations/results.js';
import type { ModelService } from '../models/service.js';
import { copyRegularFile, readRegularFile } from '../runtime/safe-files.js';
import type { Store } from '../store/index.js';
import type { TrainingRecord } from '../store/trainings.js';
import { trainingLayout } from '../trainings/contract.js';
import type { CompletionStep } from '../trainings/supervise.js';

export interface RecipeCompletionOptions {
  /** `<home>/evaluations` */
  evaluationsRoot: string;
  models: ModelService;
}

const BUILTIN_NAMES = new Set(BUILTIN_RECIPES.map((b) => b.name));
/** spec.json and status.json are a few hundred bytes; anything near this is not what the recipe wrote */
const MAX_SMALL_JSON_BYTES = 1024 * 1024;
/** the runner's log, as the recipe's in-process evaluation left it */
const MAX_LOG_BYTES = 64 * 1024 * 1024;

/** Where a built-in recipe's in-process evaluation leaves its files: `<training>/artifacts/evaluation/`. */
export const recipeEvaluationDir = (training: TrainingRecord) => join(trainingLayout(training.dir).artifacts, 'evaluation');

/**
 * What a built-in recipe's training gets as it ends COMPLETE (the supervision's completion step): a
 * version of its model, registered from EM_MODEL_DIR (framework custom, tag recipe=<type>), and the
 * holdout evaluation the recipe ran, imported as a COMPLETE evaluation of that version. Other
 * trainings, and a built-in's trained with `model: null`, get nothing.
 */
export function recipeCompletion(store: Store, options: RecipeCompletionOptions): CompletionStep {
  return async (training) => {
    if (training.recipe === null || !BUILTIN_NAMES.has(training.recipe) || training.registerModel === null) return {};
    // a bridge that stopped between registering and recording COMPLETE left these: the next one takes them up
    const earlier = store.models.versionsFromTraining(training.id).find((ref) => ref.startsWith(`${training.registerModel}:`));
    const registered = earlier === undefined ? undefined : store.models.find(earlier);
    if (registered) {
      const evaluated = store.evaluations.list({ modelIds: [registered.id], state: 'COMPLETE', limit: 1, offset: 0 });
      const ref = { id: registered.id, name: registered.name, version: registered.version };
      const evaluation = evaluated.items[0]?.id;
      if (evaluation) return { model: ref, evaluation };
    }
    let model: Model;
    try {
      model =
        registered ??
        (await options.models.registerFromEndingTraining(training, {
          name: training.registerModel,
          description: `trained by recipe "${training.recipe}" (training "${training.name}")`,
          framework: 'custom',
          tags: { recipe: training.recipe },
        }));
    } catch (error) {
      return { problem: `its model could not be registered as "${training.registerModel}": ${(error as Error).message}` };
    }
    const ref = { id: model.id, name: model.name, version: model.version };
    try {
      const evaluation = await importEvaluation(store, options.evaluationsRoot, training, model);
      return { model: ref, evaluation };
    } catch (error) {
      return { model: ref, problem: `its holdout evaluation could not be imported: ${(error as Error).message}` };
    }
  };
}

async function readJson<T>(path: string, what: string): Promise<T> {
  const text = await readRegularFile(path, MAX_SMALL_JSON_BYTES, { noFollow: true });
  if (text === undefined) throw new Error(`${what} is missing (${path})`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${what} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The recipe's evaluation files copied into `<home>/evaluations/<id>/` (spec.json pointing at the
 * registered version), and the record of a COMPLETE evaluation: data = the holdout, sha256 as its
 * status.json says. Answers its id; a failure leaves no folder and no record.
 */
async function importEvaluation(store: Store, root: string, training: TrainingRecord, model: Model): Promise<string> {
  const from = recipeEvaluationDir(training);
  const source = evaluationLayout(from);
  const statusText = await readRegularFile(source.status, MAX_SMALL_JSON_BYTES, { noFollow: true });
  if (statusText === undefined) throw new Error(`its status.json is missing (${source.status})`);
  const status = JSON.parse(statusText) as RunnerStatus;
  if (status.state !== 'COMPLETE') throw new Error(`it ended ${status.state}${status.reason ? `: ${status.reason}` : ''}`);
  // the recipe writes what the runner needs; the rest takes the defaults an evaluation of the API would
  const written = await readJson<Partial<EvaluationSpec> & { data?: Partial<EvaluationSpec['data']> }>(
    source.spec,
    'its spec.json',
  );
  if (typeof written.data?.path !== 'string') throw new Error('its spec.json names no data path');
  const spec = {
    threshold: written.threshold ?? DEFAULT_THRESHOLD,
    maxErrors: written.maxErrors ?? DEFAULT_MAX_ERRORS,
    batchRows: written.batchRows ?? DEFAULT_BATCH_ROWS,
    task: written.task ?? status.task ?? null,
    data: {
      path: written.data.path,
      format: written.data.format ?? ((written.data.path.endsWith('.csv') ? 'csv' : 'folder') as DatasetFormat),
      label: written.data.label ?? null,
      features: written.data.features ?? null,
    },
    logFile: written.logFile,
  };
  const resultText = await readRegularFile(source.result, MAX_RESULT_BYTES, { noFollow: true });
  if (resultText === undefined) throw new Error(`its result.json is missing (${source.result})`);
  const result = JSON.parse(resultText) as EvaluationResult;

  const id = store.evaluations.newId();
  const layout = evaluationLayout(join(root, id));
  await mkdir(layout.dir, { recursive: true });
  try {
    await writeFile(layout.result, resultText);
    await writeFile(layout.status, statusText);
    await copyIfThere(source.curves, layout.curves, MAX_CURVES_BYTES);
    // the log the recipe named in its spec, when it is in that folder
    const log = relative(from, spec.logFile ?? '');
    if (log && !log.startsWith('..') && !isAbsolute(log)) await copyIfThere(join(from, log), layout.supervisorLog, MAX_LOG_BYTES);
    const copied: EvaluationSpec = {
      version: 1,
      ...spec,
      evaluationId: id,
      model: {
        id: model.id,
        name: model.name,
        version: model.version,
        framework: model.framework,
        artifactPath: model.artifactPath,
      },
      statusFile: layout.status,
      resultFile: layout.result,
      curvesFile: layout.curves,
      logFile: layout.supervisorLog,
    };
    await writeFile(layout.spec, `${JSON.stringify(copied, null, 2)}\n`);
    store.tx(() => {
      store.evaluations.insert({
        id,
        model: { id: model.id, name: model.name, version: model.version },
        data: {
          path: spec.data.path,
          format: spec.data.format,
          label: spec.data.label,
          features: spec.data.features,
          sha256: null,
        },
        task: spec.task,
        threshold: spec.threshold,
        maxErrors: spec.maxErrors,
        batchRows: spec.batchRows,
        environmentId: training.environmentId,
        environment: training.environment,
        python: training.python,
        runnerPid: null,
        dir: layout.dir,
      });
      const done = store.evaluations.update(id, {
        state: 'COMPLETE',
        stateReason: status.reason,
        rowsDone: status.rowsDone,
        sha256: status.sha256,
        task: spec.task,
        metrics: headline(result),
        startedAt: status.startedAt,
        endedAt: status.endedAt ?? new Date().toISOString(),
      });
      store.evaluations.recordFinished(done);
    });
    return id;
  } catch (error) {
    await rm(layout.dir, { recursive: true, force: true });
    throw error;
  }
}

async function copyIfThere(from: string, to: string, maxBytes: number): Promise<void> {
  try {
    await copyRegularFile(from, to, maxBytes);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
