import {
  ALIAS_PATTERN,
  HYPERPARAMETER_KEY_PATTERN,
  isSettled,
  NAME_PATTERN,
  notebookParameters,
  parseDuration,
  trainingStates,
} from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandArgs, type CommandContext, clientOf, type Handler, pickTarget } from './commands.js';

const NAME = new RegExp(NAME_PATTERN);
const KEY = new RegExp(HYPERPARAMETER_KEY_PATTERN);

/** An input box that says what is wrong while the user types; undefined when cancelled. */
async function ask(title: string, value: string, validate: (text: string) => string | undefined, prompt?: string) {
  return vscode.window.showInputBox({
    title,
    value,
    prompt,
    validateInput: (text) => validate(text.trim()) ?? null,
    ignoreFocusOut: true,
  });
}

const nameRule = (text: string) =>
  NAME.test(text) ? undefined : vscode.l10n.t('Lower-case letters, digits, "-" and "_", starting with a letter or digit.');

/** `key=value` pairs separated by spaces or commas, e.g. `lr=0.01 epochs=5`. */
export function parseHyperparameters(text: string): Record<string, string> | string {
  const pairs: Record<string, string> = {};
  for (const part of text.split(/[\s,]+/).filter(Boolean)) {
    const at = part.indexOf('=');
    const key = at < 0 ? part : part.slice(0, at);
    if (!KEY.test(key)) return vscode.l10n.t('"{0}" is not a hyperparameter key (letters, digits, "_" and "-").', key);
    pairs[key] = at < 0 ? '' : part.slice(at + 1);
  }
  return pairs;
}

/** A resource name from a file name, as the bridge's name rule allows. */
function nameFrom(path: string): string {
  const base = (path.split(/[\\/]/).pop() ?? 'training').replace(/\.(ipynb|py)$/, '');
  return (
    base
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 40) || 'training'
  );
}

/** The notebook or script to submit: the one given (explorer), else the active notebook or .py editor, saved. */
async function sourceFile(args: CommandArgs): Promise<{ uri: vscode.Uri; parameters: Record<string, string> } | undefined> {
  // the explorer's context menu passes the file's Uri itself
  const given = (args as unknown) instanceof vscode.Uri ? (args as unknown as vscode.Uri) : (args.uri as vscode.Uri | undefined);
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const editor = vscode.window.activeTextEditor?.document;
  let uri = given;
  if (!uri && notebook?.uri.fsPath.endsWith('.ipynb')) {
    if (notebook.isDirty) await notebook.save();
    uri = notebook.uri;
  } else if (!uri && editor && /\.(py|ipynb)$/.test(editor.uri.fsPath)) {
    if (editor.isDirty) await editor.save();
    uri = editor.uri;
  }
  if (!uri) return undefined;
  let parameters: Record<string, string> = {};
  if (uri.fsPath.endsWith('.ipynb')) {
    try {
      parameters = notebookParameters(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch {
      // not JSON (yet): no defaults to offer
    }
  }
  return { uri, parameters };
}

/** Trainings a Stop applies to. */
export const isRunning = (item: { state?: string }) => !isSettled(trainingStates, item.state as never);

/** The workflows that take input, QuickPick and InputBox steps with validation; every input can come in args. */
export const workflows: Record<string, Handler> = {
  'emkit.submitNotebook': async (context, args) => {
    const client = await clientOf(context);
    const source = await sourceFile(args);
    if (!source) throw new Error(vscode.l10n.t('Open a notebook or a Python script to submit, or pick one in the explorer.'));
    const title = vscode.l10n.t('Submit {0} as a training', source.uri.fsPath.split(/[\\/]/).pop() ?? '');
    const name =
      (args.name as string | undefined) ??
      (await ask(title, nameFrom(source.uri.fsPath), nameRule, vscode.l10n.t('Training name')));
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
          ? await ask(title, nameFrom(source.uri.fsPath), nameRule, vscode.l10n.t('New experiment name'))
          : picked;
      if (experiment === undefined) return;
    }
    let hyperparameters = args.hyperparameters as Record<string, string> | undefined;
    if (!hyperparameters) {
      const text = await ask(
        title,
        Object.entries(source.parameters)
          .map(([key, value]) => `${key}=${value}`)
          .join(' '),
        (value) => {
          const parsed = parseHyperparameters(value);
          return typeof parsed === 'string' ? parsed : undefined;
        },
        vscode.l10n.t("Hyperparameters as key=value, from the notebook's parameters cell"),
      );
      if (text === undefined) return;
      hyperparameters = parseHyperparameters(text) as Record<string, string>;
    }
    const environment =
      (args.environment as string | undefined) ??
      (context.store.list('environments').some((e) => e.state === 'ACTIVE') && args.name === undefined
        ? await pickEnvironment(context, title)
        : '');
    if (environment === undefined) return;
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
            ...(typeof args.instanceCount === 'number' ? { instanceCount: args.instanceCount } : {}),
            ...(maxDurationSeconds ? { maxDurationSeconds } : {}),
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

  'emkit.openEndpoint': async (context, args) => {
    const target = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Open which endpoint?'));
    if (target) context.panels.openEndpoint(await clientOf(context), target.id, target.name);
  },

  'emkit.openTensorboard': async (context, args) => {
    const client = await clientOf(context);
    if (args.target?.kind === 'experiments')
      return context.panels.openTensorboard(client, { experiment: args.target.id }, args.target.name);
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('TensorBoard for which training?'));
    if (target) return context.panels.openTensorboard(client, { training: target.id }, target.name);
  },

  'emkit.showTrainingLogs': async (context, args) => {
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('Show the logs of which training?'));
    if (target) context.logs.show(await clientOf(context), target.id, target.name);
  },

  'emkit.copyTraining': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'trainings', vscode.l10n.t('Copy which training?'));
    if (!target) return;
    const name =
      (args.name as string | undefined) ??
      (await ask(vscode.l10n.t('Copy {0}', target.name), `${target.name}-copy`.slice(0, 50), nameRule));
    if (name === undefined) return;
    const copy = await client.api.copyTraining({ params: { id: target.id }, body: { name } });
    context.panels.openTraining(client, copy.id, copy.name);
    return copy;
  },

  'emkit.createModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'trainings',
      vscode.l10n.t('Create a model from which training?'),
      (t) => t.state === 'COMPLETE',
    );
    if (!target) return;
    const training = context.store.find('trainings', target.id);
    const name =
      (args.name as string | undefined) ??
      (await ask(
        vscode.l10n.t('Create a model from {0}', target.name),
        training?.experimentName ?? target.name,
        nameRule,
        vscode.l10n.t('Model name'),
      ));
    if (name === undefined) return;
    const model = await client.api.createModel({ body: { name, training: target.id } });
    void vscode.window.showInformationMessage(vscode.l10n.t('Model {0} version {1} created.', model.name, model.version));
    return model;
  },

  'emkit.promoteModel': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'models', vscode.l10n.t('Promote which model version?'));
    if (!target) return;
    const alias =
      (args.alias as string | undefined) ??
      (await ask(vscode.l10n.t('Move which alias to {0}?', target.name), 'production', (text) =>
        new RegExp(ALIAS_PATTERN).test(text) ? undefined : vscode.l10n.t('An alias is lower-case letters, digits, "-" and "_".'),
      ));
    if (alias === undefined) return;
    return client.api.promoteModel({ params: { id: target.id }, body: { alias } });
  },

  'emkit.createEndpoint': async (context, args) => {
    const client = await clientOf(context);
    const model = await pickTarget(context, args, 'models', vscode.l10n.t('Deploy which model version?'));
    if (!model) return;
    const base = model.name.split(':')[0] ?? model.name;
    const name = (args.name as string | undefined) ?? (await ask(vscode.l10n.t('Endpoint name'), base, nameRule));
    if (name === undefined) return;
    const stage = (args.stage as string | undefined) ?? (await ask(vscode.l10n.t('Stage name'), 'default', nameRule));
    if (stage === undefined) return;
    const endpoint = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating endpoint {0}…', name) },
      () =>
        client.api.createEndpoint({
          body: { name, model: model.id, stage, instanceCount: typeof args.instanceCount === 'number' ? args.instanceCount : 1 },
        }),
    );
    context.panels.openEndpoint(client, endpoint.id, endpoint.name);
    return endpoint;
  },

  'emkit.addStage': async (context, args) => {
    const client = await clientOf(context);
    const endpoint = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Add a stage to which endpoint?'));
    if (!endpoint) return;
    const name = (args.name as string | undefined) ?? (await ask(vscode.l10n.t('Stage name'), '', nameRule));
    if (name === undefined) return;
    const model =
      (args.model as string | undefined) ??
      (await pickTarget(context, {}, 'models', vscode.l10n.t('Which model version does {0} serve?', name)))?.id;
    if (!model) return;
    return client.api.createEndpointStage({ params: { id: endpoint.id }, body: { name, model } });
  },

  'emkit.setDefaultStage': async (context, args) => {
    const client = await clientOf(context);
    const endpoint = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Switch the default stage of which endpoint?'));
    if (!endpoint) return;
    const stages = context.store.find('endpoints', endpoint.id)?.stages.filter((s) => !s.default) ?? [];
    const stage =
      (args.stage as string | undefined) ??
      (await vscode.window.showQuickPick(
        stages.map((s) => s.name),
        { title: vscode.l10n.t('Make which stage the default?') },
      ));
    if (!stage) return;
    return client.api.setDefaultStage({ params: { id: endpoint.id }, body: { stage } });
  },

  'emkit.deleteStage': async (context, args) => {
    const client = await clientOf(context);
    const endpoint = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Delete a stage of which endpoint?'));
    const stage = args.stage as string | undefined;
    if (!endpoint || !stage) return;
    const yes = vscode.l10n.t('Delete');
    if (args.confirm !== true) {
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('Delete stage {0} of {1}?', stage, endpoint.name),
        { modal: true },
        yes,
      );
      if (answer !== yes) return;
    }
    return client.api.deleteEndpointStage({ params: { id: endpoint.id, stage } });
  },

  'emkit.callEndpoint': async (context, args) => {
    const client = await clientOf(context);
    const endpoint = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Call which endpoint?'));
    if (!endpoint) return;
    let body = args.body;
    if (body === undefined) {
      const text = await ask(vscode.l10n.t('Call {0}', endpoint.name), '{"instances": [[5.1, 3.5, 1.4, 0.2]]}', (value) => {
        try {
          JSON.parse(value);
          return undefined;
        } catch (error) {
          return vscode.l10n.t('The request body is not JSON: {0}', (error as Error).message);
        }
      });
      if (text === undefined) return;
      body = JSON.parse(text);
    }
    const stage = args.stage as string | undefined;
    const answer = stage
      ? await client.api.inferStage({ params: { endpoint: endpoint.name, stage }, body: body as never })
      : await client.api.infer({ params: { endpoint: endpoint.name }, body: body as never });
    const channel = predictionsChannel();
    channel.appendLine(`${new Date().toISOString()} ${endpoint.name}${stage ? `/${stage}` : ''}`);
    channel.appendLine(JSON.stringify(answer, null, 2));
    channel.show(true);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} answered: {1}', endpoint.name, JSON.stringify(answer.predictions).slice(0, 200)),
    );
    return answer;
  },

  'emkit.createEnvironment': async (context, args) => {
    const client = await clientOf(context);
    const title = vscode.l10n.t('Create an environment');
    const name = (args.name as string | undefined) ?? (await ask(title, '', nameRule, vscode.l10n.t('Environment name')));
    if (name === undefined) return;
    let manager = args.manager as string | undefined;
    const choices = await client.api.listEnvironmentManagers({});
    if (manager === undefined) {
      const picked = await vscode.window.showQuickPick(
        choices.managers.map((m) => ({
          label: m.manager,
          description: m.available ? (m.binary ?? '') : m.note,
          available: m.available,
        })),
        { title, placeHolder: vscode.l10n.t('Manager (conda, mamba, micromamba or venv)') },
      );
      if (!picked) return;
      if (!picked.available) throw new Error(`${picked.label}: ${picked.description}`);
      manager = picked.label;
    }
    const python =
      (args.python as string | undefined) ??
      (await ask(
        title,
        '',
        (t) =>
          t === '' || /^3\.\d{1,2}(\.\d{1,2})?$/.test(t) ? undefined : vscode.l10n.t('A Python version like 3.11, or empty.'),
        vscode.l10n.t('Python version (empty: the default)'),
      ));
    if (python === undefined) return;
    const packages =
      (args.packages as string[] | undefined) ??
      (await ask(title, '', () => undefined, vscode.l10n.t('Packages, separated by spaces')))?.split(/\s+/).filter(Boolean);
    if (packages === undefined) return;
    return client.api.createEnvironment({ body: { name, manager: manager as never, ...(python ? { python } : {}), packages } });
  },
};

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

let predictions: vscode.OutputChannel | null = null;
function predictionsChannel(): vscode.OutputChannel {
  predictions ??= vscode.window.createOutputChannel('emkit: predictions');
  return predictions;
}
