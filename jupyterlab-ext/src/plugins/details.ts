import { type EmkitClient, type Training, tensorboardAddress } from '@emkit/shared';
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IFrame, InputDialog, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import type { ReadonlyJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { IEmkit } from '../tokens.js';
import { DatasetWidget, EndpointWidget, ModelWidget, TrainingWidget } from '../views/detail-widgets.js';
import { EnvironmentWidget } from '../views/environment-widget.js';
import { viewTranslator } from '../views/translate.js';
import { attempt, requireClient } from './require-client.js';
import { lookUpRestored } from './restore.js';

type Kind = 'trainings' | 'endpoints' | 'experiments' | 'environments' | 'clusters' | 'datasets';

/** A command's arguments; `restoring` only in those the layout restorer saved with a tab, with the tab's `name`. */
type OpenArgs = ResourceArgs & { restoring?: boolean; name?: string };

/** The model view's arguments: a model `name`, or a version (`id`); `evaluation` to follow one just started. */
type ModelArgs = OpenArgs & { evaluation?: string };

/** How long a tab restored after a reload waits for the bridge before it is left closed. */
const RESTORE_WAIT_MS = 5000;

/** The client for an open command: at once, or, restoring a tab, once the reloaded page connects. */
function openClient(emkit: IEmkit, args: OpenArgs): Promise<EmkitClient | null> {
  return args.restoring ? emkit.connection.whenConnected(RESTORE_WAIT_MS) : Promise.resolve(requireClient(emkit));
}

/**
 * A restored tab's resource, from the store or, before it has loaded, from the bridge.
 * Undefined only when the bridge says it is gone (404): the tab stays closed. Any other
 * failure keeps the tab, under the name it had, and says what went wrong.
 */
async function lookUp(
  client: EmkitClient,
  emkit: IEmkit,
  kind: Kind,
  args: OpenArgs & { id: string },
): Promise<{ id: string; name: string } | undefined> {
  const known = emkit.resources.find(kind, args.id);
  if (known) return known;
  const params = { params: { id: args.id } };
  const found = await lookUpRestored<{ id: string; name: string }>(() =>
    kind === 'trainings'
      ? client.api.getTraining(params)
      : kind === 'endpoints'
        ? client.api.getEndpoint(params)
        : kind === 'experiments'
          ? client.api.getExperiment(params)
          : kind === 'clusters'
            ? client.api.getCluster(params)
            : kind === 'datasets'
              ? client.api.getDataset(params)
              : client.api.getEnvironment(params),
  );
  if (found.kind === 'found') return found.resource;
  if (found.kind === 'gone') return undefined;
  const name = args.name ?? args.id;
  Notification.error(emkit.trans.__('Could not reopen %1: %2', name, found.message), { autoClose: false });
  return { id: args.id, name };
}

/** The resource a command was given, or the one the user picks by name. */
async function pick(
  client: EmkitClient,
  emkit: IEmkit,
  kind: Kind,
  args: OpenArgs,
  title: string,
): Promise<{ id: string; name: string } | undefined> {
  // a restored tab whose resource is gone stays closed
  if (args.restoring) return args.id ? lookUp(client, emkit, kind, { ...args, id: args.id }) : undefined;
  if (args.id) return emkit.resources.find(kind, args.id) ?? { id: args.id, name: args.name ?? args.id };
  const items = emkit.resources.list(kind) as readonly { id: string; name: string }[];
  if (!items.length) {
    Notification.info(emkit.trans.__('Nothing to choose from yet.'), { autoClose: 4000 });
    return undefined;
  }
  const names = items.map((item) => item.name);
  const picked = await InputDialog.getItem({ title, items: names });
  if (!picked.button.accept || picked.value === null) return undefined;
  return items[names.indexOf(picked.value)];
}

/**
 * The main-area tabs: a training's view (logs, charts, files, actions), an endpoint's view
 * (stages, try-it, traffic), and TensorBoard and a cluster's Ray dashboard through the bridge's
 * proxy. One tab per resource:
 * asking again brings the open one forward.
 */
export const detailsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:details',
  description: 'The training and endpoint views, TensorBoard and Ray dashboard tabs.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null, restorer: ILayoutRestorer | null) => {
    const { trans, connection } = emkit;
    const t = viewTranslator(trans);
    const { commands, shell } = app;

    // the open tabs come back after a reload, as JupyterLab's own do: each kind has a tracker
    // the restorer saves (the command and its arguments) and replays
    const restoreArgs = new WeakMap<Widget, ReadonlyJSONObject>();
    const tracker = (command: string) => {
      const tracked = new WidgetTracker<MainAreaWidget>({ namespace: command.replace(':', '-') });
      void restorer?.restore(tracked, {
        command,
        args: (tab) => ({ ...restoreArgs.get(tab), restoring: true }),
        name: (tab) => tab.id,
      });
      return tracked;
    };
    const opens: string[] = [
      CommandIds.openTraining,
      CommandIds.openEndpoint,
      CommandIds.openModel,
      CommandIds.openTensorboard,
      CommandIds.openClusterDashboard,
      CommandIds.openEnvironment,
      CommandIds.openDataset,
    ];
    const trackers = new Map(opens.map((command) => [command, tracker(command)]));

    const reveal = (id: string): boolean => {
      for (const widget of shell.widgets('main')) {
        if (widget.id === id) {
          shell.activateById(id);
          return true;
        }
      }
      return false;
    };
    const addTab = (content: Widget, id: string, label: string, opened: { command: string; args: ReadonlyJSONObject }) => {
      const tab = new MainAreaWidget({ content });
      tab.id = id;
      tab.title.label = label;
      tab.title.closable = true;
      tab.addClass('emkit-DetailTab');
      restoreArgs.set(tab, opened.args);
      void trackers.get(opened.command)?.add(tab);
      shell.add(tab, 'main');
      shell.activateById(id);
      return tab;
    };

    const openFile = async (client: EmkitClient, training: Training | undefined, trainingId: string, path: string) => {
      // the training's folder is in the emkit home, outside Jupyter's root: copy the file in
      const content = await client.api.getTrainingFile({ params: { id: trainingId }, query: { path } });
      const folder = `emkit-artifacts/${training?.name ?? trainingId}`;
      const target = `${folder}/${path.split('/').pop()}`;
      const contents = app.serviceManager.contents;
      await contents.save('emkit-artifacts', { type: 'directory' });
      await contents.save(folder, { type: 'directory' });
      if (path.endsWith('.ipynb')) await contents.save(target, { type: 'notebook', format: 'json', content });
      else
        await contents.save(target, {
          type: 'file',
          format: 'text',
          content: typeof content === 'string' ? content : JSON.stringify(content, null, 2),
        });
      await commands.execute('docmanager:open', { path: target });
    };

    commands.addCommand(CommandIds.openTraining, {
      label: trans.__('Open Training View…'),
      execute: async (args) => {
        const client = await openClient(emkit, args as OpenArgs);
        if (!client) return;
        const training = await pick(client, emkit, 'trainings', args as OpenArgs, trans.__('Open which training?'));
        if (!training) return;
        const id = `emkit-training-tab-${training.id}`;
        if (reveal(id)) return;
        const content = new TrainingWidget(connection, client, training.id, t, (action) => {
          const current = emkit.resources.find('trainings', training.id);
          switch (action.action) {
            case 'stop':
              void commands.execute(CommandIds.stopTraining, { id: training.id });
              break;
            case 'copy':
              void commands.execute(CommandIds.copyTraining, { id: training.id });
              break;
            case 'tune':
              void commands.execute(CommandIds.tune, { training: training.id });
              break;
            case 'createModel':
              void commands.execute(CommandIds.createModel, { id: training.id });
              break;
            case 'saveRecipe':
              void commands.execute(CommandIds.saveRecipe, { id: training.id });
              break;
            case 'openTensorboard':
              void commands.execute(CommandIds.openTensorboard, { id: training.id });
              break;
            case 'openFile':
              void attempt(emkit, trans.__('Could not open %1', action.path), () =>
                openFile(client, current, training.id, action.path),
              );
              break;
          }
        });
        addTab(content, id, training.name, {
          command: CommandIds.openTraining,
          args: { id: training.id, name: training.name },
        });
      },
    });

    commands.addCommand(CommandIds.openEndpoint, {
      label: trans.__('Open Endpoint View…'),
      execute: async (args) => {
        const client = await openClient(emkit, args as OpenArgs);
        if (!client) return;
        const endpoint = await pick(client, emkit, 'endpoints', args as OpenArgs, trans.__('Open which endpoint?'));
        if (!endpoint) return;
        const id = `emkit-endpoint-tab-${endpoint.id}`;
        if (reveal(id)) return;
        const content = new EndpointWidget(connection, client, endpoint.id, t, (action) => {
          if (action.action === 'addStage') void commands.execute(CommandIds.addStage, { id: endpoint.id });
          else if (action.action === 'setDefault')
            void commands.execute(CommandIds.setDefaultStage, { id: endpoint.id, stage: action.stage });
          else if (action.action === 'deleteStage')
            void commands.execute(CommandIds.deleteStage, { id: endpoint.id, stage: action.stage });
          else if (action.action === 'addAlert')
            void commands.execute(CommandIds.addAlert, { id: endpoint.id, ...(action.stage ? { stage: action.stage } : {}) });
        });
        addTab(content, id, endpoint.name, {
          command: CommandIds.openEndpoint,
          args: { id: endpoint.id, name: endpoint.name },
        });
      },
    });

    /** The model name a command means: given, a version's, or the one the user picks. */
    const pickModelName = async (client: EmkitClient, args: ModelArgs): Promise<string | undefined> => {
      if (args.restoring) {
        if (!args.name) return undefined;
        const found = await lookUpRestored(() => client.api.getModel({ params: { id: args.name ?? '' } }));
        if (found.kind === 'failed')
          Notification.error(trans.__('Could not reopen %1: %2', args.name, found.message), { autoClose: false });
        return found.kind === 'gone' ? undefined : args.name;
      }
      if (args.name) return args.name;
      if (args.id) return emkit.resources.find('models', args.id)?.name ?? args.id.split(/[:@]/)[0];
      const names = [...new Set(emkit.resources.list('models').map((m) => m.name))];
      if (!names.length) {
        Notification.info(trans.__('Nothing to choose from yet.'), { autoClose: 4000 });
        return undefined;
      }
      const picked = await InputDialog.getItem({ title: trans.__('Open which model?'), items: names });
      return picked.button.accept && picked.value !== null ? picked.value : undefined;
    };

    commands.addCommand(CommandIds.openModel, {
      label: trans.__('Open Model View…'),
      execute: async (args) => {
        const given = args as ModelArgs;
        const client = await openClient(emkit, given);
        if (!client) return;
        const name = await pickModelName(client, given);
        if (!name) return;
        const focus = {
          modelId: given.id ? (emkit.resources.find('models', given.id)?.id ?? given.id) : undefined,
          evaluationId: given.evaluation,
        };
        const id = `emkit-model-tab-${name}`;
        const open = [...shell.widgets('main')].find((widget) => widget.id === id);
        if (open) {
          if (focus.modelId || focus.evaluationId) ((open as MainAreaWidget).content as ModelWidget).focus(focus);
          shell.activateById(id);
          return;
        }
        const content = new ModelWidget(connection, client, name, focus, t, (action) => {
          if (action.action === 'evaluate') void commands.execute(CommandIds.evaluateModel, { id: action.modelId });
          else if (action.action === 'promote') void commands.execute(CommandIds.promoteModel, { id: action.modelId });
          else if (action.action === 'score') void commands.execute(CommandIds.scoreDataset, { id: action.modelId });
        });
        addTab(content, id, trans.__('Model %1', name), { command: CommandIds.openModel, args: { name } });
      },
    });

    commands.addCommand(CommandIds.openTensorboard, {
      label: trans.__('Open TensorBoard…'),
      execute: async (args) => {
        const given = args as OpenArgs & { experiment?: string };
        const client = await openClient(emkit, given);
        if (!client) return;
        // a training by default; an experiment (all its trainings as runs) when asked for one
        const isExperiment = Boolean(given.experiment);
        const target = isExperiment
          ? await pick(
              client,
              emkit,
              'experiments',
              { id: given.experiment, restoring: given.restoring, name: given.name },
              trans.__('TensorBoard for which experiment?'),
            )
          : await pick(client, emkit, 'trainings', given, trans.__('TensorBoard for which training?'));
        if (!target) return;
        const id = `emkit-tensorboard-tab-${target.id}`;
        if (reveal(id)) return;
        const frame = new IFrame({
          sandbox: ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups', 'allow-downloads'],
        });
        frame.addClass('emkit-TensorBoard');
        const tab = addTab(frame, id, trans.__('TensorBoard: %1', target.name), {
          command: CommandIds.openTensorboard,
          args: isExperiment ? { experiment: target.id, name: target.name } : { id: target.id, name: target.name },
        });
        const board = await attempt(emkit, trans.__('Could not start TensorBoard for %1', target.name), () =>
          tensorboardAddress(client, isExperiment ? { experiment: target.id } : { training: target.id }),
        );
        if (board) frame.url = board;
        else tab.dispose();
      },
    });

    commands.addCommand(CommandIds.openClusterDashboard, {
      label: trans.__('Open Ray Dashboard…'),
      execute: async (args) => {
        const client = await openClient(emkit, args as OpenArgs);
        if (!client) return;
        const cluster = await pick(client, emkit, 'clusters', args as OpenArgs, trans.__('The dashboard of which cluster?'));
        if (!cluster) return;
        const id = `emkit-cluster-dashboard-tab-${cluster.id}`;
        if (reveal(id)) return;
        // the bridge's proxy adds Ray's token: the frame's address carries a one-time ticket only
        const address = await attempt(emkit, trans.__('Could not open the dashboard of %1', cluster.name), () =>
          client.clusterDashboardUrl(cluster.id),
        );
        if (!address) return;
        const frame = new IFrame({
          sandbox: ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups', 'allow-downloads'],
        });
        frame.addClass('emkit-RayDashboard');
        addTab(frame, id, trans.__('Ray Dashboard: %1', cluster.name), {
          command: CommandIds.openClusterDashboard,
          args: { id: cluster.id, name: cluster.name },
        });
        frame.url = address;
      },
    });

    commands.addCommand(CommandIds.openEnvironment, {
      label: trans.__('Open Environment View…'),
      execute: async (args) => {
        const client = await openClient(emkit, args as OpenArgs);
        if (!client) return;
        const environment = await pick(client, emkit, 'environments', args as OpenArgs, trans.__('Open which environment?'));
        if (!environment) return;
        const id = `emkit-environment-tab-${environment.id}`;
        if (reveal(id)) return;
        addTab(new EnvironmentWidget(client, emkit.resources, environment.id, t), id, environment.name, {
          command: CommandIds.openEnvironment,
          args: { id: environment.id, name: environment.name },
        });
      },
    });

    commands.addCommand(CommandIds.openDataset, {
      label: trans.__('Open Dataset Preview…'),
      execute: async (args) => {
        const client = await openClient(emkit, args as OpenArgs);
        if (!client) return;
        const dataset = await pick(client, emkit, 'datasets', args as OpenArgs, trans.__('Preview which dataset?'));
        if (!dataset) return;
        const id = `emkit-dataset-tab-${dataset.id}`;
        if (reveal(id)) return;
        addTab(new DatasetWidget(connection, client, dataset.id, dataset.name, t), id, trans.__('Dataset %1', dataset.name), {
          command: CommandIds.openDataset,
          args: { id: dataset.id, name: dataset.name },
        });
      },
    });

    for (const command of opens) palette?.addItem({ command, category: 'emkit' });
  },
};
