import { DEFAULT_BATCH_SIZE, RUN_ON_STRINGS, runOnChoices, THIS_MACHINE } from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { discoverBridge } from '../connection/discover.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';
import { viewTranslator } from '../views/translate.js';
import { pickModel } from './pickers.js';

/** The bridge's largest worker count (BatchInferenceCreate.instances). */
const MAX_WORKERS = 16;

/**
 * "Score a Dataset…" on a model version: the input (a dataset, or a table or folder path), the
 * output folder — under JupyterLab's root by default, so "Open output" opens the predictions
 * here — the workers and the batch size; then the job's view, which follows it live.
 */
export function addScoreCommand(app: JupyterFrontEnd, emkit: IEmkit): void {
  const { trans, resources } = emkit;
  app.commands.addCommand(CommandIds.scoreDataset, {
    label: trans.__('Score a Dataset…'),
    caption: trans.__('Score a whole table or folder of files with a model version, with no endpoint'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const model = await pickModel(emkit, trans.__('Score with which model version?'), (args as ResourceArgs).id);
      if (!model) return;
      const rootDir = (await discoverBridge())?.rootDir?.replace(/\/+$/, '');
      const datasets = resources.list('datasets');
      // the workers run here unless a cluster is chosen (the bridge's rule when none is named)
      const runOn = runOnChoices(resources.list('clusters'), viewTranslator(trans), null);
      const values = await formDialog(
        trans,
        trans.__('Score a dataset with %1:%2', model.name, model.version),
        [
          {
            name: 'dataset',
            label: trans.__('Dataset'),
            kind: 'select',
            options: [
              ['', trans.__('A path (below)')],
              ...datasets.map((d): [string, string] => [`${d.name}:${d.latest.version}`, `${d.name} · v${d.latest.version}`]),
            ],
          },
          {
            name: 'path',
            label: trans.__('Or a path'),
            placeholder: '/data/customers.csv',
            help: trans.__('An absolute path: a CSV, Parquet or JSONL table, or a folder of files.'),
          },
          {
            name: 'output',
            label: trans.__('Output folder'),
            value: rootDir ? `${rootDir}/emkit-predictions/${model.name}-${model.version}` : '',
            help: trans.__("An absolute folder for predictions and errors.jsonl; empty: the job's own folder."),
          },
          {
            name: 'overwrite',
            label: trans.__('Replace predictions already there'),
            kind: 'select',
            options: [
              ['no', trans.__('No')],
              ['yes', trans.__('Yes')],
            ],
          },
          {
            name: 'runOn',
            label: viewTranslator(trans)(RUN_ON_STRINGS.runOn),
            kind: 'select',
            value: runOn.initial,
            options: runOn.choices.map((c) => [c.value, c.label, c.disabled] as const),
          },
          { name: 'instances', label: trans.__('Workers'), kind: 'number', value: '1' },
          { name: 'batchSize', label: trans.__('Batch size'), kind: 'number', value: String(DEFAULT_BATCH_SIZE) },
        ],
        trans.__('Score'),
      );
      if (!values) return;
      const input = values.dataset || values.path?.trim();
      if (!input) {
        Notification.error(trans.__('Choose a dataset or give the path of a table or folder.'), { autoClose: 5000 });
        return;
      }
      const instances = Math.min(MAX_WORKERS, Math.max(1, Number(values.instances) || 1));
      const batch = await attempt(emkit, trans.__('Could not score with %1:%2', model.name, model.version), () =>
        client.api.createBatchInference({
          body: {
            model: `${model.name}:${model.version}`,
            input,
            ...(values.output?.trim() ? { output: values.output.trim() } : {}),
            ...(values.overwrite === 'yes' ? { overwrite: true } : {}),
            instances,
            batchSize: Math.max(1, Number(values.batchSize) || DEFAULT_BATCH_SIZE),
            ...(values.runOn && values.runOn !== THIS_MACHINE ? { cluster: values.runOn } : {}),
          },
        }),
      );
      if (batch) await app.commands.execute(CommandIds.openBatch, { id: batch.id, name: batch.name });
    },
  });
}
