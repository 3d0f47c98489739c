import * as vscode from 'vscode';
import { clientOf, type Handler, pickTarget } from './context.js';
import { ask, nameRule } from './inputs.js';
import { askStageTarget } from './run-on.js';

let predictions: vscode.OutputChannel | null = null;
function predictionsChannel(): vscode.OutputChannel {
  predictions ??= vscode.window.createOutputChannel('emkit: predictions');
  return predictions;
}

/** Deploy a model version behind an endpoint, manage its stages, call it. */
export const endpointCommands: Record<string, Handler> = {
  'emkit.openEndpoint': async (context, args) => {
    const target = await pickTarget(context, args, 'endpoints', vscode.l10n.t('Open which endpoint?'));
    if (target) context.panels.openEndpoint(await clientOf(context), target.id, target.name);
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
    const target = await askStageTarget(context, args, vscode.l10n.t('Where does stage {0} run?', stage));
    if (!target) return;
    const endpoint = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating endpoint {0}…', name) },
      () =>
        client.api.createEndpoint({
          body: {
            name,
            model: model.id,
            stage,
            instanceCount: typeof args.instanceCount === 'number' ? args.instanceCount : 1,
            ...target,
          },
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
    const target = await askStageTarget(context, args, vscode.l10n.t('Where does stage {0} run?', name));
    if (!target) return;
    const instanceCount = typeof args.instanceCount === 'number' ? { instanceCount: args.instanceCount } : {};
    return client.api.createEndpointStage({ params: { id: endpoint.id }, body: { name, model, ...instanceCount, ...target } });
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
};
