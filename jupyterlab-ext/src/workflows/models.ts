import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { pickModel } from './pickers.js';

/** Create a model version from a COMPLETE training, and move an alias to a version. */
export function addModelCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans, resources } = emkit;
  const { commands } = app;

  commands.addCommand(CommandIds.createModel, {
    label: trans.__('Create Model from Training…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      let training = (args as ResourceArgs).id ? resources.find('trainings', String((args as ResourceArgs).id)) : undefined;
      if (!training) {
        const complete = resources.list('trainings').filter((t) => t.state === 'COMPLETE');
        if (!complete.length) {
          Notification.info(trans.__('No training is COMPLETE yet.'), { autoClose: 4000 });
          return;
        }
        const names = complete.map((t) => t.name);
        const picked = await InputDialog.getItem({ title: trans.__('Create a model from which training?'), items: names });
        if (!picked.button.accept || picked.value === null) return;
        training = complete[names.indexOf(picked.value)];
      }
      if (!training) return;
      const values = await formDialog(
        trans,
        trans.__('Create a model from %1', training.name),
        [
          { name: 'name', label: trans.__('Model name'), value: training.experimentName || training.name },
          { name: 'alias', label: trans.__('Alias (optional)'), placeholder: 'staging' },
        ],
        trans.__('Create'),
      );
      if (!values) return;
      const source = training;
      const model = await attempt(emkit, trans.__('Could not create model %1', values.name ?? ''), () =>
        client.api.createModel({
          body: { name: values.name ?? '', training: source.id, ...(values.alias ? { aliases: [values.alias] } : {}) },
        }),
      );
      if (model) Notification.success(trans.__('Model %1 version %2 created.', model.name, model.version), { autoClose: 5000 });
    },
  });

  commands.addCommand(CommandIds.promoteModel, {
    label: trans.__('Promote Model Version…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const model = await pickModel(emkit, trans.__('Promote which model version?'), (args as ResourceArgs).id);
      if (!model) return;
      const alias = await InputDialog.getText({
        title: trans.__('Move which alias to %1:%2?', model.name, model.version),
        placeholder: 'production',
      });
      if (!alias.button.accept || !alias.value) return;
      const promoted = await attempt(emkit, trans.__('Could not promote %1:%2', model.name, model.version), () =>
        client.api.promoteModel({ params: { id: model.id }, body: { alias: alias.value ?? '' } }),
      );
      if (promoted)
        Notification.success(trans.__('%1@%2 is now version %3.', model.name, alias.value, model.version), { autoClose: 5000 });
    },
  });

  return [CommandIds.createModel, CommandIds.promoteModel];
}
