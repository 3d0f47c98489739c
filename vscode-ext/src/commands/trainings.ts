import {
  type EarlyStopping,
  formatEarlyStop,
  formatPairs,
  isSettled,
  MAX_INSTANCES,
  nameFromFile,
  type PlacementStrategy,
  parseDuration,
  THIS_MACHINE,
  trainingStates,
  trainingTarget,
} from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandContext, clientOf, type Handler, pickTarget } from './context.js';
import { ask, askEarlyStop, askPairs, nameRule } from './inputs.js';
import { pickPlacement, pickRunOn } from './run-on.js';
import { sourceFile } from './source-file.js';

const instancesRule = (text: string) =>
  /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= MAX_INSTANCES
    ? undefined
    : vscode.l10n.t('A whole number from 1 to {0}.', MAX_INSTANCES);

/** Trainings a Stop applies to. */
export const isRunning = (item: { state?: string }) => !isSettled(trainingStates, item.state as never);

async function pickEnvironment(context: CommandContext, title: string): Promise<string | undefined> {
  const bridges = vscode.l10n.t("The bridge's Python");
  const picked = await vscode.window.showQuickPick(
    [
      bridges,
      ...context.store
        .list('environments')
        .filter((e) => e.state === 'ACTIVE')
        .map((e) => e.name),
    ],
    { title, placeHolder: vscode.l10n.t('Environment') },
  );
  if (picked === undefined) return undefined;
  return picked === bridges ? '' : picked;
}

/** Submit, follow, stop and copy trainings; every input can come in args. */
export const trainingCommands: Record<string, Handler> = {
  'emkit.submitNotebook': async (context, args) => {
    const client = await clientOf(context);
    const source = await sourceFile(args);
    if (!source) throw new Error(vscode.l10n.t('Open a notebook or a Python script to submit, or pick one in the explorer.'));
    const title = vscode.l10n.t('Submit {0} as a training', source.uri.fsPath.split(/[\\/]/).pop() ?? '');
    const name =
      (args.name as string | undefined) ??
      (await ask(title, nameFromFile(source.uri.fsPath), nameRule, vscode.l10n.t('Training name')));
    if (name === undefined) return;
    let experiment = args.experiment as string | undefined;
    if (experiment === undefined) {
      const experiments = context.store.list('experiments');
      const newOne = vscode.l10n.t('New experiment…');
      const picked = await vscode.window.showQuickPick([...experiments.map((e) => e.name), newOne], {
        title,
        placeHolder: vscode.l10n.t('Experiment'),
        ignoreFocusOut: true,
      });
      if (picked === undefined) return;
      experiment =
        picked === newOne
          ? await ask(title, nameFromFile(source.uri.fsPath), nameRule, vscode.l10n.t('New experiment name'))
          : picked;
      if (experiment === undefined) return;
    }
    const hyperparameters =
      (args.hyperparameters as Record<string, string> | undefined) ??
      (await askPairs(
        title,
        formatPairs(source.parameters, ' '),
        'hyperparameter',
        vscode.l10n.t("Hyperparameters as key=value, separated by spaces, from the notebook's parameters cell"),
      ));
    if (hyperparameters === undefined) return;
    const environment =
      (args.environment as string | undefined) ??
      (context.store.list('environments').some((e) => e.state === 'ACTIVE') && args.name === undefined
        ? await pickEnvironment(context, title)
        : '');
    if (environment === undefined) return;
    const runOn = await pickRunOn(context, args, title);
    if (runOn === undefined) return;
    let instanceCount = typeof args.instanceCount === 'number' ? args.instanceCount : undefined;
    let placement: string | undefined;
    if (runOn !== THIS_MACHINE) {
      // on a cluster the ranks and their spread over the nodes are the point: asked together
      if (instanceCount === undefined && args.name === undefined) {
        const count = await ask(title, '2', instancesRule, vscode.l10n.t('Instances (ranks placed on the cluster)'));
        if (count === undefined) return;
        instanceCount = Number(count.trim());
      }
      placement = await pickPlacement(args, title);
      if (placement === undefined) return;
    }
    // asked in the palette's flow; a caller with arguments (a test, a keybinding) gives it or goes without
    const earlyStopping =
      (args.earlyStopping as EarlyStopping | undefined) ?? (args.name === undefined ? await askEarlyStop(title, '') : null);
    if (earlyStopping === undefined) return;
    const maxTime = args.maxTime as string | undefined;
    const maxDurationSeconds = maxTime ? parseDuration(maxTime) : undefined;
    const training = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Submitting {0}…', name) },
      () =>
        client.api.createTraining({
          body: {
            name: name.trim(),
            ...(experiment ? { experiment: experiment.trim() } : {}),
            source: { path: source.uri.fsPath },
            hyperparameters,
            ...(environment ? { environment } : {}),
            ...(instanceCount !== undefined ? { instanceCount } : {}),
            ...(maxDurationSeconds ? { maxDurationSeconds } : {}),
            ...(earlyStopping ? { earlyStopping } : {}),
            ...trainingTarget(runOn, placement),
          },
        }),
    );
    context.panels.openTraining(client, training.id, training.name);
    return training;
  },

  'emkit.openTraining': async (context, args) => {
    const target = await pickTarget(
      context,
      args,
      'trainings',
      vscode.l10n.t('Open which training?'),
      args.running ? isRunning : undefined,
    );
    if (target) context.panels.openTraining(await clientOf(context), target.id, target.name);
  },

  'emkit.showTrainingLogs': async (context, args) => {
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('Show the logs of which training?'));
    if (target) context.logs.show(await clientOf(context), target.id, target.name);
  },

  'emkit.stopTraining': async (context, args) => {
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('Stop which training?'), isRunning);
    if (target) return (await clientOf(context)).api.stopTraining({ params: { id: target.id } });
  },

  'emkit.copyTraining': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('Copy which training?'));
    if (!target) return;
    const name =
      (args.name as string | undefined) ??
      (await ask(vscode.l10n.t('Copy {0}', target.name), `${target.name}-copy`.slice(0, 50), nameRule));
    if (name === undefined) return;
    const original = context.store.find('trainings', target.id);
    const earlyStopping =
      args.earlyStopping !== undefined
        ? (args.earlyStopping as EarlyStopping | null)
        : args.name === undefined
          ? await askEarlyStop(
              vscode.l10n.t('Copy {0}', target.name),
              original?.earlyStopping ? formatEarlyStop(original.earlyStopping) : '',
            )
          : (original?.earlyStopping ?? null);
    if (earlyStopping === undefined) return;
    // left out, a copy runs where the original ran; asked when there is a cluster to choose
    let runsOn: { cluster?: string | null; placementStrategy?: PlacementStrategy } = {};
    if (args.cluster !== undefined || (args.name === undefined && context.store.list('clusters').length)) {
      const title = vscode.l10n.t('Copy {0}', target.name);
      const runOn = await pickRunOn(context, args, title, original ? original.cluster : undefined);
      if (runOn === undefined) return;
      const placement = runOn === THIS_MACHINE ? undefined : await pickPlacement(args, title);
      if (runOn !== THIS_MACHINE && placement === undefined) return;
      runsOn = trainingTarget(runOn, placement);
    }
    const copy = await client.api.copyTraining({ params: { id: target.id }, body: { name, earlyStopping, ...runsOn } });
    context.panels.openTraining(client, copy.id, copy.name);
    return copy;
  },
};
