import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BUILTIN_RECIPES,
  builtinRecipe,
  type ModelType,
  notebookParameterEntries,
  type Recipe,
  type RecipeList,
  type RecipeSave,
  type RecipeTrain,
  type Training,
} from '@emkit/shared';
import { readRegularFile } from '../runtime/safe-files.js';
import { conflict, HttpError, notFound } from '../server/errors.js';
import { pageOf } from '../server/query-defaults.js';
import type { Store } from '../store/index.js';
import { publicRecipe, type RecipeRecord } from '../store/recipes.js';
import { isUniqueViolation } from '../store/rows.js';
import { trainingLayout } from '../trainings/contract.js';
import type { TrainingService } from '../trainings/service.js';
import { copySnapshot, DEFAULT_SNAPSHOT_LIMITS, type SnapshotLimits } from '../trainings/source.js';
import { defaultTrainingName } from '../trainings/submit.js';
import { builtinSourceDir } from './builtin-sources.js';
import { type DatasetSchemaLookup, datasetFacts } from './dataset-facts.js';
import { type CellParameter, checkColumns, inferParameters, resolveValues } from './parameters.js';

export interface RecipeServiceOptions {
  /** `<home>/recipes` */
  root: string;
  trainings: TrainingService;
  snapshotLimits?: SnapshotLimits;
  /** a dataset ref's stored schema, for its kind and columns (the datasets store; see DatasetSchemaLookup) */
  datasetSchema?: DatasetSchemaLookup;
}

const BUILTINS = new Map(BUILTIN_RECIPES.map((b) => [b.name, builtinRecipe(b)]));
const builtinType = (recipe: Recipe): ModelType => recipe.modelType as ModelType;
/** `<home>/recipes/builtin` holds the built-ins' sources: no user recipe may take its name */
const RESERVED = 'builtin';
/** a notebook's parameters cell is read from a file no bigger than this */
const MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024;

const unprocessable = (message: string, field?: string) => new HttpError(422, 'unprocessable', message, field);

/**
 * Recipes: the six built-ins (code) and the user's, saved from COMPLETE trainings. Training one
 * checks the values and data against its schema, then submits a normal training (the same path as
 * POST /trainings) that remembers the recipe.
 */
export class RecipeService {
  constructor(
    private readonly store: Store,
    private readonly options: RecipeServiceOptions,
  ) {}

  list(query: { limit?: number; offset?: number } | undefined): RecipeList {
    const { limit, offset } = pageOf(query);
    const builtins = [...BUILTINS.values()].slice(offset, offset + limit);
    const userOffset = Math.max(0, offset - BUILTINS.size);
    const users = this.store.recipes.list(Math.max(0, limit - builtins.length), userOffset);
    return { items: [...builtins, ...users.items.map(publicRecipe)], total: BUILTINS.size + users.total };
  }

  find(key: string): Recipe {
    const builtin = BUILTINS.get(key);
    if (builtin) return builtin;
    const recipe = this.store.recipes.get(key);
    if (!recipe) throw notFound('recipe', key);
    return publicRecipe(recipe);
  }

  /** A COMPLETE training as a recipe: its snapshot copied, its parameters and datasets named. */
  async save(input: RecipeSave): Promise<Recipe> {
    const training = this.store.trainings.get(input.training);
    if (!training) throw notFound('training', input.training);
    if (training.state !== 'COMPLETE') {
      throw conflict(`training "${training.name}" is ${training.state}; recipes are saved from COMPLETE trainings`);
    }
    if (BUILTINS.has(input.name) || input.name === RESERVED) {
      throw conflict(`"${input.name}" is the name of a built-in recipe; choose another`);
    }
    if (this.store.recipes.get(input.name)) throw conflict(`a recipe named "${input.name}" already exists`);
    const from = trainingLayout(training.dir).source;
    if (!existsSync(from)) throw conflict(`the source snapshot of training "${training.name}" is gone (${from})`);

    const dir = join(this.options.root, input.name);
    const cell = training.source.kind === 'notebook' ? await this.parametersCell(join(from, training.source.entryPoint)) : [];
    try {
      await copySnapshot(from, join(dir, 'source'), this.options.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS);
      const recipe = this.store.tx(() =>
        this.store.recipes.insert({
          id: this.store.recipes.newId(),
          name: input.name,
          description: input.description ?? (training.description || `saved from training "${training.name}"`),
          datasets: Object.keys(training.datasets).map((name) => ({
            name,
            kinds: [],
            description: `as training "${training.name}" read it`,
          })),
          parameters: inferParameters(training.hyperparameters, cell),
          entryPoint: training.source.entryPoint,
          environment: training.environment,
          environmentId: training.environmentId,
          sourceTraining: { id: training.id, name: training.name },
          dir,
        }),
      );
      return publicRecipe(recipe);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (isUniqueViolation(error)) throw conflict(`a recipe named "${input.name}" already exists`);
      throw error;
    }
  }

  /** A saved recipe and its copy of the source go; the trainings made from it stay. */
  async delete(key: string): Promise<void> {
    if (BUILTINS.has(key)) throw conflict(`"${key}" is a built-in recipe; built-ins can't be deleted`);
    const recipe = this.store.recipes.get(key);
    if (!recipe) throw notFound('recipe', key);
    this.store.tx(() => this.store.recipes.delete(recipe.id));
    await rm(recipe.dir, { recursive: true, force: true });
  }

  /** Check the values and the data against the recipe, then submit a normal training of it. */
  async train(key: string, input: RecipeTrain): Promise<Training> {
    const builtin = BUILTINS.get(key);
    const user = builtin ? undefined : this.store.recipes.get(key);
    const recipe: Recipe | undefined = builtin ?? (user && publicRecipe(user));
    if (!recipe) throw notFound('recipe', key);
    const hyperparameters = resolveValues(recipe, input.hyperparameters ?? {});
    await this.checkDatasets(recipe, input.datasets, hyperparameters);
    if (!builtin && input.model !== undefined && input.model !== null) {
      throw unprocessable(`recipe "${recipe.name}" is no built-in: its trainings register no model (leave "model" out)`, 'model');
    }
    const name = input.name ?? this.freeName(defaultTrainingName(`${recipe.name}.py`));
    const source = builtin
      ? { path: builtinSourceDir(this.options.root, builtinType(builtin)), entryPoint: builtin.entryPoint }
      : { path: join((user as RecipeRecord).dir, 'source'), entryPoint: recipe.entryPoint };
    return this.options.trainings.create(
      {
        name,
        description: input.description ?? `recipe "${recipe.name}"`,
        experiment: input.experiment,
        source,
        hyperparameters,
        datasets: input.datasets,
        environment: input.environment ?? user?.environmentId ?? undefined,
        instanceCount: input.instanceCount,
        cluster: input.cluster,
        placementStrategy: input.placementStrategy,
      },
      { recipe: recipe.name, registerModel: builtin ? (input.model === undefined ? name : input.model) : null },
    );
  }

  /** Every dataset the recipe reads given, none it doesn't; each of a kind it takes; columns that are there. */
  private async checkDatasets(recipe: Recipe, datasets: Record<string, string>, values: Record<string, string>): Promise<void> {
    const expected = new Set(recipe.datasets.map((d) => d.name));
    for (const name of Object.keys(datasets)) {
      if (!expected.has(name)) {
        throw new HttpError(
          400,
          'validation',
          `dataset "${name}": recipe "${recipe.name}" reads no such dataset (it reads ${[...expected].join(', ') || 'none'})`,
          `datasets.${name}`,
        );
      }
    }
    for (const wanted of recipe.datasets) {
      const value = datasets[wanted.name];
      if (value === undefined) {
        throw unprocessable(
          `dataset "${wanted.name}" is required by recipe "${recipe.name}": ${wanted.description}`,
          `datasets.${wanted.name}`,
        );
      }
      const facts = await datasetFacts(value, this.options.datasetSchema);
      if (!facts) continue;
      if (wanted.kinds.length > 0 && !wanted.kinds.includes(facts.kind)) {
        throw unprocessable(
          `dataset "${wanted.name}": recipe "${recipe.name}" takes ${wanted.kinds.join(' or ')} (${wanted.description}), and ${value} is ${facts.kind}`,
          `datasets.${wanted.name}`,
        );
      }
      // the column parameters name columns of the `train` dataset
      if (wanted.name === 'train' && facts.columns) checkColumns(recipe, values, facts.columns, wanted.name);
    }
  }

  /** The assignments of a notebook's `parameters` cell; none when it can't be read as a notebook. */
  private async parametersCell(path: string): Promise<CellParameter[]> {
    try {
      const text = await readRegularFile(path, MAX_NOTEBOOK_BYTES);
      return text === undefined ? [] : notebookParameterEntries(text);
    } catch {
      return [];
    }
  }

  private freeName(base: string): string {
    let name = base;
    for (let n = 2; this.store.trainings.get(name); n++) name = `${base}-${n}`;
    return name;
  }
}
