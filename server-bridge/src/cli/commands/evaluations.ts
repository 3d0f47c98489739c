import {
  DATASET_FORMATS,
  type EmkitClient,
  EVALUATION_TASKS,
  type Evaluation,
  type EvaluationSummary,
  evaluationStates,
  formatTime,
  isSettled,
} from '@emkit/shared';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { count, datasetValue } from '../arguments.js';
import { connect } from '../connect.js';
import { evaluationReport, figure, headline } from '../evaluation-report.js';
import { EXIT } from '../exit-codes.js';
import { printList, printMessage } from '../output.js';

function probability(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new InvalidArgumentError(`"${value}" is not a probability between 0 and 1`);
  }
  return parsed;
}

function wholeOrZero(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return parsed;
}

const columnList = (value: string) =>
  value
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);

const columns: [string, (e: EvaluationSummary) => unknown][] = [
  ['ID', (e) => e.id],
  ['MODEL', (e) => `${e.model.name}:${e.model.version}`],
  ['STATE', (e) => e.state],
  ['TASK', (e) => e.task ?? ''],
  ['ROWS', (e) => e.rowsDone],
  ['FIGURES', headline],
  ['DATA', (e) => e.data.path],
  ['CREATED', (e) => formatTime(e.createdAt)],
];

/** Poll until the evaluation settles; rows done go to stderr as they grow. */
async function waitFor(client: EmkitClient, id: string, threshold: number | undefined): Promise<Evaluation> {
  let shown = -1;
  for (;;) {
    const current = await client.api.getEvaluation({ params: { id } });
    if (isSettled(evaluationStates, current.state)) {
      return threshold === undefined || current.state !== 'COMPLETE'
        ? current
        : client.api.getEvaluation({ params: { id }, query: { threshold } });
    }
    if (current.rowsDone !== shown && process.stderr.isTTY) {
      shown = current.rowsDone;
      process.stderr.write(`${current.state}: ${current.rowsDone} rows\r`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

function show(globals: { json?: boolean }, evaluation: Evaluation): void {
  if (globals.json) process.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
  else process.stdout.write(evaluationReport(evaluation));
}

/** `emkit model evaluate` and `emkit model iterations`, beside the other `model` commands. */
export function registerModelEvaluations(model: Command): void {
  model
    .command('evaluate <model>')
    .description('evaluate a version on a held-out dataset: a .csv/.parquet with a label column, a .jsonl, or a class folder')
    .requiredOption('--data <path>', 'the test data: a path, or a dataset NAME[:VERSION]')
    .option('--label <column>', 'the label column of a CSV or Parquet file (default "label")')
    .option('--features <a,b,…>', 'the feature columns in the order the model takes them (default: all the others)', columnList)
    .addOption(new Option('--format <format>', 'default: told from the path').choices(DATASET_FORMATS))
    .addOption(new Option('--task <task>', 'default: told from the model and the labels').choices(EVALUATION_TASKS))
    .option('--threshold <p>', 'the probability threshold for precision/recall per class (default 0.5)', probability)
    .option('--max-errors <n>', 'how many mistakes to keep, most confident first (default 50)', wholeOrZero)
    .option('--batch-rows <n>', 'rows read and predicted at a time (default 4096)', count)
    .option('--env <name>', "the environment to run in (default: the model's training's, else the bridge's Python)")
    .option('--wait', 'wait for the end and print the figures; exit 6 unless it is COMPLETE')
    .action(async (ref: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const created = await client.api.createEvaluation({
        body: {
          model: ref,
          data: datasetValue(options.data),
          ...(options.label ? { label: options.label } : {}),
          ...(options.features ? { features: options.features } : {}),
          ...(options.format ? { format: options.format } : {}),
          ...(options.task ? { task: options.task } : {}),
          ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
          ...(options.maxErrors !== undefined ? { maxErrors: options.maxErrors } : {}),
          ...(options.batchRows !== undefined ? { batchRows: options.batchRows } : {}),
          ...(options.env ? { environment: options.env } : {}),
        },
      });
      if (!options.wait) {
        return printMessage(
          globals,
          `evaluation ${created.id} of ${created.model.name}:${created.model.version}: ${created.state}`,
          created,
        );
      }
      const settled = await waitFor(client, created.id, undefined);
      show(globals, settled);
      if (settled.state !== 'COMPLETE') process.exitCode = EXIT.endedInFailure;
    });

  model
    .command('iterations <name>')
    .description("a model's versions side by side: each one's latest evaluation on the same dataset")
    .option('--dataset <sha256>', 'the dataset to line up on (default: the one evaluated last)')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const answer = await connect(globals).api.listModelEvaluations({
        params: { id: name },
        query: options.dataset ? { dataset: options.dataset } : {},
      });
      if (globals.json) return printMessage(globals, '', answer);
      if (!answer.dataset) {
        process.stdout.write(`no version of ${answer.name} has a COMPLETE evaluation yet\n`);
      } else {
        process.stdout.write(`${answer.name} on ${answer.dataset.path} (sha256 ${answer.dataset.sha256.slice(0, 12)}…)\n`);
      }
      const names = [...new Set(answer.iterations.flatMap((i) => Object.keys(i.evaluation?.metrics ?? {})))];
      printList(globals, answer.iterations, [
        ['VERSION', (i) => i.version],
        ['ALIASES', (i) => i.aliases.join(',')],
        ...names.map(
          (n) =>
            [n.toUpperCase(), (i: (typeof answer.iterations)[number]) => figure(i.evaluation?.metrics[n])] as [
              string,
              (i: (typeof answer.iterations)[number]) => unknown,
            ],
        ),
        ['EVALUATION', (i) => i.evaluation?.id ?? '(none on this dataset)'],
      ]);
      if (answer.datasets.length > 1) {
        process.stdout.write(
          `other datasets: ${answer.datasets
            .filter((d) => d.sha256 !== answer.dataset?.sha256)
            .map((d) => `${d.path} (--dataset ${d.sha256})`)
            .join(', ')}\n`,
        );
      }
    });
}

/** What `emkit model promote` adds: the evaluation of the version being promoted, or how to make one. */
export async function promotedEvaluationLine(
  client: EmkitClient,
  name: string,
  version: number,
): Promise<{
  text: string;
  evaluation: EvaluationSummary | null;
}> {
  const { items } = await client.api.listEvaluations({ query: { model: `${name}:${version}`, state: 'COMPLETE', limit: 1 } });
  const evaluation = items[0] ?? null;
  if (!evaluation) {
    return {
      text: `no evaluation of ${name}:${version} yet: \`emkit model evaluate ${name}:${version} --data PATH\``,
      evaluation,
    };
  }
  return {
    text: `evaluated on ${evaluation.data.path} (${formatTime(evaluation.endedAt ?? evaluation.createdAt)}): ${headline(evaluation)}`,
    evaluation,
  };
}

export function registerEvaluations(program: Command): void {
  const evaluations = program
    .command('evaluation')
    .alias('evaluations')
    .description('evaluations: model versions judged on test data');

  evaluations
    .command('list')
    .description('list evaluations, newest first')
    .option('--model <model>', 'only this model: a name (all its versions), name:version or name@alias')
    .option('--state <state>', 'only this state, e.g. COMPLETE')
    .option('--limit <n>', 'at most this many', '100')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listEvaluations({
        query: { limit: Number(options.limit), model: options.model, state: options.state },
      });
      printList(globals, items, columns);
    });

  evaluations
    .command('get <id>')
    .description('the figures, per-class table and confusion matrix of an evaluation')
    .option('--threshold <p>', 'precision/recall per class at this probability threshold', probability)
    .action(async (id: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const evaluation = await connect(globals).api.getEvaluation({
        params: { id },
        query: options.threshold === undefined ? {} : { threshold: options.threshold },
      });
      show(globals, evaluation);
    });

  evaluations
    .command('stop <id>')
    .description('stop a running evaluation')
    .option('--wait', 'wait until it has stopped')
    .action(async (id: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const stopping = await client.api.stopEvaluation({ params: { id } });
      const shown = options.wait ? await waitFor(client, id, undefined) : stopping;
      printMessage(globals, `evaluation ${id}: ${shown.state}`, shown);
    });

  evaluations
    .command('delete <id>')
    .description('delete an evaluation that has ended, with its files')
    .action(async (id: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteEvaluation({ params: { id } });
      printMessage(globals, `evaluation ${id}: deleted`, { deleted: id });
    });

  evaluations
    .command('log <id>')
    .description("print the evaluation runner's log")
    .action(async (id: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      let offset = 0;
      for (;;) {
        const chunk = await client.api.getEvaluationLog({ params: { id }, query: { offset } });
        process.stdout.write(chunk.text);
        if (chunk.nextOffset >= chunk.size || !chunk.text) break;
        offset = chunk.nextOffset;
      }
    });
}
