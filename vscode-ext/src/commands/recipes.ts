import type { Dataset, Recipe, RecipeDataset, RecipeParameter } from '@emkit/shared';
import * as vscode from 'vscode';
import { datasetDescription } from '../trees/datasets.js';
import { clientOf, type Handler, pickTarget } from './context.js';
import { ask } from './inputs.js';
import {
  changedValues,
  columnsOf,
  datasetsThatFit,
  firstProblem,
  initialValues,
  type ParameterProblem,
  parameterProblem,
} from './recipe-form.js';

/** A value's problem in VS Code's language. */
function problemWords(problem: ParameterProblem): string {
  switch (problem.problem) {
    case 'required':
      return vscode.l10n.t('A value is required.');
    case 'integer':
      return vscode.l10n.t('A whole number is expected.');
    case 'number':
      return vscode.l10n.t('A number is expected.');
    case 'boolean':
      return vscode.l10n.t('true or false is expected.');
    case 'choice':
      return vscode.l10n.t('One of: {0}.', problem.detail);
    case 'minimum':
      return vscode.l10n.t('At least {0}.', problem.detail);
    case 'maximum':
      return vscode.l10n.t('At most {0}.', problem.detail);
    case 'column':
      return vscode.l10n.t('The dataset has no column "{0}".', problem.detail);
  }
}

const absolutePathRule = (text: string) =>
  text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) ? undefined : vscode.l10n.t('An absolute path is expected.');

/** The dataset for one of the recipe's slots: a dataset of a kind it takes (newest version, pinned), or a path. */
async function pickDataset(title: string, slot: RecipeDataset, datasets: readonly Dataset[]): Promise<string | undefined> {
  const path = { label: vscode.l10n.t('A path the bridge can read…'), ref: '' };
  const picked = await vscode.window.showQuickPick(
    [
      ...datasetsThatFit(slot, datasets).map(({ ref, dataset }) => ({
        label: ref,
        description: datasetDescription(dataset),
        ref,
      })),
      path,
    ],
    { title, placeHolder: vscode.l10n.t('The dataset "{0}" of the training', slot.name), ignoreFocusOut: true },
  );
  if (!picked) return undefined;
  if (picked !== path) return picked.ref;
  return (await ask(title, '', absolutePathRule, vscode.l10n.t("A file or folder on the bridge's machine")))?.trim();
}

/** A new value for one parameter: a pick where the choices are known, else a box that checks it as it is typed. */
async function editValue(
  title: string,
  parameter: RecipeParameter,
  value: string,
  columns: readonly string[],
): Promise<string | undefined> {
  const prompt = `${parameter.name}: ${parameter.description}`;
  const known =
    parameter.type === 'choice'
      ? (parameter.choices ?? [])
      : parameter.type === 'boolean'
        ? ['true', 'false']
        : parameter.type === 'column'
          ? columns
          : [];
  if (known.length) {
    return vscode.window.showQuickPick([...known], { title, placeHolder: prompt, ignoreFocusOut: true });
  }
  if (parameter.type === 'columns' && columns.length) {
    const chosen = new Set(value.split(',').map((c) => c.trim()));
    const picked = await vscode.window.showQuickPick(
      columns.map((label) => ({ label, picked: chosen.has(label) })),
      { title, placeHolder: prompt, canPickMany: true, ignoreFocusOut: true },
    );
    return picked?.map((item) => item.label).join(',');
  }
  const problem = (text: string) => {
    const found = parameterProblem(parameter, text, columns);
    return found ? problemWords(found) : undefined;
  };
  return ask(title, value, problem, prompt);
}

/**
 * The form generated from the recipe's parameters, as one pick that lists them with their
 * values: a row changes its value, "Train" sends them once none is wrong. Undefined: cancelled.
 */
async function fillParameters(
  title: string,
  recipe: Recipe,
  columns: readonly string[],
): Promise<Record<string, string> | undefined> {
  const values = initialValues(recipe);
  if (!recipe.parameters.length) return values;
  for (;;) {
    const train = { label: `$(play) ${vscode.l10n.t('Train')}`, parameter: undefined };
    const rows = recipe.parameters.map((parameter) => ({
      label: parameter.name,
      description:
        values[parameter.name] || (parameter.default === null ? vscode.l10n.t('(required)') : vscode.l10n.t('(empty)')),
      detail: parameter.description,
      parameter,
    }));
    const picked = await vscode.window.showQuickPick([train, ...rows], {
      title,
      placeHolder: vscode.l10n.t('Change a value, or Train'),
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (!picked) return undefined;
    let parameter = picked.parameter;
    if (!parameter) {
      const wrong = firstProblem(recipe, values, columns);
      if (!wrong) return values;
      // straight to the value to fix, saying why
      void vscode.window.showWarningMessage(`${wrong.parameter.name}: ${problemWords(wrong.problem)}`);
      parameter = wrong.parameter;
    }
    const value = await editValue(title, parameter, values[parameter.name] ?? '', columns);
    if (value !== undefined) values[parameter.name] = value.trim();
  }
}

/** The no-code flow's panel, and any recipe trained from a form generated from its schema. */
export const recipeCommands: Record<string, Handler> = {
  'emkit.newModelNoCode': async (context) => {
    return context.newModels.show(await clientOf(context));
  },

  'emkit.trainRecipe': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'recipes', vscode.l10n.t('Train which recipe?'));
    if (!target) return;
    const recipe = context.store.find('recipes', target.id) ?? (await client.api.getRecipe({ params: { id: target.id } }));
    const title = vscode.l10n.t('Train recipe {0}', recipe.name);
    const datasets = context.store.list('datasets');
    const chosen: Record<string, string> = { ...((args.datasets as Record<string, string> | undefined) ?? {}) };
    for (const slot of recipe.datasets) {
      if (chosen[slot.name]) continue;
      const ref = await pickDataset(title, slot, datasets);
      if (!ref) return;
      chosen[slot.name] = ref;
    }
    const columns = columnsOf(chosen.train ?? Object.values(chosen)[0], datasets);
    // given (code, a test): sent as they are, for the bridge to check
    const given = args.hyperparameters as Record<string, string> | undefined;
    const values = given ?? (await fillParameters(title, recipe, columns));
    if (!values) return;
    const training = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting {0}…', recipe.name) },
      () =>
        client.api.trainRecipe({
          params: { id: recipe.id },
          body: {
            datasets: chosen,
            hyperparameters: given ?? changedValues(recipe, values),
            ...(typeof args.name === 'string' ? { name: args.name } : {}),
          },
        }),
    );
    context.panels.openTraining(client, training.id, training.name);
    return training;
  },
};
