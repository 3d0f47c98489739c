import { resolve } from 'node:path';
import {
  EarlyStopError,
  type EarlyStopping,
  type EmkitClient,
  formatDuration,
  formatTime,
  isSettled,
  type LogStreamMessage,
  parseDuration,
  parseEarlyStop,
  qualityNotes,
  type Training,
  type TrainingQuality,
  tensorboardStates,
  trainingStates,
} from '@emkit/shared';
import { type Command, InvalidArgumentError } from 'commander';
import WebSocket from 'ws';
import { count, count0, datasetValue, pairs } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';
import { addResourcesCommand } from './resources.js';

function seconds(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed) throw new InvalidArgumentError(`"${value}" is not a duration like 90s, 30m or 2h`);
  return parsed;
}

function earlyStop(value: string): EarlyStopping {
  try {
    return parseEarlyStop(value);
  } catch (error) {
    if (error instanceof EarlyStopError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

/** The quality flags, one line each, after a record for people (--json has them in the record). */
function printQuality(globals: { json?: boolean }, quality: TrainingQuality | null): void {
  if (globals.json) return;
  for (const note of qualityNotes(quality))
    process.stdout.write(`${note.level === 'warning' ? 'warning' : 'note'}: ${note.text}\n`);
}

const elapsed = (t: Training) =>
  t.startedAt ? formatDuration(((t.endedAt ? Date.parse(t.endedAt) : Date.now()) - Date.parse(t.startedAt)) / 1000) : '';

const columns: [string, (t: Training) => unknown][] = [
  ['NAME', (t) => t.name],
  ['EXPERIMENT', (t) => t.experimentName],
  ['STATE', (t) => t.state],
  ['KIND', (t) => t.source.kind],
  ['ENTRY', (t) => t.source.entryPoint],
  // a cluster training started again after a lost node says which start it is on
  ['WHERE', (t) => (t.cluster ? `${t.cluster}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ''}` : 'local')],
  ['TIME', elapsed],
  ['CREATED', (t) => formatTime(t.createdAt)],
];

/** Stream one rank's log over the WebSocket until the training settles. */
function streamLog(client: EmkitClient, id: string, rank: number, write: (text: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const socket = new WebSocket(client.trainingLogUrl(id, rank, 0), client.socketProtocols());
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as LogStreamMessage;
      if (message.type === 'chunk') write(message.text);
    });
    socket.on('close', (code, reason) => {
      if (code === 1000 || code === 1005) resolvePromise();
      else reject(new Error(`the log stream closed: ${reason.toString() || code}`));
    });
    socket.on('error', reject);
  });
}

/** Follow a training to its end: its log on stderr (with --wait) and its final state. */
export async function waitFor(client: EmkitClient, training: Training, showLog: boolean): Promise<Training> {
  if (showLog) await streamLog(client, training.id, 0, (text) => process.stderr.write(text));
  for (;;) {
    const current = await client.api.getTraining({ params: { id: training.id } });
    if (isSettled(trainingStates, current.state)) return current;
    await new Promise((r) => setTimeout(r, 300));
  }
}

export function finish(globals: { json?: boolean }, training: Training): void {
  printItem(globals, training);
  printQuality(globals, training.quality);
  if (training.state !== 'COMPLETE') process.exitCode = EXIT.endedInFailure;
}

export function registerTrainings(program: Command): void {
  program
    .command('train <path>')
    .description('submit a notebook, a script, or a folder with --entry, as a training')
    .option('--entry <file>', 'with a folder: the .py or .ipynb to run, relative to it')
    .option(
      '--hp <key=value>',
      'a hyperparameter (repeatable): `--key value`, EM_HP_<KEY>, the parameters cell',
      pairs('hyperparameter'),
      {},
    )
    .option(
      '--dataset <name=path>',
      'a dataset (repeatable): a path, or a dataset NAME[:VERSION]; EM_DATASET_<NAME> gets its path',
      pairs('dataset'),
      {},
    )
    .option('--tag <key=value>', 'a tag (repeatable)', pairs('tag'), {})
    .option('--env <name>', "the environment to run in (default: the bridge's Python)")
    .option('--experiment <name>', 'the experiment it belongs to (default: "default")')
    .option('--instances <n>', 'ranks to start, with the variables torchrun sets', count)
    .option('--cluster <name>', 'the Ray cluster to run on (default: the default cluster, if one is set, else here)')
    .option('--strict-spread', "on a cluster: each rank on a node of its own (Ray's STRICT_SPREAD)")
    .option('--max-retries <n>', 'on a cluster: start it again up to n times when a node of it is lost (default 0)', count0)
    .option('--max-time <duration>', 'stop it after this long, e.g. 90s, 30m, 2h', seconds)
    .option(
      '--early-stop <metric:mode:patience[:minDelta]>',
      'end it (COMPLETE) when a metric stops improving, e.g. val_loss:min:5 or val_accuracy:max:3:0.001',
      earlyStop,
    )
    .option('--name <name>', 'default: the file name and the time')
    .option('--description <text>')
    .option('--wait', "stream rank 0's log on stderr and wait for the end; exit 6 unless it is COMPLETE")
    .action(async (path: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const datasets = Object.fromEntries(
        Object.entries(options.dataset as Record<string, string>).map(([k, v]) => [k, datasetValue(v)]),
      );
      const training = await client.api.createTraining({
        body: {
          source: { path: resolve(path), ...(options.entry ? { entryPoint: options.entry } : {}) },
          hyperparameters: options.hp,
          datasets,
          tags: options.tag,
          ...(options.env ? { environment: options.env } : {}),
          ...(options.experiment ? { experiment: options.experiment } : {}),
          ...(options.instances ? { instanceCount: options.instances } : {}),
          ...(options.cluster ? { cluster: options.cluster } : {}),
          ...(options.strictSpread ? { placementStrategy: 'STRICT_SPREAD' as const } : {}),
          ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
          ...(options.maxTime ? { maxDurationSeconds: options.maxTime } : {}),
          ...(options.earlyStop ? { earlyStopping: options.earlyStop } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return printItem(globals, training);
      finish(globals, await waitFor(client, training, true));
    });

  const trainings = program.command('training').alias('trainings').description('trainings: runs of a notebook or a script');

  trainings
    .command('list')
    .description('list trainings, newest first')
    .option('--experiment <name>', 'only this experiment')
    .option('--state <state>', 'only this state, e.g. RUNNING')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listTrainings({
        query: { limit: Number(options.limit), experiment: options.experiment, state: options.state },
      });
      printList(globals, items, columns);
    });

  trainings
    .command('get <name>')
    .description('show one training')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const training = await connect(globals).api.getTraining({ params: { id: name } });
      printItem(globals, training);
      printQuality(globals, training.quality);
    });

  trainings
    .command('log <name>')
    .description("print a rank's log")
    .option('--rank <n>', 'which rank', '0')
    .option('-f, --follow', 'keep printing until the training ends')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const rank = Number(options.rank);
      if (options.follow) {
        const training = await client.api.getTraining({ params: { id: name } });
        await streamLog(client, training.id, rank, (text) => process.stdout.write(text));
        return;
      }
      let offset = 0;
      for (;;) {
        const chunk = await client.api.getTrainingLog({ params: { id: name }, query: { rank, offset } });
        process.stdout.write(chunk.text);
        if (chunk.nextOffset >= chunk.size || !chunk.text) break;
        offset = chunk.nextOffset;
      }
    });

  trainings
    .command('stop <name>')
    .description('stop a training; its processes end within 5 s')
    .option('--wait', 'wait until it has stopped')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const stopping = await client.api.stopTraining({ params: { id: name } });
      if (!options.wait) return printItem(globals, stopping);
      printItem(globals, await waitFor(client, stopping, false));
    });

  trainings
    .command('copy <name>')
    .description('run a training again with the same settings and source; options replace settings')
    .option('--hp <key=value>', 'hyperparameters to use instead (repeatable; replaces them all)', pairs('hyperparameter'))
    .option('--name <name>')
    .option('--experiment <name>')
    .option('--early-stop <metric:mode:patience[:minDelta]>', 'an early-stopping rule to use instead', earlyStop)
    .option('--no-early-stop', 'run the copy without the early-stopping rule')
    .option('--cluster <name>', "run the copy on this Ray cluster ('local': on this machine)")
    .option('--max-retries <n>', "on a cluster: starts again after a lost node (default: the original's)", count0)
    .option('--wait', "stream rank 0's log and wait for the end")
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const copy = await client.api.copyTraining({
        params: { id: name },
        body: {
          ...(options.hp ? { hyperparameters: options.hp } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.experiment ? { experiment: options.experiment } : {}),
          ...(options.cluster ? { cluster: options.cluster === 'local' ? null : options.cluster } : {}),
          ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
          // commander: --early-stop RULE gives the rule, --no-early-stop false, neither true
          ...(options.earlyStop === false ? { earlyStopping: null } : {}),
          ...(typeof options.earlyStop === 'object' ? { earlyStopping: options.earlyStop } : {}),
        },
      });
      if (!options.wait) return printItem(globals, copy);
      finish(globals, await waitFor(client, copy, true));
    });

  trainings
    .command('delete <name>')
    .description('delete a training that has ended, with its folder')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteTraining({ params: { id: name } });
      printMessage(globals, `training ${name}: deleted`, { deleted: name });
    });

  trainings
    .command('metrics <name>')
    .description('the last and best value of each metric (--json: every point)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const metrics = await connect(globals).api.getTrainingMetrics({ params: { id: name } });
      if (globals.json) return printMessage(globals, '', metrics);
      printList(globals, metrics.series, [
        ['TAG', (s) => s.tag],
        ['POINTS', (s) => s.total],
        ['LAST STEP', (s) => s.points.at(-1)?.step],
        ['LAST', (s) => s.points.at(-1)?.value],
        ['MIN', (s) => Math.min(...s.points.map((p) => p.value ?? Number.NaN).filter((v) => !Number.isNaN(v)))],
        ['MAX', (s) => Math.max(...s.points.map((p) => p.value ?? Number.NaN).filter((v) => !Number.isNaN(v)))],
      ]);
      for (const pair of metrics.quality.pairs) {
        process.stdout.write(`pair: ${pair.train} and ${pair.validation} (${pair.metric})\n`);
      }
      printQuality(globals, metrics.quality);
    });

  addResourcesCommand(trainings, 'trainings');

  trainings
    .command('files <name>')
    .description('what the training wrote (artifacts/, model/, checkpoints/, tensorboard/)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listTrainingFiles({ params: { id: name } });
      printList(globals, items, [
        ['PATH', (f) => f.path],
        ['BYTES', (f) => f.bytes],
        ['MODIFIED', (f) => formatTime(f.modifiedAt)],
      ]);
    });

  program
    .command('tensorboard [training]')
    .description('start TensorBoard for a training (or --experiment) and print its address, with a one-time ticket')
    .option('--experiment <name>', 'all the trainings of an experiment, one run each')
    .action(async (training: string | undefined, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      if (!training === !options.experiment) command.error('error: name a training or --experiment, one of them');
      let board = await client.api.createTensorboard({
        body: training ? { training } : { experiment: options.experiment },
      });
      while (!isSettled(tensorboardStates, board.state)) {
        await new Promise((r) => setTimeout(r, 300));
        board = await client.api.getTensorboard({ params: { id: board.id } });
      }
      if (board.state !== 'RUNNING') {
        printItem(globals, board);
        process.exitCode = EXIT.endedInFailure;
        return;
      }
      // an address with a one-time ticket: it may be pasted, kept in a history or shown, the token must not be
      const url = await client.tensorboardUrl(board.id);
      printMessage(globals, url, { ...board, url });
    });
}
