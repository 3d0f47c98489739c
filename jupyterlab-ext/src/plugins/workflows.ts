import { type Model, notebookParameters, parseDuration } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { discoverBridge } from '../connection/discover.js';
import { emkitIcon } from '../icons.js';
import { IEmkit } from '../tokens.js';
import { type Field, formatPairs, formDialog, parsePairs } from '../views/form.js';
import { attempt, requireClient } from './require-client.js';

interface StageArgs extends ResourceArgs {
  stage?: string;
}

const NEW_EXPERIMENT = '\u0000new';

/** A resource name from a file name: what the bridge's name rule allows. */
function nameFrom(path: string): string {
  const base = (path.split('/').pop() ?? 'training').replace(/\.(ipynb|py)$/, '');
  const cleaned = base
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  return (cleaned || 'training').slice(0, 40);
}

/** The notebook (or script) in front of the user, if the current tab is one. */
function currentDocument(app: JupyterFrontEnd): IDocumentWidget | null {
  const widget = app.shell.currentWidget as Partial<IDocumentWidget> | null;
  const context = widget?.context as DocumentRegistry.Context | undefined;
  if (!context?.path || !/\.(ipynb|py)$/.test(context.path)) return null;
  return widget as IDocumentWidget;
}

/**
 * The workflows that take input: submit the current notebook, create and promote models,
 * create endpoints and stages and switch the default, create environments. Each is a palette
 * command (category emkit) that asks with a form, calls the bridge, and shows what the bridge
 * said when it refuses.
 */
export const workflowsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:workflows',
  description: 'Submit the current notebook, models, endpoints and environments.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null) => {
    const { trans, resources } = emkit;
    const { commands } = app;

    const pickModel = async (title: string, given?: string): Promise<Model | undefined> => {
      if (given) return resources.find('models', given);
      const models = resources.list('models');
      if (!models.length) {
        Notification.info(trans.__('There are no models yet: create one from a COMPLETE training.'), { autoClose: 5000 });
        return undefined;
      }
      const names = models.map((m) => `${m.name}:${m.version}`);
      const picked = await InputDialog.getItem({ title, items: names });
      if (!picked.button.accept || picked.value === null) return undefined;
      return models[names.indexOf(picked.value)];
    };
    const pickEndpoint = async (title: string, given?: string) => {
      if (given) return resources.find('endpoints', given);
      const endpoints = resources.list('endpoints');
      if (!endpoints.length) {
        Notification.info(trans.__('There are no endpoints yet.'), { autoClose: 4000 });
        return undefined;
      }
      const names = endpoints.map((e) => e.name);
      const picked = await InputDialog.getItem({ title, items: names });
      if (!picked.button.accept || picked.value === null) return undefined;
      return endpoints[names.indexOf(picked.value)];
    };
    const environmentOptions = (): [string, string][] => [
      ['', trans.__("The bridge's Python")],
      ...resources
        .list('environments')
        .filter((env) => env.state === 'ACTIVE')
        .map((env): [string, string] => [env.name, env.name]),
    ];

    commands.addCommand(CommandIds.submitNotebook, {
      label: trans.__('Submit Notebook as Training…'),
      caption: trans.__('Save this notebook and run it as an emkit training'),
      icon: emkitIcon,
      isEnabled: () => currentDocument(app) !== null,
      execute: async () => {
        const client = requireClient(emkit);
        const document = currentDocument(app);
        if (!client || !document) return;
        const { context } = document;
        await context.save();
        const rootDir = (await discoverBridge())?.rootDir;
        if (!rootDir) {
          Notification.error(
            trans.__("JupyterLab's server did not say where its files are; is the emkit server extension enabled?"),
          );
          return;
        }
        const parameters = context.path.endsWith('.ipynb') ? notebookParameters(context.model.toJSON() as never) : {};
        const experiments = resources.list('experiments');
        const fields: Field[] = [
          { name: 'name', label: trans.__('Name'), value: nameFrom(context.path) },
          {
            name: 'experiment',
            label: trans.__('Experiment'),
            kind: 'select',
            options: [
              ...experiments.map((e): [string, string] => [e.name, e.name]),
              [NEW_EXPERIMENT, trans.__('New experiment (name below)')],
            ],
          },
          {
            name: 'newExperiment',
            label: trans.__('New experiment name'),
            value: experiments.length ? '' : nameFrom(context.path),
          },
          { name: 'environment', label: trans.__('Environment'), kind: 'select', options: environmentOptions() },
          {
            name: 'hyperparameters',
            label: trans.__('Hyperparameters'),
            kind: 'textarea',
            value: formatPairs(parameters),
            help: trans.__("key=value, one per line; from the notebook's parameters cell"),
          },
          { name: 'datasets', label: trans.__('Datasets'), kind: 'textarea', placeholder: 'train=/data/train.csv' },
          { name: 'instanceCount', label: trans.__('Instances'), kind: 'number', value: '1' },
          { name: 'maxTime', label: trans.__('Maximum time'), placeholder: '2h30m', help: trans.__('empty: no limit') },
        ];
        const values = await formDialog(trans, trans.__('Submit %1 as a training', context.path), fields, trans.__('Submit'));
        if (!values) return;
        const experiment = values.experiment === NEW_EXPERIMENT || !values.experiment ? values.newExperiment : values.experiment;
        const maxSeconds = values.maxTime ? parseDuration(values.maxTime) : undefined;
        if (values.maxTime && !maxSeconds) {
          Notification.error(trans.__('Maximum time "%1" is not a duration like 2h30m.', values.maxTime));
          return;
        }
        const training = await attempt(emkit, trans.__('Could not submit %1', context.path), () =>
          client.api.createTraining({
            body: {
              name: values.name || undefined,
              ...(experiment ? { experiment } : {}),
              source: { path: `${rootDir}/${context.path}` },
              hyperparameters: parsePairs(values.hyperparameters ?? ''),
              datasets: parsePairs(values.datasets ?? ''),
              ...(values.environment ? { environment: values.environment } : {}),
              instanceCount: Number(values.instanceCount || 1),
              ...(maxSeconds ? { maxDurationSeconds: maxSeconds } : {}),
            },
          }),
        );
        if (training) await commands.execute(CommandIds.openTraining, { id: training.id });
      },
    });

    commands.addCommand(CommandIds.copyTraining, {
      label: trans.__('Copy Training…'),
      execute: async (args) => {
        const client = requireClient(emkit);
        const source = (args as ResourceArgs).id ? resources.find('trainings', String((args as ResourceArgs).id)) : undefined;
        if (!client || !source) return;
        const values = await formDialog(
          trans,
          trans.__('Copy training %1', source.name),
          [
            { name: 'name', label: trans.__('Name'), value: `${source.name}-copy`.slice(0, 50) },
            {
              name: 'hyperparameters',
              label: trans.__('Hyperparameters'),
              kind: 'textarea',
              value: formatPairs(source.hyperparameters),
            },
          ],
          trans.__('Start'),
        );
        if (!values) return;
        const copy = await attempt(emkit, trans.__('Could not copy %1', source.name), () =>
          client.api.copyTraining({
            params: { id: source.id },
            body: { name: values.name, hyperparameters: parsePairs(values.hyperparameters ?? '') },
          }),
        );
        if (copy) await commands.execute(CommandIds.openTraining, { id: copy.id });
      },
    });

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
        const model = await pickModel(trans.__('Promote which model version?'), (args as ResourceArgs).id);
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

    const stageFields = (model?: Model): Field[] => [
      {
        name: 'model',
        label: trans.__('Model version'),
        kind: 'select',
        value: model ? model.id : undefined,
        options: resources.list('models').map((m): [string, string] => [m.id, `${m.name}:${m.version}`]),
      },
      { name: 'instanceCount', label: trans.__('Instances'), kind: 'number', value: '1' },
    ];

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
            ...stageFields(model),
            { name: 'stage', label: trans.__('Stage name'), value: 'default' },
          ],
          trans.__('Create'),
        );
        if (!values) return;
        const endpoint = await attempt(emkit, trans.__('Could not create endpoint %1', values.name ?? ''), () =>
          client.api.createEndpoint({
            body: {
              name: values.name ?? '',
              model: values.model ?? '',
              stage: values.stage || 'default',
              instanceCount: Number(values.instanceCount || 1),
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
        const endpoint = await pickEndpoint(trans.__('Add a stage to which endpoint?'), (args as ResourceArgs).id);
        if (!endpoint) return;
        const values = await formDialog(
          trans,
          trans.__('Add a stage to %1', endpoint.name),
          [{ name: 'name', label: trans.__('Stage name'), placeholder: 'canary' }, ...stageFields()],
          trans.__('Add'),
        );
        if (!values) return;
        await attempt(emkit, trans.__('Could not add stage %1', values.name ?? ''), () =>
          client.api.createEndpointStage({
            params: { id: endpoint.id },
            body: { name: values.name ?? '', model: values.model ?? '', instanceCount: Number(values.instanceCount || 1) },
          }),
        );
      },
    });

    const pickStage = async (endpointId: string | undefined, given: string | undefined, title: string, nonDefault: boolean) => {
      const endpoint = await pickEndpoint(title, endpointId);
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

    commands.addCommand(CommandIds.createEnvironment, {
      label: trans.__('Create Environment…'),
      execute: async () => {
        const client = requireClient(emkit);
        if (!client) return;
        const managers = await attempt(emkit, trans.__('Could not list the environment managers'), () =>
          client.api.listEnvironmentManagers({}),
        );
        if (!managers) return;
        const values = await formDialog(
          trans,
          trans.__('Create an environment'),
          [
            { name: 'name', label: trans.__('Name'), placeholder: 'torch-cpu' },
            {
              name: 'manager',
              label: trans.__('Manager'),
              kind: 'select',
              options: managers.managers.filter((m) => m.available).map((m): [string, string] => [m.manager, m.manager]),
            },
            {
              name: 'python',
              label: trans.__('Python version'),
              kind: 'select',
              options: [['', trans.__('Default')], ...managers.pythons.map((p): [string, string] => [p, p])],
            },
            { name: 'packages', label: trans.__('Packages'), kind: 'textarea', placeholder: 'scikit-learn==1.5.2\npandas' },
          ],
          trans.__('Create'),
        );
        if (!values) return;
        const environment = await attempt(emkit, trans.__('Could not create environment %1', values.name ?? ''), () =>
          client.api.createEnvironment({
            body: {
              name: values.name ?? '',
              manager: values.manager as never,
              ...(values.python ? { python: values.python } : {}),
              packages: (values.packages ?? '').split(/\s*\n\s*/).filter(Boolean),
            },
          }),
        );
        if (environment) await commands.execute(CommandIds.openEnvironment, { id: environment.id });
      },
    });

    const ids = [
      CommandIds.submitNotebook,
      CommandIds.copyTraining,
      CommandIds.createModel,
      CommandIds.promoteModel,
      CommandIds.createEndpoint,
      CommandIds.addStage,
      CommandIds.setDefaultStage,
      CommandIds.deleteStage,
      CommandIds.createEnvironment,
    ];
    for (const command of ids) palette?.addItem({ command, category: 'emkit' });
  },
};
