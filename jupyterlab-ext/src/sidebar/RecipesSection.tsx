import type { Recipe } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, deleteIcon, runIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { scheduleIcon } from '../icons.js';
import { IconButton, Row, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/**
 * The recipes a training can be made from without code: the six built-in model types first,
 * then the ones saved from trainings (which can be deleted; a built-in can't). Each can be
 * trained from its row; the header starts the "New model (no code)" flow.
 */
export function RecipesSection({ recipes, trans, run }: { recipes: readonly Recipe[]; trans: TranslationBundle; run: Run }) {
  return (
    <Section
      name="recipes"
      title={trans.__('Recipes')}
      count={recipes.length}
      empty={trans.__('No recipes. Save one from a COMPLETE training with `emkit recipe save --from TRAINING NAME`.')}
      actions={
        <IconButton icon={addIcon} label={trans.__('New Model (No Code)…')} onClick={() => run(CommandIds.newModelNoCode)} />
      }
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
            <>
              <IconButton
                icon={runIcon}
                label={trans.__('Train recipe %1…', recipe.name)}
                onClick={() => run(CommandIds.trainRecipe, recipe.id)}
              />
              <IconButton
                icon={scheduleIcon}
                label={trans.__('Schedule %1…', recipe.name)}
                onClick={() => run(CommandIds.newSchedule, undefined, { recipe: recipe.id })}
              />
              {!recipe.builtin && (
                <IconButton
                  icon={deleteIcon}
                  label={trans.__('Delete recipe %1', recipe.name)}
                  onClick={() => run(CommandIds.deleteRecipe, recipe.id)}
                />
              )}
            </>
          }
        />
      ))}
    </Section>
  );
}
