import { readFileSync } from 'node:fs';
import { type FeedbackItem, formatTime, type InferencePayload, WINDOW_PATTERN } from '@emkit/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { count, count0 } from '../arguments.js';
import { connect } from '../connect.js';
import { printList, printMessage } from '../output.js';

// `emkit endpoint payloads|feedback|quality`: the payload log, the labels sent back for it and
// the rolling model quality they give, as subcommands of `emkit endpoint`.

const CELL = 60;
const cell = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > CELL ? `${text.slice(0, CELL - 1)}…` : text;
};

/** A label as typed: JSON when it parses (`1`, `true`, `"1"`), else the text itself (`cat`). */
export function labelValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function windowValue(value: string): string {
  if (!new RegExp(WINDOW_PATTERN).test(value)) throw new InvalidArgumentError(`"${value}" is not a window like 30s, 5m, 1h, 1d`);
  return value;
}

function timeValue(value: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime()))
    throw new InvalidArgumentError(`"${value}" is not a time (ISO 8601, e.g. 2026-12-07T10:00:00Z)`);
  return time.toISOString();
}

/** A JSON Lines file of {"inferenceId", "index"?, "label"}: each line checked, the line named when one isn't. */
function readFeedbackFile(command: Command, path: string): FeedbackItem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    command.error(`error: can't read ${path}: ${(error as Error).message}`);
  }
  const items: FeedbackItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch (error) {
      command.error(`error: ${path} line ${i + 1} is not JSON (${(error as Error).message})`);
    }
    const given = item as Partial<FeedbackItem> | null;
    if (typeof given !== 'object' || given === null || typeof given.inferenceId !== 'string' || !('label' in given)) {
      command.error(`error: ${path} line ${i + 1}: give {"inferenceId": "…", "label": …} (and "index" for another instance)`);
    }
    items.push(given as FeedbackItem);
  });
  if (items.length === 0) command.error(`error: ${path} has no labels`);
  return items;
}

export function registerEndpointPayloads(endpoint: Command): void {
  endpoint
    .command('payloads <endpoint>')
    .description("logged requests' instances and predictions (stages with payload logging on), newest last")
    .option('--stage <name>', 'only this stage')
    .option('--inference-id <id>', 'only this request')
    .option('--since <time>', 'only from this time (ISO 8601)', timeValue)
    .option('--until <time>', 'only before this time (ISO 8601)', timeValue)
    .option('--after <seq>', 'only a larger seq', count0)
    .option('--limit <n>', 'at most this many, the newest (default 200, at most 5000)', count)
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const page = await connect(globals).api.listEndpointPayloads({
        params: { id: name },
        query: {
          stage: options.stage,
          inferenceId: options.inferenceId,
          since: options.since,
          until: options.until,
          after: options.after,
          limit: options.limit,
        },
      });
      printList<InferencePayload>(globals, page.items, [
        ['SEQ', (p) => p.seq],
        ['TIME', (p) => formatTime(p.time)],
        ['STAGE', (p) => p.stage],
        ['INFERENCE ID', (p) => p.inferenceId],
        ['STATUS', (p) => p.status],
        ['INSTANCES', (p) => `${p.truncated ? '(cut) ' : ''}${cell(p.instances)}`],
        ['PREDICTIONS', (p) => (p.predictions === null ? '' : cell(p.predictions))],
      ]);
      // on stderr: the list on stdout stays the rows alone
      if (page.dropped > 0) {
        process.stderr.write(
          `${page.dropped} sampled call(s) not logged since the bridge started: its payload log's queue was full (emkit serve --payload-log-queue-mb)\n`,
        );
      }
    });

  endpoint
    .command('feedback <endpoint>')
    .description('send the true labels of logged predictions: one (--inference-id, --label) or a JSON Lines --file')
    .option('--inference-id <id>', 'the request (its x-inference-id)')
    .option('--index <n>', 'which instance of that request (default 0)', count0)
    .option('--label <value>', 'the true answer (JSON when it parses: 1, true, "1"; else the text)')
    .option('--file <path>', 'a JSON Lines file of {"inferenceId", "index"?, "label"}: all kept, or none')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const one = options.inferenceId !== undefined || options.label !== undefined;
      if (one === (options.file !== undefined)) command.error('error: give --inference-id and --label, or --file');
      if (one && (options.inferenceId === undefined || options.label === undefined)) {
        command.error('error: --inference-id and --label go together');
      }
      const body = one
        ? {
            inferenceId: options.inferenceId as string,
            label: labelValue(options.label as string),
            ...(options.index === undefined ? {} : { index: options.index as number }),
          }
        : { items: readFeedbackFile(command, options.file as string) };
      const result = await connect(globals).api.sendEndpointFeedback({ params: { id: name }, body });
      printMessage(globals, `endpoint ${name}: ${result.accepted} label(s) kept`, result);
    });

  endpoint
    .command('quality <endpoint>')
    .description("rolling accuracy/F1 or MAE/RMSE from the labels sent back, per window, beside the model's evaluation")
    .option('--stage <name>', 'only this stage')
    .option('--window <width>', 'the width of a window (default 1h)', windowValue)
    .option('--windows <n>', 'how many, newest (default 24)', count)
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const quality = await connect(globals).api.getEndpointModelQuality({
        params: { id: name },
        query: { stage: options.stage, window: options.window, windows: options.windows },
      });
      if (globals.json) return printMessage(globals, '', quality);
      const figure = (value: number | undefined) => (value === undefined ? '' : value.toFixed(4));
      const names = quality.task === 'regression' ? ['mae', 'rmse'] : ['accuracy', 'f1'];
      const baseline = quality.baseline
        ? `evaluation ${quality.baseline.evaluationId}: ${names.map((m) => `${m} ${figure(quality.baseline?.metrics[m])}`).join(', ')}`
        : 'none (no COMPLETE evaluation of the model version)';
      process.stdout.write(`task: ${quality.task ?? 'unknown (no labels yet)'}\nbaseline: ${baseline}\n`);
      process.stdout.write(`labels refused (unknown inferenceId): ${quality.unmatchedFeedback}\n\n`);
      type Window = (typeof quality.windows)[number];
      const metricColumns = names.map((m): [string, (w: Window) => unknown] => [m.toUpperCase(), (w) => figure(w.metrics[m])]);
      printList<Window>(globals, quality.windows, [
        ['START', (w) => formatTime(w.start)],
        ['STAGE', (w) => w.stage],
        ['LABELS', (w) => w.count],
        ...metricColumns,
      ]);
    });
}
