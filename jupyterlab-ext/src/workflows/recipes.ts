import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';

/** Save a COMPLETE training as a recipe: others train it again on their own data, without code. */
export function addRecipeCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans, resources } = emkit;

  app.commands.addCommand(CommandIds.saveRecipe, {
    label: trans.__('Save Training as Recipe…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const id = (args as ResourceArgs).id;
      let training = id ? resources.find('trainings', String(id)) : undefined;
      if (!training) {
        const complete = resources.list('trainings').filter((t) => t.state === 'COMPLETE');
        if (!complete.length) {
          Notification.info(trans.__('No training is COMPLETE yet.'), { autoClose: 4000 });
          return;
        }
        const names = complete.map((t) => t.name);
        const picked = await InputDialog.getItem({ title: trans.__('Save which training as a recipe?'), items: names });
        if (!picked.button.accept || picked.value === null) return;
        training = complete[names.indexOf(picked.value)];
      }
      if (!training) return;
      const source = training;
      const values = await formDialog(
        trans,
        trans.__('Save %1 as a recipe', source.name),
        [
          { name: 'name', label: trans.__('Recipe name'), value: source.name },
          { name: 'description', label: trans.__('Description (optional)') },
        ],
        trans.__('Save'),
      );
      if (!values) return;
      const recipe = await attempt(emkit, trans.__('Could not save recipe %1', values.name ?? ''), async () => {
        const saved = await client.api.saveRecipe({
          body: {
            training: source.id,
            name: values.name ?? '',
            ...(values.description ? { description: values.description } : {}),
          },
        });
        // recipes have no events: read the list again
        await resources.reloadRecipes(client);
        return saved;
      });
      if (recipe) Notification.success(trans.__('Recipe %1 saved.', recipe.name), { autoClose: 5000 });
    },
  });

  return [CommandIds.saveRecipe];
}
