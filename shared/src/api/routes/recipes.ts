import { IdParams } from '../../schemas/common.js';
import { Recipe, RecipeList, RecipeListQuery, RecipeSave, RecipeTrain } from '../../schemas/recipes.js';
import { Training } from '../../schemas/trainings.js';
import type { RouteDef } from './route-def.js';

/** The routes of recipes: the six no-code model types and trainings saved to run again (OpenAPI tag `recipes`). */
export const recipeRoutes = {
  listRecipes: {
    method: 'GET',
    url: '/api/v1/recipes',
    tag: 'recipes',
    summary: 'List recipes: the six built-in model types first, then the saved ones',
    querystring: RecipeListQuery,
    status: 200,
    response: RecipeList,
  },
  saveRecipe: {
    method: 'POST',
    url: '/api/v1/recipes',
    tag: 'recipes',
    summary:
      'Save a COMPLETE training as a recipe: its source snapshot, entry point, environment, hyperparameters (types and defaults) and dataset names',
    body: RecipeSave,
    status: 201,
    response: Recipe,
  },
  getRecipe: {
    method: 'GET',
    url: '/api/v1/recipes/:id',
    tag: 'recipes',
    summary: 'Get a recipe with the datasets and hyperparameters a training of it takes',
    params: IdParams,
    status: 200,
    response: Recipe,
  },
  deleteRecipe: {
    method: 'DELETE',
    url: '/api/v1/recipes/:id',
    tag: 'recipes',
    summary: 'Delete a saved recipe (the trainings made from it stay); a built-in is refused (409)',
    params: IdParams,
    status: 204,
    response: null,
  },
  trainRecipe: {
    method: 'POST',
    url: '/api/v1/recipes/:id/trainings',
    tag: 'recipes',
    summary:
      'Train a recipe on datasets (name[:version] or path) with hyperparameter values checked against its schema; a built-in registers its model and holdout evaluation when it ends COMPLETE',
    params: IdParams,
    body: RecipeTrain,
    status: 201,
    response: Training,
  },
} as const satisfies Record<string, RouteDef>;
