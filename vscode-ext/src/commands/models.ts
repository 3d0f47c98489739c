import { ALIAS_PATTERN } from '@emkit/shared';
import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';
import { ask, nameRule } from './inputs.js';

const ALIAS = new RegExp(ALIAS_PATTERN);

/** Create a model version from a COMPLETE training, and move an alias to a version. */
export const modelCommands: Record<string, Handler> = {
  'emkit.createModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'trainings',
      vscode.l10n.t('Create a model from which training?'),
      (t) => t.state === 'COMPLETE',
    );
    if (!target) return;
    const training = context.store.find('trainings', target.id);
    const name =
      (args.name as string | undefined) ??
      (await ask(
        vscode.l10n.t('Create a model from {0}', target.name),
        training?.experimentName ?? target.name,
        nameRule,
        vscode.l10n.t('Model name'),
      ));
    if (name === undefined) return;
    const model = await client.api.createModel({ body: { name, training: target.id } });
    void vscode.window.showInformationMessage(vscode.l10n.t('Model {0} version {1} created.', model.name, model.version));
    return model;
  },

  'emkit.promoteModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'models', vscode.l10n.t('Promote which model version?'));
    if (!target) return;
    const alias =
      (args.alias as string | undefined) ??
      (await ask(vscode.l10n.t('Move which alias to {0}?', target.name), 'production', (text) =>
        ALIAS.test(text) ? undefined : vscode.l10n.t('An alias is lower-case letters, digits, "-" and "_".'),
      ));
    if (alias === undefined) return;
    return client.api.promoteModel({ params: { id: target.id }, body: { alias } });
  },
};
