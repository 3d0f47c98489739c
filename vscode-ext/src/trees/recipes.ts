import * as vscode from 'vscode';
import { type Node, row } from './node.js';
import { ResourceTree } from './provider.js';

/** The six built-in model types first, then the recipes saved from trainings (which can be deleted). */
export class RecipesTree extends ResourceTree {
  protected readonly kinds = ['recipes'] as const;

  protected roots(): Node[] {
    return this.store.list('recipes').map((recipe) =>
      row({
        id: `recipe:${recipe.id}`,
        label: recipe.name,
        description: recipe.builtin
          ? vscode.l10n.t('built-in')
          : vscode.l10n.t('from {0}', recipe.source?.trainingName ?? recipe.entryPoint),
        tooltip: recipe.description,
        icon: new vscode.ThemeIcon(recipe.builtin ? 'symbol-class' : 'notebook'),
        contextValue: recipe.builtin ? 'builtinRecipe' : 'recipe',
        target: { kind: 'recipes', id: recipe.id, name: recipe.name },
      }),
    );
  }

  protected emptyText(): string {
    return vscode.l10n.t('No recipes — save one from a COMPLETE training.');
  }
}
