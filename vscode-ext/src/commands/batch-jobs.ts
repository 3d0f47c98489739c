import { existsSync } from 'node:fs';
import { ApiError, type BatchInference, type EmkitClient, type Model, THIS_MACHINE } from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandContext, clientOf, type Handler, pickTarget } from './context.js';
import { ask } from './inputs.js';
import { pickRunOn } from './run-on.js';

const wholeNumber = (low: number, high: number) => (text: string) =>
  /^\d+$/.test(text) && Number(text) >= low && Number(text) <= high
    ? undefined
    : vscode.l10n.t('A whole number from {0} to {1}.', low, high);

/** The input to score: a dataset picked by name, or a path typed; undefined when cancelled. */
async function pickInput(context: CommandContext, title: string): Promise<string | undefined> {
  const path = vscode.l10n.t('A file or folder by its path…');
  const datasets = context.store.list('datasets').map((d) => ({
    label: `${d.name}:${d.latest.version}`,
    description: d.latest.schema.kind,
  }));
  const picked = await vscode.window.showQuickPick([...datasets, { label: path, description: '' }], {
    title,
    placeHolder: vscode.l10n.t('Input: a dataset, or a table or folder by its path'),
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (picked.label !== path) return picked.label;
  return ask(
    title,
    '',
    (text) => (text.startsWith('/') ? undefined : vscode.l10n.t('An absolute path is needed.')),
    vscode.l10n.t('A .csv, .parquet or .jsonl table, or a folder of files (images, audio, text)'),
  );
}

/** The job's record: from the store, else the bridge (a job made a moment ago). */
async function jobOf(context: CommandContext, client: EmkitClient, id: string): Promise<BatchInference> {
  return (
    (context.store.find('batch-inferences', id) as BatchInference | undefined) ?? client.api.getBatchInference({ params: { id } })
  );
}

/** Score a dataset with a model version, follow, stop a job, open what it wrote; every input can come in args. */
export const batchJobCommands: Record<string, Handler> = {
  'emkit.scoreDataset': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(
      context,
      args,
      'models',
      vscode.l10n.t('Score with which model version?'),
      (m) => m.state === 'ACTIVE',
    );
    if (!target) return;
    const model = context.store.find('models', target.id) as Model | undefined;
    const title = vscode.l10n.t('Score a dataset with {0}', model ? `${model.name}:${model.version}` : target.name);
    const input = (args.input as string | undefined) ?? (await pickInput(context, title));
    if (input === undefined) return;
    const output =
      (args.output as string | undefined) ??
      (await ask(
        title,
        '',
        (text) => (!text || text.startsWith('/') ? undefined : vscode.l10n.t('An absolute path is needed.')),
        vscode.l10n.t("Output folder (absolute; empty: the job's own folder in the emkit home)"),
      ));
    if (output === undefined) return;
    // where the workers run: this machine unless a cluster is chosen (a caller giving the input and no cluster: here)
    const runOn =
      args.input !== undefined && args.cluster === undefined ? THIS_MACHINE : await pickRunOn(context, args, title, null);
    if (runOn === undefined) return;
    const instances =
      (args.instances as string | undefined) ?? (await ask(title, '1', wholeNumber(1, 16), vscode.l10n.t('Workers')));
    if (instances === undefined) return;
    const batchSize =
      (args.batchSize as string | undefined) ??
      (await ask(title, '256', wholeNumber(1, 100_000), vscode.l10n.t('Batch size (items per call of the model)')));
    if (batchSize === undefined) return;
    const body = {
      model: target.id,
      input: input.trim(),
      ...(output.trim() ? { output: output.trim() } : {}),
      instances: Number(instances),
      batchSize: Number(batchSize),
      ...(args.overwrite === true ? { overwrite: true } : {}),
      ...(runOn !== THIS_MACHINE ? { cluster: runOn } : {}),
    };
    let job: BatchInference;
    try {
      job = await client.api.createBatchInference({ body });
    } catch (error) {
      // predictions already in that folder: replaced only when the user says so
      if (!(error instanceof ApiError) || error.status !== 409 || error.field !== 'output') throw error;
      const replace = vscode.l10n.t('Overwrite');
      const answer = await vscode.window.showWarningMessage(error.message, { modal: true }, replace);
      if (answer !== replace) return;
      job = await client.api.createBatchInference({ body: { ...body, overwrite: true } });
    }
    context.batches.show(client, job.id, job.name);
    return job;
  },

  'emkit.openBatchJob': async (context, args) => {
    const target = await pickTarget(context, args, 'batch-inferences', vscode.l10n.t('Open which batch job?'));
    if (!target) return;
    const client = await clientOf(context);
    return context.batches.show(client, target.id, target.name);
  },

  'emkit.stopBatchJob': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'batch-inferences', vscode.l10n.t('Stop which batch job?'));
    if (!target) return;
    return client.api.stopBatchInference({ params: { id: target.id } });
  },

  /**
   * The predictions file in an editor. The bridge runs on this machine (or its files are
   * reachable here, as in code-server); when they aren't, the message says where the file is.
   */
  'emkit.openBatchOutput': async (context, args) => {
    const client = await clientOf(context);
    const target = await pickTarget(context, args, 'batch-inferences', vscode.l10n.t('Open the output of which batch job?'));
    if (!target) return;
    const job = await jobOf(context, client, target.id);
    if (!existsSync(job.outputFile)) {
      const why =
        job.state === 'FAILED'
          ? vscode.l10n.t('Batch job {0} failed, so it wrote no predictions: {1}', job.name, job.reason ?? job.state)
          : vscode.l10n.t('The predictions of {0} are not here yet (or not on this machine): {1}', job.name, job.outputFile);
      void vscode.window.showInformationMessage(why);
      return undefined;
    }
    const uri = vscode.Uri.file(job.outputFile);
    await vscode.commands.executeCommand('vscode.open', uri);
    return uri;
  },
};
