import { isSettled, type TuneOrigin, type Tuning, type TuningCreate, tuningStates } from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandArgs, type CommandContext, clientOf, type Handler, pickTarget } from './context.js';
import { parameterEntries, sourceFile } from './source-file.js';

/**
 * What "Tune…" starts from: a training (its row, its view), else the notebook or script given or
 * open (saved first: the trials run it as saved). Undefined when there is neither.
 */
async function tuneOrigin(args: CommandArgs): Promise<TuneOrigin | undefined> {
  if (args.target?.kind === 'trainings') return { kind: 'training', training: args.target.id };
  const source = await sourceFile(args);
  if (!source) return undefined;
  return { kind: 'notebook', path: source.uri.fsPath, parameters: await parameterEntries(source.uri) };
}

/** The tuning's source for a body given whole: the file, or the training's own folder and entry point. */
function sourceOf(context: CommandContext, origin: TuneOrigin): TuningCreate['source'] {
  if (origin.kind === 'notebook') return { path: origin.path };
  const training = context.store.find('trainings', origin.training);
  if (!training) throw new Error(vscode.l10n.t('The training {0} is not known to the bridge.', origin.training));
  return { path: training.source.path, entryPoint: training.source.entryPoint };
}

/** The tuning a command was given (its row, its view, a notification), or one the user picks. */
const pickTuning = (context: CommandContext, args: CommandArgs, title: string, filter?: (t: { state?: string }) => boolean) =>
  pickTarget(context, args, 'tunings', title, filter);

/** Tunings a Stop applies to. */
const isRunning = (tuning: { state?: string }) => !isSettled(tuningStates, tuning.state as Tuning['state']);

/**
 * Tune… (from a notebook's toolbar or editor title, a .py editor's title, a training's row or
 * view, or the palette) opens the Tune form with the space pre-filled from the parameters; a
 * tuning's row or panel opens, stops, copies it and makes a model from its best trial.
 */
export const tuningCommands: Record<string, Handler> = {
  'emkit.tune': async (context, args) => {
    const client = await clientOf(context);
    let origin = await tuneOrigin(args);
    if (!origin) {
      // from the palette with nothing open: a training to tune again
      const training = await pickTarget(context, args, 'trainings', vscode.l10n.t('Tune which training?'));
      if (!training) return;
      origin = { kind: 'training', training: training.id };
    }
    // a caller with the whole tuning (a test, a keybinding) starts it at once
    const body = args.body as Omit<TuningCreate, 'source'> | undefined;
    if (body) {
      const tuning = await client.api.createTuning({ body: { ...body, source: sourceOf(context, origin) } });
      context.tunings.show(client, tuning.id, tuning.name);
      return tuning;
    }
    return context.tunings.openForm(client, origin);
  },

  'emkit.openTuning': async (context, args) => {
    const target = await pickTuning(context, args, vscode.l10n.t('Open which tuning?'));
    if (!target) return;
    return context.tunings.show(await clientOf(context), target.id, target.name);
  },

  'emkit.stopTuning': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTuning(context, args, vscode.l10n.t('Stop which tuning?'), isRunning);
    if (!target) return;
    return client.api.stopTuning({ params: { id: target.id } });
  },

  'emkit.copyTuning': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTuning(context, args, vscode.l10n.t('Copy which tuning?'));
    if (!target) return;
    const copy = await client.api.copyTuning({ params: { id: target.id }, body: {} });
    context.tunings.show(client, copy.id, copy.name);
    return copy;
  },

  'emkit.createModelFromBest': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTuning(context, args, vscode.l10n.t('Create a model from the best trial of which tuning?'), (t) =>
      Boolean((t as Partial<Tuning>).best),
    );
    if (!target) return;
    const tuning =
      (context.store.find('tunings', target.id) as Tuning | undefined) ??
      (await client.api.getTuning({ params: { id: target.id } }));
    const best = tuning.best;
    if (!best) throw new Error(vscode.l10n.t('Tuning {0} has no complete trial yet.', tuning.name));
    // the model is made from the best trial's training, as Create Model from Training does
    return vscode.commands.executeCommand('emkit.createModel', {
      target: { kind: 'trainings', id: best.trainingId, name: best.trainingName },
      ...(typeof args.name === 'string' ? { name: args.name } : {}),
    });
  },
};
