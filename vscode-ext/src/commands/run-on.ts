import {
  type PlacementStrategy,
  placementChoices,
  RUN_ON_STRINGS,
  RunOnError,
  runOnChoices,
  type StageAutoscaling,
  stageTarget,
  THIS_MACHINE,
  type Translate,
} from '@emkit/shared';
import * as vscode from 'vscode';
import type { CommandArgs, CommandContext } from './context.js';

/** The shared rules' texts in VS Code's language (they are in the l10n bundle). */
const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

/**
 * "Run on": this machine or a cluster, as a quick pick that starts on the default choice. A
 * cluster the bridge can't use is listed with why, and picking it asks again (a quick pick has
 * no disabled items). The value given in `args.cluster` (null: this machine) is not asked for;
 * with no clusters there is nothing to ask. A copy passes `ranOn`, where the original ran, to
 * start there. Undefined when cancelled.
 */
export async function pickRunOn(
  context: CommandContext,
  args: CommandArgs,
  title: string,
  ranOn?: string | null,
): Promise<string | undefined> {
  if (args.cluster === null) return THIS_MACHINE;
  if (typeof args.cluster === 'string') return args.cluster;
  const clusters = context.store.list('clusters');
  const { choices, initial } = runOnChoices(clusters, t, ranOn);
  // a caller with arguments (a test, a keybinding) goes where the bridge's default says
  if (!clusters.length || args.name !== undefined) return initial;
  const items = choices.map((choice) => ({
    label: `${choice.disabled ? '$(circle-slash)' : choice.value === THIS_MACHINE ? '$(vm)' : '$(server-environment)'} ${choice.label}`,
    picked: choice.value === initial,
    choice,
  }));
  // the default choice first, so Enter takes it
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: t(RUN_ON_STRINGS.runOn),
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (!picked.choice.disabled) return picked.choice.value;
    void vscode.window.showWarningMessage(picked.choice.label);
  }
}

/** The placement of a cluster training's ranks (SPREAD first); undefined when cancelled. */
export async function pickPlacement(args: CommandArgs, title: string): Promise<PlacementStrategy | undefined> {
  if (typeof args.placementStrategy === 'string') return args.placementStrategy as PlacementStrategy;
  if (args.name !== undefined) return 'SPREAD';
  const picked = await vscode.window.showQuickPick(
    placementChoices(t).map(([strategy, label]) => ({ label, strategy })),
    { title, placeHolder: t(RUN_ON_STRINGS.placement), ignoreFocusOut: true },
  );
  return picked?.strategy;
}

/**
 * A stage's target: the cluster (or this machine) and, on a cluster, the optional autoscaling
 * bounds asked in two boxes the shared rule checks. Undefined when cancelled.
 */
export async function askStageTarget(
  context: CommandContext,
  args: CommandArgs,
  title: string,
): Promise<{ cluster: string | null; autoscaling?: StageAutoscaling } | undefined> {
  const runOn = await pickRunOn(context, args, title);
  if (runOn === undefined) return undefined;
  const given = args.autoscaling as StageAutoscaling | undefined;
  if (runOn === THIS_MACHINE || given || args.name !== undefined) {
    return { cluster: runOn === THIS_MACHINE ? null : runOn, ...(given ? { autoscaling: given } : {}) };
  }
  const problem = (min: string, max: string) => {
    try {
      stageTarget(runOn, min, max, t);
      return undefined;
    } catch (error) {
      if (error instanceof RunOnError) return error.message;
      throw error;
    }
  };
  const box = (prompt: string, validate: (text: string) => string | undefined) =>
    vscode.window.showInputBox({
      title,
      prompt: `${prompt} (${t(RUN_ON_STRINGS.autoscalingHelp)})`,
      validateInput: (text) => validate(text.trim()) ?? null,
      ignoreFocusOut: true,
    });
  const min = await box(t(RUN_ON_STRINGS.minReplicas), (text) => (text ? problem(text, '16') : undefined));
  if (min === undefined) return undefined;
  const max = await box(t(RUN_ON_STRINGS.maxReplicas), (text) => (text || min.trim() ? problem(min, text) : undefined));
  if (max === undefined) return undefined;
  return stageTarget(runOn, min, max, t);
}
