import { ApiError, batchInferenceStates, type EmkitClient, isSettled, trainingStates, tuningStates } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { displayName, type ResourceKind, type ResourceStore } from '../resources.js';
import { IEmkit } from '../tokens.js';

/** One action on one resource: what to ask, how to confirm, what to call. */
interface ResourceAction {
  id: string;
  kind: ResourceKind;
  label: string;
  /** the question when the palette gives no resource */
  pick: string;
  none: string;
  confirmTitle: (name: string) => string;
  confirmBody: string;
  confirmLabel: string;
  failed: (name: string, message: string) => string;
  /** which resources it applies to (stop: only trainings still running) */
  applies?: (item: { id: string; state?: string }) => boolean;
  call: (client: EmkitClient, id: string) => Promise<unknown>;
}

function resourceActions(trans: TranslationBundle, resources: ResourceStore): ResourceAction[] {
  const deleteLabel = trans.__('Delete');
  const couldNotDelete = (name: string, message: string) => trans.__('Could not delete %1: %2', name, message);
  return [
    {
      id: CommandIds.deleteEnvironment,
      kind: 'environments',
      label: trans.__('Delete Environment…'),
      pick: trans.__('Delete which environment?'),
      none: trans.__('There are no environments to delete.'),
      confirmTitle: (name) => trans.__('Delete environment %1?', name),
      confirmBody: trans.__('Its folder and its Jupyter kernel are removed.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteEnvironment({ params: { id } }),
    },
    {
      id: CommandIds.deleteExperiment,
      kind: 'experiments',
      label: trans.__('Delete Experiment…'),
      pick: trans.__('Delete which experiment?'),
      none: trans.__('There are no experiments to delete.'),
      confirmTitle: (name) => trans.__('Delete experiment %1?', name),
      confirmBody: trans.__("This can't be undone."),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteExperiment({ params: { id } }),
    },
    {
      id: CommandIds.deleteTraining,
      kind: 'trainings',
      label: trans.__('Delete Training…'),
      pick: trans.__('Delete which training?'),
      none: trans.__('There are no trainings to delete.'),
      confirmTitle: (name) => trans.__('Delete training %1?', name),
      confirmBody: trans.__('Its logs, artifacts, checkpoints and metrics are removed.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteTraining({ params: { id } }),
    },
    {
      id: CommandIds.stopTraining,
      kind: 'trainings',
      label: trans.__('Stop Training…'),
      pick: trans.__('Stop which training?'),
      none: trans.__('No training is running.'),
      confirmTitle: (name) => trans.__('Stop training %1?', name),
      confirmBody: trans.__('Its processes end within seconds; what it saved so far is kept.'),
      confirmLabel: trans.__('Stop'),
      failed: (name, message) => trans.__('Could not stop %1: %2', name, message),
      applies: (item) => !isSettled(trainingStates, item.state as never),
      call: (client, id) => client.api.stopTraining({ params: { id } }),
    },
    {
      id: CommandIds.deleteModel,
      kind: 'models',
      label: trans.__('Delete Model Version…'),
      pick: trans.__('Delete which model version?'),
      none: trans.__('There are no models to delete.'),
      confirmTitle: (name) => trans.__('Delete model version %1?', name),
      confirmBody: trans.__('Its registered artifact is removed.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteModel({ params: { id } }),
    },
    {
      id: CommandIds.deactivateModel,
      kind: 'models',
      label: trans.__('Deactivate Model Version…'),
      pick: trans.__('Deactivate which model version?'),
      none: trans.__('No model version is active.'),
      confirmTitle: (name) => trans.__('Deactivate model version %1?', name),
      confirmBody: trans.__(
        "It can't be deployed, quick-tested or evaluated until it is activated again. A stage that serves it must be deleted first.",
      ),
      confirmLabel: trans.__('Deactivate'),
      failed: (name, message) => trans.__('Could not deactivate %1: %2', name, message),
      applies: (item) => item.state === 'ACTIVE',
      call: (client, id) => client.api.updateModel({ params: { id }, body: { active: false } }),
    },
    {
      id: CommandIds.activateModel,
      kind: 'models',
      label: trans.__('Activate Model Version…'),
      pick: trans.__('Activate which model version?'),
      none: trans.__('No model version is deactivated.'),
      confirmTitle: (name) => trans.__('Activate model version %1?', name),
      confirmBody: trans.__('It can be deployed, quick-tested and evaluated again.'),
      confirmLabel: trans.__('Activate'),
      failed: (name, message) => trans.__('Could not activate %1: %2', name, message),
      applies: (item) => item.state === 'INACTIVE',
      call: (client, id) => client.api.updateModel({ params: { id }, body: { active: true } }),
    },
    {
      id: CommandIds.deleteEndpoint,
      kind: 'endpoints',
      label: trans.__('Delete Endpoint…'),
      pick: trans.__('Delete which endpoint?'),
      none: trans.__('There are no endpoints to delete.'),
      confirmTitle: (name) => trans.__('Delete endpoint %1?', name),
      confirmBody: trans.__('Its workers stop and its address stops answering.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteEndpoint({ params: { id } }),
    },
    {
      id: CommandIds.deleteDataset,
      kind: 'datasets',
      label: trans.__('Delete Dataset…'),
      pick: trans.__('Delete which dataset?'),
      none: trans.__('There are no datasets to delete.'),
      confirmTitle: (name) => trans.__('Delete dataset %1?', name),
      confirmBody: trans.__('Its versions and its copied content are removed; a referenced folder stays as it is.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteDataset({ params: { id } }),
    },
    {
      id: CommandIds.deleteRecipe,
      kind: 'recipes',
      label: trans.__('Delete Recipe…'),
      pick: trans.__('Delete which recipe?'),
      none: trans.__('There are no saved recipes to delete.'),
      confirmTitle: (name) => trans.__('Delete recipe %1?', name),
      confirmBody: trans.__('Its source snapshot is removed; trainings made from it are kept.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      applies: (item) => !(item as { builtin?: boolean }).builtin,
      // read the list at once rather than wait for the recipe event (an older bridge sends none)
      call: async (client, id) => {
        await client.api.deleteRecipe({ params: { id } });
        await resources.reloadRecipes(client);
      },
    },
    {
      id: CommandIds.stopBatch,
      kind: 'batch-inferences',
      label: trans.__('Stop Batch Job…'),
      pick: trans.__('Stop which batch job?'),
      none: trans.__('No batch job is running.'),
      confirmTitle: (name) => trans.__('Stop batch job %1?', name),
      confirmBody: trans.__('It ends within seconds; the predictions written so far are kept, in order.'),
      confirmLabel: trans.__('Stop'),
      failed: (name, message) => trans.__('Could not stop %1: %2', name, message),
      applies: (item) => !isSettled(batchInferenceStates, item.state as never),
      call: (client, id) => client.api.stopBatchInference({ params: { id } }),
    },
    {
      id: CommandIds.deleteBatch,
      kind: 'batch-inferences',
      label: trans.__('Delete Batch Job…'),
      pick: trans.__('Delete which batch job?'),
      none: trans.__('There are no finished batch jobs to delete.'),
      confirmTitle: (name) => trans.__('Delete batch job %1?', name),
      confirmBody: trans.__('Its record and its own folder are removed; an output folder you named is kept.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      applies: (item) => isSettled(batchInferenceStates, item.state as never),
      call: (client, id) => client.api.deleteBatchInference({ params: { id } }),
    },
    {
      id: CommandIds.deleteSchedule,
      kind: 'schedules',
      label: trans.__('Delete Schedule…'),
      pick: trans.__('Delete which schedule?'),
      none: trans.__('There are no schedules to delete.'),
      confirmTitle: (name) => trans.__('Delete schedule %1?', name),
      confirmBody: trans.__('Its history goes; the trainings, models, evaluations and jobs its runs made stay.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      call: (client, id) => client.api.deleteSchedule({ params: { id } }),
    },
    {
      id: CommandIds.stopTuning,
      kind: 'tunings',
      label: trans.__('Stop Tuning…'),
      pick: trans.__('Stop which tuning?'),
      none: trans.__('No tuning is running.'),
      confirmTitle: (name) => trans.__('Stop tuning %1?', name),
      confirmBody: trans.__('No new trial starts and the running ones are stopped; the best so far is kept.'),
      confirmLabel: trans.__('Stop'),
      failed: (name, message) => trans.__('Could not stop %1: %2', name, message),
      applies: (item) => !isSettled(tuningStates, item.state as never),
      call: (client, id) => client.api.stopTuning({ params: { id } }),
    },
    {
      id: CommandIds.deleteTuning,
      kind: 'tunings',
      label: trans.__('Delete Tuning…'),
      pick: trans.__('Delete which tuning?'),
      none: trans.__('There are no finished tunings to delete.'),
      confirmTitle: (name) => trans.__('Delete tuning %1?', name),
      confirmBody: trans.__('Its study and folder are removed; its trials’ trainings stay.'),
      confirmLabel: deleteLabel,
      failed: couldNotDelete,
      applies: (item) => isSettled(tuningStates, item.state as never),
      call: (client, id) => client.api.deleteTuning({ params: { id }, query: {} }),
    },
  ];
}

/** The resource the command was given, or the one the user picks from those it applies to. */
async function chooseResource(action: ResourceAction, args: ResourceArgs, resources: ResourceStore) {
  if (args.id) return resources.find(action.kind, args.id) ?? { id: args.id, name: args.id };
  const candidates = (resources.snapshot[action.kind] as readonly { id: string; name: string; state?: string }[]).filter(
    (item) => action.applies?.(item) ?? true,
  );
  if (candidates.length === 0) {
    Notification.info(action.none, { autoClose: 4000 });
    return undefined;
  }
  const names = candidates.map((item) => displayName(action.kind, item));
  const picked = await InputDialog.getItem({ title: action.pick, items: names });
  if (!picked.button.accept || picked.value === null) return undefined;
  return candidates[names.indexOf(picked.value)];
}

/** Every emkit action as a palette command (category "emkit"); the sidebar's buttons run these same commands. */
export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:commands',
  description: 'The emkit commands: refresh, settings, delete and stop.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null) => {
    const { connection, resources, trans } = emkit;
    const { commands } = app;

    commands.addCommand(CommandIds.refresh, {
      label: trans.__('Refresh emkit'),
      execute: async () => {
        await connection.recheck();
        if (connection.client && connection.status.kind === 'connected') await resources.load(connection.client);
      },
    });
    commands.addCommand(CommandIds.openSettings, {
      label: trans.__('Open emkit Settings'),
      execute: () => commands.execute('settingeditor:open', { query: 'emkit' }),
    });
    commands.addCommand(CommandIds.showPanel, {
      label: trans.__('Show the emkit Panel'),
      execute: () => app.shell.activateById('emkit-sidebar'),
    });

    const actions = resourceActions(trans, resources);
    for (const action of actions) {
      commands.addCommand(action.id, {
        label: action.label,
        isEnabled: () => connection.status.kind === 'connected',
        execute: async (args) => {
          const client = connection.client;
          if (!client || connection.status.kind !== 'connected') {
            Notification.warning(trans.__('Not connected to the emkit bridge: see the emkit panel.'), { autoClose: 5000 });
            return;
          }
          const item = await chooseResource(action, args as ResourceArgs, resources);
          if (!item) return;
          const name = displayName(action.kind, item);
          const answer = await showDialog({
            title: action.confirmTitle(name),
            body: action.confirmBody,
            buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: action.confirmLabel })],
          });
          if (!answer.button.accept) return;
          try {
            await action.call(client, item.id);
          } catch (error) {
            // the bridge's own words: which rule refused it and what to do first
            const message = error instanceof ApiError ? error.message : String(error);
            Notification.error(action.failed(name, message), { autoClose: false });
          }
        },
      });
    }

    const ids = [CommandIds.refresh, CommandIds.openSettings, CommandIds.showPanel, ...actions.map((a) => a.id)];
    for (const command of ids) palette?.addItem({ command, category: 'emkit' });
  },
};
