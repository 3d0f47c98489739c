import type { EmkitClient, ResourceStore } from '@emkit/shared';
import * as vscode from 'vscode';
import type { BridgeLink } from '../bridge.js';
import type { TrainingLogs } from '../logs.js';
import type { BatchPanels } from '../panels/batch-panels.js';
import type { ComparisonPanels } from '../panels/comparison-panels.js';
import type { DetailPanels } from '../panels/detail-panels.js';
import type { NewModelPanels } from '../panels/new-model-panels.js';
import type { SchedulePanels } from '../panels/schedule-panels.js';
import type { TuningPanels } from '../panels/tuning-panels.js';
import type { Node } from '../trees/node.js';

export type Target = NonNullable<Node['target']>;

/** What every command can reach. */
export interface CommandContext {
  link: BridgeLink;
  store: ResourceStore;
  panels: DetailPanels;
  comparisons: ComparisonPanels;
  /** the no-code flow's panel */
  newModels: NewModelPanels;
  /** batch jobs' panels */
  batches: BatchPanels;
  /** schedules' panels and the schedule editor */
  schedules: SchedulePanels;
  /** tunings' panels and the Tune form */
  tunings: TuningPanels;
  logs: TrainingLogs;
  /** the error messages shown, newest last (tests read them: a message can't be read back) */
  errors: string[];
  secrets: vscode.SecretStorage;
}

/**
 * What a command is given: a tree row (its `target`), or the same shape from code and tests
 * (`{ target, …inputs }`); inputs given are not asked for.
 */
export type CommandArgs = { target?: Target } & Record<string, unknown>;
export type Handler = (context: CommandContext, args: CommandArgs) => Promise<unknown>;

const CONNECT_WAIT_MS = 15_000;

/**
 * The connected client, or a message that says how to get one. A command can be what
 * activates the extension: then the connection is still being made, and is waited for.
 */
export async function clientOf(context: CommandContext): Promise<EmkitClient> {
  const { store } = context;
  const pending = () => store.state.kind === 'empty' || store.state.kind === 'loading' || !context.link.client;
  if (pending()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, CONNECT_WAIT_MS);
      const off = store.onChange(() => {
        if (!pending()) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }
  const client = context.link.client;
  if (!client || store.state.kind !== 'loaded') {
    const why = store.state.kind === 'failed' ? store.state.message : '';
    throw new Error(why || vscode.l10n.t('Not connected to an emkit bridge — Refresh once it is running.'));
  }
  return client;
}

/** The resource a command was given, or one the user picks from the store by name. */
export async function pickTarget(
  context: CommandContext,
  args: CommandArgs,
  kind: Target['kind'],
  title: string,
  filter: (item: { id: string; name: string; state?: string }) => boolean = () => true,
): Promise<Target | undefined> {
  if (args.target?.kind === kind) return args.target;
  const items = (context.store.list(kind) as readonly { id: string; name: string; state?: string; version?: number }[]).filter(
    filter,
  );
  if (!items.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Nothing to choose from yet.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((item) => ({
      label: item.version === undefined ? item.name : `${item.name}:${item.version}`,
      description: item.state,
      item,
    })),
    { title, placeHolder: title },
  );
  return picked ? { kind, id: picked.item.id, name: picked.label } : undefined;
}
