import { HttpError } from '../server/errors.js';
import type { Handlers } from './types.js';

// placeholders of the issue-16 contract: the recipes engineer replaces them
const notYet = (): never => {
  throw new HttpError(404, 'not_found', 'recipes are not built yet');
};

export const recipeHandlers: Handlers<'listRecipes' | 'saveRecipe' | 'getRecipe' | 'deleteRecipe' | 'trainRecipe'> = {
  listRecipes: notYet,
  saveRecipe: notYet,
  getRecipe: notYet,
  deleteRecipe: notYet,
  trainRecipe: notYet,
};
