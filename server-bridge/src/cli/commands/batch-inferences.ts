import { resolve } from 'node:path';
import {
  BATCH_OUTPUT_FORMATS,
  type BatchInference,
  batchInferenceStates,
  type EmkitClient,
  formatTime,
  isSettled,
} from '@emkit/shared';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { count, datasetValue } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printList, printMessage } from '../output.js';
import { addResourcesCommand } from './resources.js';

function ratio(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError(`"${value}" is not a ratio between 0 and 1`);
  }
  return parsed;
}

const columnList = (value: string) =>
  value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);

/** "1,200/50,000 (3 bad) 2,400/s ETA 20 s" */
export function progressText(job: BatchInference): string {
  const { done, total, errors, rate, etaSeconds } = job.progress;
  const parts = [`${done.toLocaleString('en-US')}/${total === null ? '?' : total.toLocaleString('en-US')}`];
  if (errors > 0) parts.push(`(${errors} bad)`);
  if (rate !== null) parts.push(`${Math.round(rate).toLocaleString('en-US')}/s`);
  if (etaSeconds !== null) parts.push(`ETA ${etaSeconds} s`);
  return parts.join(' ');
}

const columns: [string, (j: BatchInference) => unknown][] = [
  ['ID', (j) => j.id],
  ['NAME', (j) => j.name],
  ['MODEL', (j) => `${j.model.name}:${j.model.version}`],
  ['STATE', (j) => j.state],
  ['PROGRESS', progressText],
  ['OUTPUT', (j) => j.outputFile],
  ['CREATED', (j) => formatTime(j.createdAt)],
];

function report(job: BatchInference): string {
  const lines = [
    `${job.name} (${job.id}): ${job.state}${job.reason ? ` — ${job.reason}` : ''}`,
    `  model     ${job.model.name}:${job.model.version}`,
    `  input     ${job.inputDataset ? `${job.inputDataset} (${job.input})` : job.input} [${job.inputKind}]`,
    `  progress  ${progressText(job)}`,
    `  output    ${job.outputFile}${job.outputDataset ? ` (dataset ${job.outputDataset})` : ''}`,
    `  errors    ${job.errorsFile}`,
    `  workers   ${job.instances} × batches of ${job.batchSize}`,
  ];
  if (job.schedule) lines.push(`  schedule  ${job.schedule}`);
  return `${lines.join('\n')}\n`;
}

/** Poll until the job settles; its progress goes to stderr as it moves. */
async function waitSettled(client: EmkitClient, id: string): Promise<BatchInference> {
  let shown = '';
  for (;;) {
    const job = await client.api.getBatchInference({ params: { id } });
    if (isSettled(batchInferenceStates, job.state)) return job;
    const line = `${job.state}: ${progressText(job)}`;
    if (line !== shown && process.stderr.isTTY) {
      shown = line;
      process.stderr.write(`${line}\x1b[K\r`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function show(globals: { json?: boolean }, job: BatchInference): void {
  if (globals.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  else process.stdout.write(report(job));
}

export function registerBatchInferences(program: Command): void {
  const batch = program
    .command('batch')
    .alias('batch-inferences')
    .description('batch scoring: a model version scores a whole table or folder of files, with no endpoint');

  batch
    .command('create')
    .description("score a table (.csv/.parquet/.jsonl) or a folder of files into the input's rows with their predictions")
    .requiredOption('--model <ref>', 'the model version: id, name (its newest), name:version or name@alias')
    .requiredOption('--input <path-or-dataset>', 'a table file or a folder of files, or a dataset NAME[:VERSION]')
    .option('--output <dir>', "the folder to write predictions.<format> and errors.jsonl into (default: the job's own)")
    .option('--overwrite', 'replace predictions already in --output')
    .option('--output-dataset <name>', 'register the predictions as this dataset (or its next version) once COMPLETE')
    .addOption(new Option('--format <format>', "default: the input table's, jsonl for a folder").choices(BATCH_OUTPUT_FORMATS))
    .option('--features <a,b,…>', 'the columns the model takes, in order (default: what the model was fitted on)', columnList)
    .option('--instances <n>', 'worker processes (default 1)', count)
    .option('--batch-size <n>', 'items per call of the model (default 256)', count)
    .option('--max-error-ratio <r>', 'FAIL once more than this share of the items read are bad (default 0.1)', ratio)
    .option('--no-scores', 'predictions only, no class scores')
    .option('--name <name>', 'a name for the job')
    .option('--env <name>', "the environment to run in (default: the model's training's, else the bridge's Python)")
    .option('--cluster <name>', 'run the workers on this Ray cluster (not built yet)')
    .option('--wait', 'wait for the end and print the job; exit 6 unless it is COMPLETE')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const created = await client.api.createBatchInference({
        body: {
          model: options.model,
          input: datasetValue(options.input),
          ...(options.output ? { output: resolve(options.output) } : {}),
          ...(options.overwrite ? { overwrite: true } : {}),
          ...(options.outputDataset ? { outputDataset: options.outputDataset } : {}),
          ...(options.format ? { format: options.format } : {}),
          ...(options.features ? { features: options.features } : {}),
          ...(options.instances !== undefined ? { instances: options.instances } : {}),
          ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
          ...(options.maxErrorRatio !== undefined ? { maxErrorRatio: options.maxErrorRatio } : {}),
          ...(options.scores === false ? { returnScores: false } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.env ? { environment: options.env } : {}),
          ...(options.cluster ? { cluster: options.cluster } : {}),
        },
      });
      if (!options.wait) {
        return printMessage(globals, `batch scoring ${created.name} (${created.id}): ${created.state}`, created);
      }
      const settled = await waitSettled(client, created.id);
      show(globals, settled);
      if (settled.state !== 'COMPLETE') process.exitCode = EXIT.endedInFailure;
    });

  batch
    .command('list')
    .description('list batch scoring jobs, newest first')
    .option('--model <model>', 'only this model: a name (all its versions), name:version or name@alias')
    .option('--state <state>', 'only this state, e.g. RUNNING')
    .option('--schedule <id>', 'only the jobs this schedule started')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listBatchInferences({
        query: { limit: Number(options.limit), model: options.model, state: options.state, schedule: options.schedule },
      });
      printList(globals, items, columns);
    });

  batch
    .command('get <id>')
    .description('a batch scoring job: its state, progress and files')
    .option('--wait', 'wait until it has ended')
    .action(async (id: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      show(globals, options.wait ? await waitSettled(client, id) : await client.api.getBatchInference({ params: { id } }));
    });

  batch
    .command('stop <id>')
    .description('stop a job within 5 s, keeping what it scored')
    .option('--wait', 'wait until it has stopped')
    .action(async (id: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const stopping = await client.api.stopBatchInference({ params: { id } });
      const shown = options.wait ? await waitSettled(client, id) : stopping;
      printMessage(globals, `batch scoring ${shown.name}: ${shown.state}`, shown);
    });

  batch
    .command('delete <id>')
    .description('delete a job that has ended, with its own folder (an --output folder you named is kept)')
    .action(async (id: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteBatchInference({ params: { id } });
      printMessage(globals, `batch scoring ${id}: deleted`, { deleted: id });
    });

  addResourcesCommand(batch, 'batch-inferences');

  batch
    .command('log <id>')
    .description("print the job's workers' log")
    .action(async (id: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      let offset = 0;
      for (;;) {
        const chunk = await client.api.getBatchInferenceLog({ params: { id }, query: { offset } });
        process.stdout.write(chunk.text);
        if (chunk.nextOffset >= chunk.size || !chunk.text) break;
        offset = chunk.nextOffset;
      }
    });
}
