// Runs inside code-server's real extension host (extensionTestsPath), driven by
// test/e2e-vscode/workflows.test.ts against a real bridge: the whole loop through the
// extension's own commands, each given its inputs as arguments (what a QuickPick or an
// InputBox would have asked), checking what the bridge then holds. The driver takes
// screenshots and reads the webviews when this module asks (a file named `<result>.shot`).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Endpoint, Model, Training } from '@emkit/shared';
import * as vscode from 'vscode';
import type { EmkitExtensionApi } from '../src/extension.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Asks the driver to look at the window now (a screenshot named `step`, and the webviews' text); returns what it saw. */
async function driverLooks(step: string): Promise<{ texts: string[] }> {
  const signal = `${process.env.EMKIT_TEST_RESULT}.shot`;
  writeFileSync(signal, step);
  await until('the driver to look', () => (existsSync(signal) ? undefined : true), 30_000);
  const seen = `${signal}.seen`;
  return existsSync(seen) ? JSON.parse(readFileSync(seen, 'utf8')) : { texts: [] };
}

export async function run(): Promise<void> {
  const steps: string[] = [];
  const result = (ok: boolean, error?: string) =>
    writeFileSync(process.env.EMKIT_TEST_RESULT!, JSON.stringify({ ok, steps, error }, null, 1));
  const command = <T>(id: string, args: unknown) => vscode.commands.executeCommand<T>(id, args);
  try {
    const extension = vscode.extensions.getExtension<EmkitExtensionApi>('emkit.emkit-vscode');
    if (!extension) throw new Error('the emkit extension is not loaded');
    const api = await extension.activate();
    await until('the lists to load', () => (api.store.state.kind === 'loaded' ? true : undefined), 20_000);
    const client = api.link.client!;
    const lastError = () => api.errors[api.errors.length - 1];

    // Submit Current Notebook as Training: the notebook, saved, with a hyperparameter changed
    // the driver wrote the notebook (test/support/notebooks.ts)
    const notebook = vscode.Uri.file(process.env.EMKIT_TEST_NOTEBOOK!);
    await vscode.window.showTextDocument(notebook);
    const training = await command<Training>('emkit.submitNotebook', {
      experiment: 'vscode',
      name: 'vs-iris',
      hyperparameters: { C: '0.5', steps: '4' },
    });
    if (!training) throw new Error(`submit answered nothing: ${lastError()}`);
    if (training.source.entryPoint !== 'iris.ipynb') throw new Error(`submitted ${training.source.entryPoint}`);
    steps.push(`submitted ${training.name} (${JSON.stringify(training.hyperparameters)}) in ${training.experimentName}`);
    if (!api.panels.panels.has(`training:${training.id}`)) throw new Error('the training panel did not open');
    const target = { kind: 'trainings', id: training.id, name: training.name };

    await until('the status bar to count it', () => (api.status.item.text.includes('1') ? true : undefined), 30_000);
    steps.push(`status bar: ${api.status.item.text}`);
    await until(
      'the training to be COMPLETE',
      () => (api.store.find('trainings', training.id)?.state === 'COMPLETE' ? true : undefined),
      120_000,
    );
    await until('the completion notification', () => api.status.shown.find((text) => text.includes('vs-iris')), 10_000);
    steps.push(`notified: ${api.status.shown.join(' | ')}`);
    if (!api.status.item.text.endsWith('emkit')) throw new Error(`status bar still says ${api.status.item.text}`);

    // its panel shows the log and the loss chart (the driver reads the webview)
    api.panels.panels.get(`training:${training.id}`)?.reveal();
    const panel = await until(
      'the panel to show COMPLETE, the log and the chart',
      async () => {
        const seen = await driverLooks('training-panel');
        const text = seen.texts.join('\n');
        return text.includes('COMPLETE') && text.includes('vscode step 4 C=0.5 loss=') && text.includes('loss')
          ? text
          : undefined;
      },
      30_000,
    );
    steps.push(`training panel: ${panel.includes('[chart]') ? 'chart drawn' : 'chart not drawn'}, log shown`);
    if (!panel.includes('[chart]')) throw new Error('the loss chart has no canvas');

    // Open Training Panel brings the open panel forward rather than opening a second
    await command('emkit.openTraining', { target });
    if ([...api.panels.panels.keys()].filter((key) => key.startsWith('training:')).length !== 1)
      throw new Error('a second panel');
    // Refresh reconnects and reloads the lists
    await command('emkit.refresh', {});
    await until('the lists after Refresh', () => (api.store.state.kind === 'loaded' ? true : undefined), 20_000);

    // Show Training Logs: an output channel with what the notebook printed
    await command('emkit.showTrainingLogs', { target });
    await until('the log channel', () => (api.logs.text(training.id).includes('vscode step 4') ? true : undefined), 20_000);
    steps.push('log channel has the notebook output');

    // Create Model, Promote, Create Endpoint, Call Endpoint
    const model = await command<Model>('emkit.createModel', { target, name: 'vs-iris' });
    if (!model) throw new Error(`create model: ${lastError()}`);
    const promoted = await command<Model>('emkit.promoteModel', {
      target: { kind: 'models', id: model.id, name: `${model.name}:${model.version}` },
      alias: 'production',
    });
    if (!promoted?.aliases.includes('production')) throw new Error(`promote: ${lastError()}`);
    steps.push(`model ${model.name}:${model.version} @production`);
    const endpoint = await command<Endpoint>('emkit.createEndpoint', {
      target: { kind: 'models', id: model.id, name: model.name },
      name: 'vs-iris',
      stage: 'blue',
    });
    if (!endpoint) throw new Error(`create endpoint: ${lastError()}`);
    const endpointTarget = { kind: 'endpoints', id: endpoint.id, name: endpoint.name };
    const ready = (stage: string) =>
      api.store
        .find('endpoints', endpoint.id)
        ?.stages.find((s) => s.name === stage && s.instances.some((i) => i.state === 'READY'));
    await until('the blue stage to be ready', () => ready('blue'), 90_000);
    const instances = [[5.1, 3.5, 1.4, 0.2]];
    const answer = await command<{ predictions: unknown[] }>('emkit.callEndpoint', {
      target: endpointTarget,
      body: { instances },
    });
    const direct = await client.api.infer({ params: { endpoint: 'vs-iris' }, body: { instances } });
    if (JSON.stringify(answer?.predictions) !== JSON.stringify(direct.predictions))
      throw new Error(`call: ${JSON.stringify(answer)}`);
    steps.push(`called vs-iris: ${JSON.stringify(answer?.predictions)}`);

    // the endpoint panel: its stage and a try-it box (the driver reads it)
    await command('emkit.openEndpoint', { target: endpointTarget });
    const endpointPanel = await until(
      'the endpoint panel',
      async () => {
        const text = (await driverLooks('endpoint-panel')).texts.join('\n');
        return text.includes('blue') && text.includes('1/1') ? text : undefined;
      },
      30_000,
    );
    steps.push(`endpoint panel shows the stage: ${endpointPanel.includes('ACTIVE')}`);

    // Add Stage, Set Default Stage, Delete Stage
    await command('emkit.addStage', { target: endpointTarget, name: 'green', model: model.id });
    await until('the green stage to be ready', () => ready('green'), 90_000);
    await command('emkit.setDefaultStage', { target: endpointTarget, stage: 'green' });
    await until(
      'green to be the default',
      () => (api.store.find('endpoints', endpoint.id)?.defaultStage === 'green' ? true : undefined),
      30_000,
    );
    await until(
      'blue to be gone',
      () => (api.store.find('endpoints', endpoint.id)?.stages.some((s) => s.name === 'blue') ? undefined : true),
      60_000,
    );
    steps.push('green is the default; the old default stage was released');
    await command('emkit.addStage', { target: endpointTarget, name: 'canary', model: model.id });
    await until(
      'the canary stage',
      () => api.store.find('endpoints', endpoint.id)?.stages.find((s) => s.name === 'canary'),
      30_000,
    );
    await command('emkit.deleteStage', { target: endpointTarget, stage: 'canary', confirm: true });
    await until(
      'canary to be gone',
      () => (api.store.find('endpoints', endpoint.id)?.stages.some((s) => s.name === 'canary') ? undefined : true),
      60_000,
    );
    steps.push('canary stage added and deleted');

    // errors surface as the bridge words them: a model a stage serves can't be deleted
    await command('emkit.deleteResource', { target: { kind: 'models', id: model.id, name: 'vs-iris:1' }, confirm: true });
    const refusal = lastError() ?? '';
    if (!refusal.includes('green')) throw new Error(`the refusal does not name the stage: ${refusal}`);
    steps.push(`refused: ${refusal}`);

    // Copy Training, then Stop it
    const copy = await command<Training>('emkit.copyTraining', { target, name: 'vs-iris-copy' });
    if (!copy) throw new Error(`copy: ${lastError()}`);
    await command('emkit.stopTraining', { target: { kind: 'trainings', id: copy.id, name: copy.name } });
    await until('the copy to stop', () => {
      const state = api.store.find('trainings', copy.id)?.state;
      return state === 'STOPPED' || state === 'COMPLETE' ? state : undefined;
    });
    steps.push(`copy ${copy.name} stopped`);

    // Open TensorBoard: a panel on the bridge's proxy
    await command('emkit.openTensorboard', { target });
    if (!api.panels.panels.has(`tensorboard:${training.id}`)) throw new Error(`no TensorBoard panel: ${lastError()}`);
    steps.push('TensorBoard panel open');

    // Create Conda Environment (with venv: what is installed here)
    await command('emkit.createEnvironment', { name: 'vs-env', manager: 'venv', python: '', packages: [] });
    await until(
      'the environment',
      () => (api.store.find('environments', 'vs-env')?.state === 'ACTIVE' ? true : undefined),
      180_000,
    );
    steps.push('environment vs-env ACTIVE');

    // a bad name is refused before anything is made
    await command('emkit.createEnvironment', { name: 'Bad Name', manager: 'venv', python: '', packages: [] });
    if (!lastError()?.includes('name')) throw new Error(`a bad name got: ${lastError()}`);
    steps.push(`bad name: ${lastError()}`);

    // Set Bridge Token: a token typed by hand goes to SecretStorage and is used with emkit.bridgeUrl
    const runtime = JSON.parse(readFileSync(join(process.env.EMKIT_HOME!, 'runtime.json'), 'utf8')) as {
      url: string;
      token: string;
    };
    const settings = vscode.workspace.getConfiguration('emkit');
    await settings.update('bridgeUrl', runtime.url, vscode.ConfigurationTarget.Global);
    await command('emkit.setToken', { token: 'not-the-token' });
    const refused = await until('the wrong token to be refused', () => {
      const state = api.store.state;
      return state.kind === 'failed' && state.message.includes('refused the token') ? state.message : undefined;
    });
    steps.push(`wrong token: ${refused}`);
    await command('emkit.setToken', { token: runtime.token });
    await until('the right token to connect', () => (api.store.state.kind === 'loaded' ? true : undefined), 20_000);
    if (settings.get<string>('token')) throw new Error('the token went into settings');
    steps.push('the token from secret storage connects');
    await command('emkit.setToken', { token: '' });
    await settings.update('bridgeUrl', undefined, vscode.ConfigurationTarget.Global);
    result(true);
  } catch (error) {
    result(false, (error as Error).stack ?? String(error));
    throw error;
  }
}
