import type { Recipe } from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { type Field, formDialog } from '../views/form.js';

/**
 * Save a COMPLETE training as a recipe: others train it again on their own data, without code;
 * and train any recipe — a built-in through the no-code flow, a saved one from a form made from it.
 */
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
        // read the list at once rather than wait for the recipe event (an older bridge sends none)
        await resources.reloadRecipes(client);
        return saved;
      });
      if (recipe) Notification.success(trans.__('Recipe %1 saved.', recipe.name), { autoClose: 5000 });
    },
  });

  app.commands.addCommand(CommandIds.trainRecipe, {
    label: trans.__('Train Recipe…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const id = (args as ResourceArgs).id;
      const recipes = resources.list('recipes');
      let recipe = id ? resources.find('recipes', String(id)) : undefined;
      if (!recipe) {
        const names = recipes.map((r) => r.name);
        if (!names.length) return;
        const picked = await InputDialog.getItem({ title: trans.__('Train which recipe?'), items: names });
        if (!picked.button.accept || picked.value === null) return;
        recipe = recipes[names.indexOf(picked.value)];
      }
      if (!recipe) return;
      // a built-in is one of the six no-code model types: its flow has the preview and the choices
      if (recipe.builtin && recipe.modelType) {
        void app.commands.execute(CommandIds.newModelNoCode, { modelType: recipe.modelType });
        return;
      }
      const chosen = recipe;
      const values = await formDialog(
        trans,
        trans.__('Train recipe %1', chosen.name),
        recipeFields(emkit, chosen),
        trans.__('Train'),
      );
      if (!values) return;
      const datasets = Object.fromEntries(chosen.datasets.map((d) => [d.name, values[`dataset:${d.name}`] ?? '']));
      const hyperparameters = Object.fromEntries(
        chosen.parameters.map((p) => [p.name, values[`hp:${p.name}`] ?? '']).filter(([, value]) => value !== ''),
      );
      const training = await attempt(emkit, trans.__('Could not train recipe %1', chosen.name), () =>
        client.api.trainRecipe({
          params: { id: chosen.id },
          body: { ...(values.name ? { name: values.name } : {}), datasets, hyperparameters },
        }),
      );
      if (training) void app.commands.execute(CommandIds.openTraining, { id: training.id, name: training.name });
    },
  });

  return [CommandIds.saveRecipe, CommandIds.trainRecipe];
}

/**
 * A saved recipe's form, generated from it: a dataset for each it reads (one that fits its
 * kinds, by name and newest version, or a path typed in), then each hyperparameter at its
 * default with its type and description.
 */
function recipeFields(emkit: IEmkit, recipe: Recipe): Field[] {
  const { trans, resources } = emkit;
  const fields: Field[] = [{ name: 'name', label: trans.__('Training name (optional)') }];
  for (const dataset of recipe.datasets) {
    const fit = resources
      .list('datasets')
      .filter((d) => !dataset.kinds.length || dataset.kinds.includes(d.latest.schema.kind))
      .map((d) => `${d.name}:${d.latest.version}`);
    const label = trans.__('Dataset %1', dataset.name);
    fields.push(
      fit.length
        ? {
            name: `dataset:${dataset.name}`,
            label,
            kind: 'select',
            options: fit.map((ref) => [ref, ref] as const),
            help: dataset.description,
          }
        : {
            name: `dataset:${dataset.name}`,
            label,
            placeholder: trans.__('a dataset name, or an absolute path'),
            help: dataset.description,
          },
    );
  }
  for (const parameter of recipe.parameters) {
    fields.push({
      name: `hp:${parameter.name}`,
      label: `${parameter.name} (${parameter.type})`,
      value: parameter.default ?? '',
      placeholder: parameter.default === null ? trans.__('required') : '',
      help: parameter.description,
    });
  }
  return fields;
}
