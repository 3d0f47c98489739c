import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { pickEndpoint, stageFields, stageTargetOf } from './pickers.js';

interface StageArgs extends ResourceArgs {
  stage?: string;
}

/** Deploy a model version behind a new endpoint, add a stage, switch the default, delete a stage. */
export function addEndpointCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans, resources } = emkit;
  const { commands } = app;

  commands.addCommand(CommandIds.createEndpoint, {
    label: trans.__('Create Endpoint…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      if (!resources.list('models').length) {
        Notification.info(trans.__('There are no models yet: create one from a COMPLETE training.'), { autoClose: 5000 });
        return;
      }
      const model = (args as { model?: string }).model
        ? resources.find('models', String((args as { model?: string }).model))
        : undefined;
      const values = await formDialog(
        trans,
        trans.__('Create an endpoint'),
        [
          { name: 'name', label: trans.__('Endpoint name'), value: model?.name ?? '' },
          ...stageFields(emkit, model),
          { name: 'stage', label: trans.__('Stage name'), value: 'default' },
        ],
        trans.__('Create'),
      );
      if (!values) return;
      const target = stageTargetOf(emkit, values);
      if (!target) return;
      const endpoint = await attempt(emkit, trans.__('Could not create endpoint %1', values.name ?? ''), () =>
        client.api.createEndpoint({
          body: {
            name: values.name ?? '',
            model: values.model ?? '',
            stage: values.stage || 'default',
            instanceCount: Number(values.instanceCount || 1),
            ...target,
          },
        }),
      );
      if (endpoint) await commands.execute(CommandIds.openEndpoint, { id: endpoint.id });
    },
  });

  commands.addCommand(CommandIds.addStage, {
    label: trans.__('Add Endpoint Stage…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const endpoint = await pickEndpoint(emkit, trans.__('Add a stage to which endpoint?'), (args as ResourceArgs).id);
      if (!endpoint) return;
      const values = await formDialog(
        trans,
        trans.__('Add a stage to %1', endpoint.name),
        [{ name: 'name', label: trans.__('Stage name'), placeholder: 'canary' }, ...stageFields(emkit)],
        trans.__('Add'),
      );
      if (!values) return;
      const target = stageTargetOf(emkit, values);
      if (!target) return;
      await attempt(emkit, trans.__('Could not add stage %1', values.name ?? ''), () =>
        client.api.createEndpointStage({
          params: { id: endpoint.id },
          body: {
            name: values.name ?? '',
            model: values.model ?? '',
            instanceCount: Number(values.instanceCount || 1),
            ...target,
          },
        }),
      );
    },
  });

  const pickStage = async (endpointId: string | undefined, given: string | undefined, title: string, nonDefault: boolean) => {
    const endpoint = await pickEndpoint(emkit, title, endpointId);
    if (!endpoint) return undefined;
    if (given) return { endpoint, stage: given };
    const stages = endpoint.stages.filter((s) => !nonDefault || !s.default).map((s) => s.name);
    if (!stages.length) {
      Notification.info(trans.__('%1 has no other stage.', endpoint.name), { autoClose: 4000 });
      return undefined;
    }
    const picked = await InputDialog.getItem({ title, items: stages });
    if (!picked.button.accept || picked.value === null) return undefined;
    return { endpoint, stage: picked.value };
  };

  commands.addCommand(CommandIds.setDefaultStage, {
    label: trans.__('Set Default Stage…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const given = args as StageArgs;
      const chosen = await pickStage(given.id, given.stage, trans.__('Make which stage the default?'), true);
      if (!chosen) return;
      await attempt(emkit, trans.__('Could not make %1 the default', chosen.stage), () =>
        client.api.setDefaultStage({ params: { id: chosen.endpoint.id }, body: { stage: chosen.stage } }),
      );
    },
  });

  commands.addCommand(CommandIds.deleteStage, {
    label: trans.__('Delete Endpoint Stage…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const given = args as StageArgs;
      const chosen = await pickStage(given.id, given.stage, trans.__('Delete which stage?'), true);
      if (!chosen) return;
      const answer = await showDialog({
        title: trans.__('Delete stage %1 of %2?', chosen.stage, chosen.endpoint.name),
        body: trans.__('Its workers stop and its address stops answering.'),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })],
      });
      if (!answer.button.accept) return;
      await attempt(emkit, trans.__('Could not delete stage %1', chosen.stage), () =>
        client.api.deleteEndpointStage({ params: { id: chosen.endpoint.id, stage: chosen.stage } }),
      );
    },
  });

  return [CommandIds.createEndpoint, CommandIds.addStage, CommandIds.setDefaultStage, CommandIds.deleteStage];
}
