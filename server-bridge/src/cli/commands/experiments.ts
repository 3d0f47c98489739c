import { type Experiment, formatBytes, formatTime } from '@emkit/shared';
import type { Command } from 'commander';
import { connect } from '../connect.js';
import { printItem, printList, printMessage } from '../output.js';

const columns: [string, (e: Experiment) => unknown][] = [
  ['NAME', (e) => e.name],
  ['STATE', (e) => e.state],
  ['DESCRIPTION', (e) => e.description],
  ['CREATED', (e) => formatTime(e.createdAt)],
];

export function registerExperiments(program: Command): void {
  const experiment = program.command('experiment').alias('exp').description('experiments: groups of trainings to compare');

  experiment
    .command('create <name>')
    .option('--description <text>', 'what this experiment is about')
    .description('create an experiment')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const body = { name, ...(options.description ? { description: options.description } : {}) };
      printItem(globals, await connect(globals).api.createExperiment({ body }));
    });

  experiment
    .command('list')
    .description('list experiments')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listExperiments({ query: { limit: Number(options.limit) } });
      printList(globals, items, columns);
    });

  experiment
    .command('get <name>')
    .description('show one experiment')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      printItem(globals, await connect(globals).api.getExperiment({ params: { id: name } }));
    });

  experiment
    .command('delete <name>')
    .description('delete an experiment (refused while it has trainings)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteExperiment({ params: { id: name } });
      printMessage(globals, `experiment ${name} deleted`, { deleted: name });
    });

  experiment
    .command('compare <name>')
    .description('its trainings side by side: hyperparameters and the last (best) value of each metric')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const comparison = await connect(globals).api.compareExperiment({ params: { id: name } });
      if (globals.json) return printMessage(globals, '', comparison);
      const value = (v: number | null | undefined) => (v === null || v === undefined ? '' : Number(v.toPrecision(6)));
      printList(globals, comparison.trainings, [
        ['TRAINING', (t) => t.name],
        ['STATE', (t) => t.state],
        ['PEAK MEMORY', (t) => (t.peakMemoryMb === null ? '' : formatBytes(t.peakMemoryMb * 1024 * 1024))],
        ['MEAN CPU %', (t) => t.meanCpuPercent ?? ''],
        ...comparison.hyperparameters.map(
          (key) => [key, (t: (typeof comparison.trainings)[number]) => t.hyperparameters[key]] as const,
        ),
        ...comparison.metrics.map(
          (tag) =>
            [
              tag,
              (t: (typeof comparison.trainings)[number]) => {
                const m = t.metrics[tag];
                return m ? `${value(m.last)} (${m.goal} ${value(m.best)})` : '';
              },
            ] as const,
        ),
      ] as [string, (t: (typeof comparison.trainings)[number]) => unknown][]);
    });
}
