import { ALIAS_PATTERN, DEFAULT_THRESHOLD, type EmkitClient, evaluationBody, headlineText, type Model } from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandContext, clientOf, type Handler, pickTarget, type Target } from './context.js';
import { ask, nameRule } from './inputs.js';

const ALIAS = new RegExp(ALIAS_PATTERN);

/** A version as people name it, from the store (a target from the model view carries only the model's name). */
function versionName(context: CommandContext, target: Target): string {
  const model = context.store.find('models', target.id) as Model | undefined;
  return model ? `${model.name}:${model.version}` : target.name;
}

/** What promote shows of the version being promoted: its latest COMPLETE evaluation's headline figures, or that it has none. */
async function evaluationLine(client: EmkitClient, modelId: string): Promise<string> {
  try {
    const latest = await client.api.listEvaluations({ query: { model: modelId, state: 'COMPLETE', limit: 1 } });
    const summary = latest.items[0];
    return summary
      ? vscode.l10n.t(
          'Evaluation: {0}',
          headlineText(summary, (text) => vscode.l10n.t(text)),
        )
      : vscode.l10n.t('This version has not been evaluated.');
  } catch (error) {
    return vscode.l10n.t('Its evaluation could not be read: {0}', (error as Error).message);
  }
}

/** Create a model version from a COMPLETE training, move an alias to a version, (de)activate, evaluate a version and open a model's view. */
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
      (await ask(
        vscode.l10n.t('Move which alias to {0}?', versionName(context, target)),
        'production',
        (text) => (ALIAS.test(text) ? undefined : vscode.l10n.t('An alias is lower-case letters, digits, "-" and "_".')),
        // the version's evaluation, so the promotion is an informed one
        await evaluationLine(client, target.id),
      ));
    if (alias === undefined) return;
    return client.api.promoteModel({ params: { id: target.id }, body: { alias } });
  },

  'emkit.deactivateModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'models',
      vscode.l10n.t('Deactivate which model version?'),
      (m) => m.state === 'ACTIVE',
    );
    if (!target) return;
    const model = await client.api.updateModel({ params: { id: target.id }, body: { active: false } });
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        "Model {0} version {1} is deactivated: it can't be deployed, quick-tested or evaluated until activated again.",
        model.name,
        model.version,
      ),
    );
    return model;
  },

  'emkit.activateModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'models',
      vscode.l10n.t('Activate which model version?'),
      (m) => m.state === 'INACTIVE',
    );
    if (!target) return;
    const model = await client.api.updateModel({ params: { id: target.id }, body: { active: true } });
    void vscode.window.showInformationMessage(vscode.l10n.t('Model {0} version {1} is active again.', model.name, model.version));
    return model;
  },

  /** A model's view: `target` a version (shown) or `name` a model; `evaluation` one to follow. */
  'emkit.openModel': async (context, args) => {
    let name = args.name as string | undefined;
    let modelId: string | undefined;
    if (!name) {
      const target =
        args.target?.kind === 'models' ? args.target : await pickModelName(context, vscode.l10n.t('Open which model?'));
      if (!target) return;
      modelId = target.id || undefined;
      name = (context.store.find('models', target.id) as Model | undefined)?.name ?? target.name;
    }
    const client = await clientOf(context);
    return context.panels.openModel(client, name, { modelId, evaluationId: args.evaluation as string | undefined });
  },

  'emkit.evaluateModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'models', vscode.l10n.t('Evaluate which model version?'));
    if (!target) return;
    const title = vscode.l10n.t('Evaluate {0}', versionName(context, target));
    const data =
      (args.data as string | undefined) ??
      (await ask(
        title,
        '',
        (text) => (text ? undefined : vscode.l10n.t('The test data is needed.')),
        vscode.l10n.t(
          'Test data: an absolute path to a CSV or Parquet file, a JSONL file, or a folder with one subfolder per class',
        ),
      ));
    if (data === undefined) return;
    const label =
      (args.label as string | undefined) ??
      (await ask(title, '', () => undefined, vscode.l10n.t('Label column (empty: "label")')));
    if (label === undefined) return;
    const threshold =
      (args.threshold as string | undefined) ??
      (await ask(
        title,
        String(DEFAULT_THRESHOLD),
        (text) => {
          const value = Number(text);
          return text && value >= 0 && value <= 1 ? undefined : vscode.l10n.t('A probability between 0 and 1.');
        },
        vscode.l10n.t('Probability threshold'),
      ));
    if (threshold === undefined) return;
    const body = evaluationBody({
      model: target.id,
      data,
      label,
      threshold,
      features: args.features as string | undefined,
      task: args.task as string | undefined,
      maxErrors: args.maxErrors as string | undefined,
    });
    const evaluation = await client.api.createEvaluation({ body });
    // the model view follows it until it is COMPLETE or FAILED
    context.panels.openModel(client, evaluation.model.name, { modelId: evaluation.model.id, evaluationId: evaluation.id });
    return evaluation;
  },
};

/** A model name the user picks (its versions are the view's iterations). */
async function pickModelName(context: CommandContext, title: string): Promise<Target | undefined> {
  const names = [...new Set((context.store.list('models') as readonly Model[]).map((m) => m.name))];
  if (!names.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to choose from yet.'));
    return undefined;
  }
  // kept open when a webview panel takes the focus back (the palette returns it there as it closes)
  const picked = await vscode.window.showQuickPick(names, { title, placeHolder: title, ignoreFocusOut: true });
  return picked ? { kind: 'models', id: '', name: picked } : undefined;
}
