import { resolve } from 'node:path';
import {
  ApiError,
  EARLY_STOPPING_MODES,
  EarlyStopError,
  type EarlyStopping,
  type EmkitClient,
  formatSpace,
  formatTime,
  isSettled,
  OBJECTIVE_AGGREGATES,
  parseDuration,
  parseEarlyStop,
  parseSpaceEntry,
  type SearchSpace,
  SpaceSpecError,
  TUNING_ALGORITHMS,
  TUNING_PRUNERS,
  TUNING_STATES,
  TUNING_TRIAL_STATES,
  type Tuning,
  type TuningTrial,
  tuningStates,
} from '@emkit/shared';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { count, count0, datasetValue, pairs } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';
import { bestLine, importanceLine, paramsText, shortNumber, trialCounts, trialLine } from '../tuning-report.js';

/** `--space lr=loguniform:1e-4:1e-1 --space depth=int:2:8` → the space, by the editors' rule (shared/src/tuning/space-spec.ts). */
function spaceEntry(value: string, previous: SearchSpace | undefined): SearchSpace {
  try {
    const [key, spec] = parseSpaceEntry(value);
    if (previous && Object.hasOwn(previous, key)) throw new InvalidArgumentError(`space.${key} is given twice.`);
    return { ...previous, [key]: spec };
  } catch (error) {
    throw error instanceof SpaceSpecError ? new InvalidArgumentError(error.message) : error;
  }
}

function seconds(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed) throw new InvalidArgumentError(`"${value}" is not a duration like 90s, 30m or 2h`);
  return parsed;
}

function earlyStop(value: string): EarlyStopping {
  try {
    return parseEarlyStop(value);
  } catch (error) {
    throw error instanceof EarlyStopError ? new InvalidArgumentError(error.message) : error;
  }
}

const columns: [string, (t: Tuning) => unknown][] = [
  ['NAME', (t) => t.name],
  ['EXPERIMENT', (t) => t.experimentName],
  ['STATE', (t) => t.state],
  ['ALGORITHM', (t) => `${t.algorithm}${t.pruner !== 'none' ? ` + ${t.pruner}` : ''}`],
  ['OBJECTIVE', (t) => `${t.objective.metric} ${t.objective.mode}`],
  ['TRIALS', trialCounts],
  ['BEST', (t) => shortNumber(t.best?.value)],
  ['CREATED', (t) => formatTime(t.createdAt)],
];

const trialColumns: [string, (t: TuningTrial) => unknown][] = [
  ['#', (t) => t.number],
  ['STATE', (t) => t.state],
  ['VALUE', (t) => shortNumber(t.value ?? t.lastValue)],
  ['STEP', (t) => t.prunedAtStep ?? t.lastStep ?? ''],
  ['PARAMS', (t) => paramsText(t.params)],
  ['TRAINING', (t) => t.trainingName ?? ''],
  ['REASON', (t) => t.stateReason ?? ''],
];

/** A tuning for people: the record's main fields, then its best trial and the parameters' importance. */
function showTuning(globals: { json?: boolean }, tuning: Tuning): void {
  if (globals.json) {
    printItem(globals, tuning);
    return;
  }
  printItem(globals, tuning, [
    ['id', (t) => t.id],
    ['name', (t) => t.name],
    ['experiment', (t) => t.experimentName],
    ['state', (t) => `${t.state}${t.stateReason ? ` (${t.stateReason})` : ''}`],
    [
      'objective',
      (t) =>
        `${t.objective.metric} ${t.objective.mode}, ${t.objective.aggregate}${t.objective.step !== null ? ` ${t.objective.step}` : ''}`,
    ],
    ['algorithm', (t) => t.algorithm],
    ['pruner', (t) => t.pruner],
    ['trials', trialCounts],
    ['parallel', (t) => t.parallel],
    ['space', (t) => formatSpace(t.space).join(' ')],
    ['fixed', (t) => t.fixed],
    ['cluster', (t) => t.cluster ?? 'local'],
    ['created', (t) => formatTime(t.createdAt)],
  ]);
  process.stdout.write(`${bestLine(tuning)}\n`);
  const importance = importanceLine(tuning);
  if (importance) process.stdout.write(`${importance}\n`);
}

/**
 * Follow a tuning to its end, printing each trial as it ends (on stdout, or nothing with --json), and
 * return the settled tuning. Polls, as `emkit train --wait` does: a trial lasts seconds at least.
 */
async function waitFor(client: EmkitClient, globals: { json?: boolean }, id: string): Promise<Tuning> {
  const shown = new Set<number>();
  for (;;) {
    const tuning = await client.api.getTuning({ params: { id } });
    const { items } = await client.api.listTuningTrials({ params: { id: tuning.id } });
    for (const trial of items) {
      if (trial.state === 'RUNNING' || shown.has(trial.number)) continue;
      shown.add(trial.number);
      if (!globals.json) process.stdout.write(`${trialLine(trial)}\n`);
    }
    if (isSettled(tuningStates, tuning.state)) return tuning;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function finish(globals: { json?: boolean }, tuning: Tuning): void {
  showTuning(globals, tuning);
  if (tuning.state !== 'COMPLETE') process.exitCode = EXIT.endedInFailure;
}

export function registerTunings(program: Command): void {
  program
    .command('tune <path>')
    .description('search hyperparameters: run a notebook, a script or a folder (--entry) as trainings over a space')
    .requiredOption(
      '--space <key=type:…>',
      'a searched parameter (repeatable): uniform:low:high, loguniform:low:high, int:low:high[:step], discrete:low:high:step, choice:a,b,c',
      spaceEntry,
    )
    .requiredOption('--metric <tag>', 'the metric the trials log that is the objective, e.g. val_loss')
    .addOption(
      new Option('--mode <mode>', 'min: lower is better; max: higher is better')
        .choices(EARLY_STOPPING_MODES)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--aggregate <which>', "the trial's value: its last, best, or --step point (default last)").choices(
        OBJECTIVE_AGGREGATES,
      ),
    )
    .option('--step <n>', 'with --aggregate step: the step whose value counts', count0)
    .option('--trials <n>', "trials in all (default: the grid's size for grid search, else 20)", count)
    .option('--parallel <n>', 'trials at once (default 1)', count)
    .addOption(new Option('--algorithm <name>', 'the sampler (default tpe)').choices(TUNING_ALGORITHMS))
    .addOption(new Option('--prune <pruner>', 'stop hopeless trials early (default none)').choices(TUNING_PRUNERS))
    .option('--fixed <key=value>', 'a hyperparameter every trial gets as it is (repeatable)', pairs('hyperparameter'), {})
    .option('--seed <n>', "the sampler's seed, for a search that can be repeated", count0)
    .option('--max-duration <duration>', 'wall-time budget of the whole tuning, e.g. 30m, 2h', seconds)
    .option('--trial-max-time <duration>', 'stop a trial after this long', seconds)
    .option('--early-stop <metric:mode:patience[:minDelta]>', 'end a trial when a metric stops improving', earlyStop)
    .option('--entry <file>', 'with a folder: the .py or .ipynb to run, relative to it')
    .option('--dataset <name=path>', 'a dataset (repeatable): a path, or a dataset NAME[:VERSION]', pairs('dataset'), {})
    .option('--tag <key=value>', 'a tag (repeatable)', pairs('tag'), {})
    .option('--env <name>', "the environment the trials run in (default: the bridge's Python)")
    .option('--experiment <name>', 'the experiment its trials belong to (default: "default")')
    .option('--cluster <name>', 'the Ray cluster its trials run on (default: here)')
    .option('--name <name>', 'default: the file name and the time')
    .option('--description <text>')
    .option('--wait', 'print each trial as it ends and the best at the end; exit 6 unless it is COMPLETE')
    .action(async (path: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const datasets = Object.fromEntries(
        Object.entries(options.dataset as Record<string, string>).map(([k, v]) => [k, datasetValue(v)]),
      );
      const tuning = await client.api.createTuning({
        body: {
          source: { path: resolve(path), ...(options.entry ? { entryPoint: options.entry } : {}) },
          space: options.space,
          objective: {
            metric: options.metric,
            mode: options.mode,
            ...(options.aggregate ? { aggregate: options.aggregate } : {}),
            ...(options.step !== undefined ? { step: options.step } : {}),
          },
          fixed: options.fixed,
          datasets,
          tags: options.tag,
          ...(options.algorithm ? { algorithm: options.algorithm } : {}),
          ...(options.prune ? { pruner: options.prune } : {}),
          ...(options.trials ? { maxTrials: options.trials } : {}),
          ...(options.parallel ? { parallel: options.parallel } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.maxDuration ? { maxDurationSeconds: options.maxDuration } : {}),
          ...(options.trialMaxTime ? { trialMaxDurationSeconds: options.trialMaxTime } : {}),
          ...(options.earlyStop ? { earlyStopping: options.earlyStop } : {}),
          ...(options.env ? { environment: options.env } : {}),
          ...(options.experiment ? { experiment: options.experiment } : {}),
          ...(options.cluster ? { cluster: options.cluster } : {}),
          ...(options.name ? { name: options.name } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return showTuning(globals, tuning);
      if (!globals.json)
        process.stdout.write(
          `tuning ${tuning.name}: ${tuning.algorithm}, ${tuning.maxTrials} trials, ${tuning.parallel} at once\n`,
        );
      finish(globals, await waitFor(client, globals, tuning.id));
    });

  const tunings = program
    .command('tuning')
    .alias('tunings')
    .description('tunings: searches over hyperparameters, each trial a training');

  tunings
    .command('list')
    .description('list tunings, newest first')
    .option('--experiment <name>', 'only this experiment')
    .addOption(new Option('--state <state>', 'only this state, e.g. RUNNING').choices(TUNING_STATES))
    .option('--limit <n>', 'at most this many', count, 100)
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listTunings({
        query: { limit: options.limit, experiment: options.experiment, state: options.state },
      });
      printList(globals, items, columns);
    });

  tunings
    .command('get <name>')
    .description('show one tuning: its state, trials, best trial and the parameters’ importance')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      showTuning(globals, await connect(globals).api.getTuning({ params: { id: name } }));
    });

  tunings
    .command('trials <name>')
    .description("a tuning's trials in number order: values, objective, state and reason")
    .addOption(new Option('--state <state>', 'only this state, e.g. PRUNED').choices(TUNING_TRIAL_STATES))
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listTuningTrials({
        params: { id: name },
        query: options.state ? { state: options.state } : {},
      });
      printList(globals, items, trialColumns);
    });

  tunings
    .command('stop <name>')
    .description('stop a tuning: no new trial starts and the running ones are stopped')
    .option('--wait', 'wait until it has stopped')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const stopping = await client.api.stopTuning({ params: { id: name } });
      showTuning(globals, options.wait ? await waitFor(client, { json: true }, stopping.id) : stopping);
    });

  tunings
    .command('copy <name>')
    .description('run the same search again as a new tuning (a new study, the same source snapshot)')
    .option('--name <name>')
    .option('--description <text>')
    .option('--trials <n>', 'trials in all (default: as the original)', count)
    .option('--parallel <n>', 'trials at once (default: as the original)', count)
    .option('--seed <n>', "the sampler's seed", count0)
    .option('--max-duration <duration>', 'wall-time budget, e.g. 30m', seconds)
    .option('--wait', 'print each trial as it ends and the best at the end; exit 6 unless it is COMPLETE')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const copy = await client.api.copyTuning({
        params: { id: name },
        body: {
          ...(options.name ? { name: options.name } : {}),
          ...(options.description ? { description: options.description } : {}),
          ...(options.trials ? { maxTrials: options.trials } : {}),
          ...(options.parallel ? { parallel: options.parallel } : {}),
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
          ...(options.maxDuration ? { maxDurationSeconds: options.maxDuration } : {}),
        },
      });
      if (!options.wait) return showTuning(globals, copy);
      finish(globals, await waitFor(client, globals, copy.id));
    });

  tunings
    .command('delete <name>')
    .description('delete a tuning that has ended, with its study; its trainings stay unless --trainings')
    .option('--trainings', "also delete its trials' trainings (those no model was made from)")
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteTuning({ params: { id: name }, query: { trainings: options.trainings === true } });
      printMessage(globals, `tuning ${name}: deleted`, { deleted: name });
    });

  tunings
    .command('model <name>')
    .description("register a model from the tuning's best trial (what its training saved in EM_MODEL_DIR)")
    .requiredOption('--name <model>', "the model's name (a new version if it exists)")
    .option('--description <text>')
    .option('--alias <alias>', 'an alias for the new version (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const tuning = await client.api.getTuning({ params: { id: name } });
      if (!tuning.best) {
        throw new ApiError(
          409,
          'conflict',
          `tuning ${tuning.name} has no COMPLETE trial yet; see \`emkit tuning trials ${tuning.name}\``,
        );
      }
      const model = await client.api.createModel({
        body: {
          name: options.name,
          training: tuning.best.trainingId,
          ...(options.description ? { description: options.description } : {}),
          ...(options.alias ? { aliases: options.alias } : {}),
        },
      });
      printItem(globals, model);
    });
}
