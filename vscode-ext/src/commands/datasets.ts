import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';
import { pickUploadSource, uploadDataset } from './dataset-upload.js';
import { ask, nameRule } from './inputs.js';

/** The file or folder to upload: the explorer's, or one the user picks in the workspace. */
async function uploadSource(args: Record<string, unknown>): Promise<vscode.Uri | undefined> {
  if (args instanceof vscode.Uri) return args;
  if (args.uri instanceof vscode.Uri) return args.uri;
  return pickUploadSource(vscode.l10n.t('Upload which file or folder as a dataset?'));
}

/** Preview a dataset, upload one from the workspace, and save a COMPLETE training as a recipe. */
export const datasetCommands: Record<string, Handler> = {
  'emkit.openDataset': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'datasets', vscode.l10n.t('Preview which dataset?'));
    if (!target) return;
    return context.panels.openDataset(client, target.id, target.name);
  },

  'emkit.uploadDataset': async (context, args) => {
    const client = await clientOf(context);
    const source = await uploadSource(args);
    if (!source) return;
    const dataset = await uploadDataset(client, source, args.name as string | undefined);
    if (!dataset) return;
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Dataset {0} version {1} is ready.', dataset.name, dataset.latest.version),
    );
    context.panels.openDataset(client, dataset.id, dataset.name);
    return dataset;
  },

  'emkit.saveRecipe': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'trainings',
      vscode.l10n.t('Save which training as a recipe?'),
      (t) => t.state === 'COMPLETE',
    );
    if (!target) return;
    const name =
      (args.name as string | undefined) ??
      (await ask(
        vscode.l10n.t('Save {0} as a recipe', target.name),
        target.name,
        nameRule,
        vscode.l10n.t('Recipe name: others train it on their own data without code'),
      ));
    if (name === undefined) return;
    const recipe = await client.api.saveRecipe({ body: { training: target.id, name } });
    // read the list at once rather than wait for the recipe event (an older bridge sends none)
    await context.store.reloadRecipes(client);
    void vscode.window.showInformationMessage(vscode.l10n.t('Recipe {0} saved.', recipe.name));
    return recipe;
  },
};
