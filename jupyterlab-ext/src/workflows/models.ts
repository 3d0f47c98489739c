import { DEFAULT_MAX_ERRORS, DEFAULT_THRESHOLD, type EmkitClient, evaluationBody, headlineText, type Model } from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { viewTranslator } from '../views/translate.js';
import { pickModel } from './pickers.js';

/**
 * What promote shows of the version being promoted: its latest COMPLETE evaluation's headline
 * figures, or that it has none (which is worth knowing before it goes to production).
 */
async function evaluationLine(emkit: IEmkit, client: EmkitClient, model: Model): Promise<string> {
  const { trans } = emkit;
  try {
    const latest = await client.api.listEvaluations({ query: { model: model.id, state: 'COMPLETE', limit: 1 } });
    const summary = latest.items[0];
    return summary
      ? trans.__('Evaluation: %1', headlineText(summary, viewTranslator(trans)))
      : trans.__('This version has not been evaluated.');
  } catch (error) {
    return trans.__('Its evaluation could not be read: %1', (error as Error).message);
  }
}

/** Create a model version from a COMPLETE training, move an alias to a version, and evaluate a version. */
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
        label: await evaluationLine(emkit, client, model),
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

  commands.addCommand(CommandIds.evaluateModel, {
    label: trans.__('Evaluate Model Version…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const model = await pickModel(emkit, trans.__('Evaluate which model version?'), (args as ResourceArgs).id);
      if (!model) return;
      const values = await formDialog(
        trans,
        trans.__('Evaluate %1:%2', model.name, model.version),
        [
          {
            name: 'model',
            label: trans.__('Model version'),
            kind: 'select',
            value: model.id,
            options: resources.list('models').map((m): [string, string] => [m.id, `${m.name}:${m.version}`]),
          },
          {
            name: 'data',
            label: trans.__('Test data'),
            placeholder: '/path/to/test.csv',
            help: trans.__(
              'An absolute path: a CSV or Parquet file, a JSONL file of {"instance", "label"}, or a folder with one subfolder per class.',
            ),
          },
          { name: 'label', label: trans.__('Label column (optional)'), placeholder: 'label' },
          {
            name: 'features',
            label: trans.__('Feature columns (optional)'),
            placeholder: trans.__('every other column, in order'),
          },
          {
            name: 'task',
            label: trans.__('Task'),
            kind: 'select',
            options: [
              ['', trans.__('Found from the model and the data')],
              ['classification', trans.__('Classification')],
              ['regression', trans.__('Regression')],
              ['clustering', trans.__('Clustering')],
            ],
          },
          { name: 'threshold', label: trans.__('Probability threshold'), value: String(DEFAULT_THRESHOLD) },
          { name: 'maxErrors', label: trans.__('Misclassified samples kept'), value: String(DEFAULT_MAX_ERRORS) },
        ],
        trans.__('Evaluate'),
      );
      if (!values) return;
      const body = evaluationBody({ ...values, model: values.model || model.id, data: values.data ?? '' });
      const chosen = resources.find('models', body.model) ?? model;
      const evaluation = await attempt(emkit, trans.__('Could not evaluate %1:%2', chosen.name, chosen.version), () =>
        client.api.createEvaluation({ body }),
      );
      // the model view follows it until it is COMPLETE or FAILED
      if (evaluation)
        await commands.execute(CommandIds.openModel, { name: chosen.name, id: chosen.id, evaluation: evaluation.id });
      return evaluation;
    },
  });

  return [CommandIds.createModel, CommandIds.promoteModel, CommandIds.evaluateModel];
}
