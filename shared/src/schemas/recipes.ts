import { type Static, Type } from '@sinclair/typebox';
import { Id, ListOf, ListQuery, Name, Timestamp } from './common.js';
import { Datasets, Hyperparameters, PlacementStrategy } from './trainings.js';

/**
 * Recipes (issue 16): a training anyone can run again on their own data without code. The
 * six built-ins are emkit's no-code model types (shared/src/recipes/builtins.ts, run by the
 * `emkit.recipes` Python package); a user recipe is saved from a COMPLETE training and keeps
 * its source snapshot, entry point, environment, hyperparameters (with types and defaults)
 * and the names of the datasets it reads. A form is generated from `parameters`.
 */

export const MODEL_TYPES = [
  'image-classification',
  'text-classification',
  'audio-classification',
  'number-classification',
  'number-prediction',
  'clustering',
] as const;
export type ModelType = (typeof MODEL_TYPES)[number];
export const ModelTypeSchema = Type.Union(MODEL_TYPES.map((t) => Type.Literal(t)));

/**
 * A hyperparameter's type, for the form and for checking a value before a training starts:
 * `column` is one column of the `train` dataset, `columns` a comma-separated list of them.
 */
export const PARAMETER_TYPES = ['integer', 'number', 'boolean', 'string', 'choice', 'column', 'columns'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const RecipeParameter = Type.Object(
  {
    name: Type.String(),
    type: Type.Union(PARAMETER_TYPES.map((t) => Type.Literal(t))),
    default: Type.Union([Type.String(), Type.Null()], {
      description: 'as the training gets it (`--name value`); null: required',
    }),
    minimum: Type.Optional(Type.Number()),
    maximum: Type.Optional(Type.Number()),
    choices: Type.Optional(Type.Array(Type.String())),
    description: Type.String(),
  },
  {},
);
export type RecipeParameter = Static<typeof RecipeParameter>;

export const RecipeDataset = Type.Object(
  {
    name: Type.String({ description: 'as the training reads it: EM_DATASET_<NAME>' }),
    kinds: Type.Array(Type.Union([Type.Literal('table'), Type.Literal('class-folders'), Type.Literal('files')]), {
      description: 'the dataset kinds it takes; empty: any',
    }),
    description: Type.String(),
  },
  {},
);
export type RecipeDataset = Static<typeof RecipeDataset>;

export const Recipe = Type.Object(
  {
    id: Type.String({ description: "a built-in's id is its name" }),
    name: Name,
    builtin: Type.Boolean(),
    modelType: Type.Union([ModelTypeSchema, Type.Null()], { description: 'a built-in: its model type' }),
    task: Type.Union([Type.Literal('classification'), Type.Literal('regression'), Type.Literal('clustering'), Type.Null()]),
    description: Type.String(),
    datasets: Type.Array(RecipeDataset),
    parameters: Type.Array(RecipeParameter),
    entryPoint: Type.String({ description: 'relative to the snapshot' }),
    environment: Type.Union([Type.String(), Type.Null()], { description: "the environment's name; null: the bridge's Python" }),
    source: Type.Union([Type.Object({ training: Type.String(), trainingName: Type.String() }), Type.Null()], {
      description: 'a user recipe: the training it was saved from',
    }),
    createdAt: Type.Union([Timestamp, Type.Null()], { description: 'null for a built-in' }),
  },
  {},
);
export type Recipe = Static<typeof Recipe>;

export const RecipeSave = Type.Object(
  {
    training: Id,
    name: Name,
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type RecipeSave = Static<typeof RecipeSave>;

export const RecipeTrain = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    experiment: Type.Optional(Id),
    datasets: Datasets,
    hyperparameters: Type.Optional(Hyperparameters),
    environment: Type.Optional(Id),
    model: Type.Optional(
      Type.Union([Name, Type.Null()], {
        description:
          "the model a built-in registers (a new version) when it ends COMPLETE, with its holdout evaluation; default: the training's name; null: none",
      }),
    ),
    instanceCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    cluster: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    placementStrategy: Type.Optional(PlacementStrategy),
  },
  { additionalProperties: false },
);
export type RecipeTrain = Static<typeof RecipeTrain>;

export const RecipeList = ListOf(Recipe, 'Recipe');
export type RecipeList = Static<typeof RecipeList>;
export const RecipeListQuery = ListQuery;
