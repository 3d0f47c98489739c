import type { Handlers } from './types.js';

export const recipeHandlers: Handlers<'listRecipes' | 'saveRecipe' | 'getRecipe' | 'deleteRecipe' | 'trainRecipe'> = {
  listRecipes: ({ query }, { bridge }) => bridge.recipes.list(query),
  saveRecipe: ({ body }, { bridge }) => bridge.recipes.save(body),
  getRecipe: ({ params }, { bridge }) => bridge.recipes.find(params.id),
  deleteRecipe: async ({ params }, { bridge }) => {
    await bridge.recipes.delete(params.id);
    return undefined;
  },
  trainRecipe: ({ params, body }, { bridge }) => bridge.recipes.train(params.id, body),
};
