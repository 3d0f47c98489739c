import type { Recipe } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/**
 * The recipes a training can be made from without code: the six built-in model types first,
 * then the ones saved from trainings (which can be deleted; a built-in can't).
 */
export function RecipesSection({ recipes, trans, run }: { recipes: readonly Recipe[]; trans: TranslationBundle; run: Run }) {
  return (
    <Section
      name="recipes"
      title={trans.__('Recipes')}
      count={recipes.length}
      empty={trans.__('No recipes. Save one from a COMPLETE training with `emkit recipe save --from TRAINING NAME`.')}
    >
      {recipes.map((recipe) => (
        <Row
          key={recipe.id}
          kind="recipe"
          name={recipe.name}
          detail={
            <span title={recipe.description}>
              {recipe.builtin ? trans.__('built-in') : trans.__('from %1', recipe.source?.trainingName ?? recipe.entryPoint)}
            </span>
          }
          actions={
            recipe.builtin ? undefined : (
              <IconButton
                icon={deleteIcon}
                label={trans.__('Delete recipe %1', recipe.name)}
                onClick={() => run(CommandIds.deleteRecipe, recipe.id)}
              />
            )
          }
        />
      ))}
    </Section>
  );
}
