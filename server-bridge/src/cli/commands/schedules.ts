import {
  formatTime,
  nextRunsInWords,
  SCHEDULE_COMPARISONS,
  type Schedule,
  type ScheduleRun,
  scheduleInWords,
} from '@emkit/shared';
import { type Command, Option } from 'commander';
import { pairs } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';
import { stepsFromFlags, threshold } from '../schedule-steps.js';

const when = (s: Pick<Schedule, 'cron' | 'timezone' | 'every'>) => scheduleInWords(s) ?? s.cron ?? s.every ?? '';
const duration = (run: ScheduleRun) =>
  run.startedAt && run.finishedAt ? `${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s` : '';

const columns: [string, (s: Schedule) => unknown][] = [
  ['NAME', (s) => s.name],
  ['STATE', (s) => s.state],
  ['WHEN', when],
  ['STEPS', (s) => s.steps.map((step) => step.kind).join(' → ')],
  ['NEXT', (s) => (s.nextRuns[0] ? formatTime(s.nextRuns[0]) : '')],
  ['LAST RUN', (s) => (s.lastRun ? `${s.lastRun.number} ${s.lastRun.state}` : '')],
];

const runColumns: [string, (r: ScheduleRun) => unknown][] = [
  ['RUN', (r) => r.number],
  ['TRIGGER', (r) => r.trigger],
  ['STATE', (r) => r.state],
  ['DUE', (r) => formatTime(r.dueAt)],
  ['DURATION', duration],
  ['STEPS', (r) => r.steps.map((s) => `${s.kind}:${s.state}`).join(' ')],
  ['OUTCOME', (r) => r.reason ?? r.steps.findLast((s) => s.outcome)?.outcome ?? ''],
];

function showSchedule(globals: { json?: boolean }, schedule: Schedule): void {
  printItem(globals, schedule, [
    ['name', (s) => s.name],
    ['state', (s) => (s.reason ? `${s.state} (${s.reason})` : s.state)],
    ['when', when],
    ['steps', (s) => s.steps.map((step) => step.kind).join(' → ')],
    ['overlap', (s) => s.overlap],
    ['catch up', (s) => (s.catchUp ? 'one run after the bridge was down' : 'no')],
    ['next runs', (s) => nextRunsInWords(s.nextRuns, 'en', s.timezone ?? undefined).join('; ')],
    [
      'last run',
      (s) => (s.lastRun ? `${s.lastRun.number} ${s.lastRun.state}${s.lastRun.reason ? `: ${s.lastRun.reason}` : ''}` : ''),
    ],
  ]);
}

export function registerSchedules(program: Command): void {
  const schedule = program
    .command('schedule')
    .alias('schedules')
    .description('schedules: retrain, evaluate, promote and re-score on a cron expression or an interval');

  schedule
    .command('create <name>')
    .description('create a schedule: when (--cron [--tz] or --every) and what each run does')
    .option('--cron <expr>', 'a cron expression: 5 fields, or 6 with seconds first')
    .option('--tz <zone>', 'the IANA time zone of --cron (default UTC)')
    .option('--every <interval>', 'an interval: 30s, 5m, 2h, 1d')
    .option('--training <id>', 'retrain: a copy of this training each run')
    .option('--notebook <path>', 'retrain: submit this notebook, script or folder as saved at each run')
    .addOption(
      new Option('--source <which>', "the training's code: its snapshot, or the notebook as saved now").choices([
        'snapshot',
        'latest',
      ]),
    )
    .option('--recipe <name>', 'retrain: train this recipe each run')
    .option('--hp <key=value>', 'a hyperparameter of the training or recipe (repeatable)', pairs('hyperparameter'))
    .option(
      '--dataset <name=path>',
      'a dataset of the training or recipe: a path or a dataset NAME[:VERSION] (repeatable)',
      pairs('dataset'),
    )
    .option('--model <name>', 'register each COMPLETE training as a version of this model')
    .option('--evaluate <data>', 'then evaluate the new version on this data: a path or a dataset NAME[:VERSION]')
    .option('--label <column>', 'the label column of --evaluate')
    .option('--promote <alias>', 'then move this alias to the new version when --metric passes --threshold')
    .option('--metric <name>', 'a figure of the evaluation: accuracy, macro.f1, r2, rmse, …')
    .option('--threshold <number>', 'what --metric is compared with', threshold)
    .addOption(new Option('--comparison <op>', 'how (default >=)').choices(SCHEDULE_COMPARISONS))
    .option('--batch <input>', 'then (or only) score this table or folder: a path or a dataset NAME[:VERSION]')
    .option('--batch-output <dir>', 'the folder the scores go to')
    .option('--batch-model <ref>', "the model to score with (default: the promoted alias, else the chain's new version)")
    .option('--overwrite', 'replace the scores of the run before in --batch-output')
    .option('--steps <file.json>', 'every step as JSON (an array), instead of the flags above')
    .addOption(
      new Option('--overlap <policy>', 'a run due while the last still goes: skip it, or queue one').choices(['skip', 'queue']),
    )
    .option('--no-catch-up', 'no run for due times missed while the bridge was down')
    .option('--paused', 'create it paused')
    .option('--description <text>')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      let steps: ReturnType<typeof stepsFromFlags>;
      try {
        steps = stepsFromFlags(options);
      } catch (error) {
        // a usage error: said here, since commander prints only the ones it finds itself
        return command.error(`emkit: ${(error as Error).message}`, { exitCode: EXIT.usage });
      }
      const created = await connect(globals).api.createSchedule({
        body: {
          name,
          ...(options.cron ? { cron: options.cron } : {}),
          ...(options.tz ? { timezone: options.tz } : {}),
          ...(options.every ? { every: options.every } : {}),
          steps,
          ...(options.overlap ? { overlap: options.overlap } : {}),
          catchUp: options.catchUp !== false,
          ...(options.paused ? { paused: true } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (globals.json) return printMessage(globals, '', created);
      showSchedule(globals, created);
    });

  schedule
    .command('preview')
    .description('the next due times of a cron expression or interval, in words; a 400 says why one is invalid')
    .option('--cron <expr>')
    .option('--tz <zone>')
    .option('--every <interval>')
    .option('--count <n>', 'how many', '5')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const timing = {
        ...(options.cron ? { cron: options.cron } : {}),
        ...(options.tz ? { timezone: options.tz } : {}),
        ...(options.every ? { every: options.every } : {}),
      };
      const answer = await connect(globals).api.previewSchedule({ body: { ...timing, count: Number(options.count) } });
      if (globals.json) return printMessage(globals, '', answer);
      process.stdout.write(`${when({ cron: null, timezone: null, every: null, ...timing })}\n`);
      for (const line of nextRunsInWords(answer.nextRuns, 'en', options.tz)) process.stdout.write(`  ${line}\n`);
    });

  schedule
    .command('list')
    .description('list schedules with their next due time and last run')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listSchedules({ query: { limit: Number(options.limit) } });
      printList(globals, items, columns);
    });

  schedule
    .command('get <name>')
    .description('a schedule: when, what, the next five due times and its last run')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      showSchedule(globals, await connect(globals).api.getSchedule({ params: { id: name } }));
    });

  for (const [verb, summary] of [
    ['pause', 'start nothing more (a run going goes on)'],
    ['resume', 'start again, from now (no catch-up for the paused time)'],
  ] as const) {
    schedule
      .command(`${verb} <name>`)
      .description(summary)
      .action(async (name: string, _options, command: Command) => {
        const globals = command.optsWithGlobals();
        const api = connect(globals).api;
        const answer =
          verb === 'pause'
            ? await api.pauseSchedule({ params: { id: name } })
            : await api.resumeSchedule({ params: { id: name } });
        printMessage(globals, `schedule ${answer.name}: ${answer.state}`, answer);
      });
  }

  schedule
    .command('run <name>')
    .description('start a run now, under the overlap rule')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const run = await connect(globals).api.runSchedule({ params: { id: name } });
      printMessage(globals, `run ${run.number} of ${name}: ${run.state}${run.reason ? ` (${run.reason})` : ''}`, run);
    });

  schedule
    .command('runs <name>')
    .description("a schedule's history, newest first: each run's trigger, state, duration and steps")
    .option('--limit <n>', 'at most this many', '100')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listScheduleRuns({
        params: { id: name },
        query: { limit: Number(options.limit) },
      });
      printList(globals, items, runColumns);
    });

  schedule
    .command('delete <name>')
    .description('delete a schedule and its history (what its runs made stays)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteSchedule({ params: { id: name } });
      printMessage(globals, `schedule ${name} deleted`);
    });
}
