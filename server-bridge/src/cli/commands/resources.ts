import { formatBytes, type ProcessUsage, type ResourceUsage } from '@emkit/shared';
import type { Command } from 'commander';
import { count } from '../arguments.js';
import { connect } from '../connect.js';
import { printList, printMessage } from '../output.js';

const mib = (mb: number | null | undefined) => (mb === null || mb === undefined ? '' : formatBytes(mb * 1024 * 1024));
const percent = (value: number | null | undefined) => (value === null || value === undefined ? '' : value.toFixed(1));
const newest = (p: ProcessUsage) => p.samples.at(-1);

/** One line a process: its latest sample and its peak memory over the samples asked for. */
function printUsage(globals: { json?: boolean }, usage: ResourceUsage): void {
  if (globals.json) {
    printMessage(globals, '', usage);
    return;
  }
  printList(globals, usage.processes, [
    ['PROCESS', (p) => p.process],
    ...(usage.resource === 'endpoints'
      ? [['STAGE', (p: ProcessUsage) => p.stage] as [string, (p: ProcessUsage) => unknown]]
      : []),
    ['PID', (p) => p.pid],
    ['CPU %', (p) => percent(newest(p)?.cpuPercent)],
    ['MEMORY', (p) => mib(newest(p)?.memoryMb)],
    ['PEAK', (p) => mib(Math.max(...p.samples.map((s) => s.memoryMb)))],
    ['THREADS', (p) => newest(p)?.threads],
    ['OPEN FILES', (p) => newest(p)?.openFiles],
    ...(usage.gpu
      ? [
          ['GPU %', (p: ProcessUsage) => percent(newest(p)?.gpuPercent)] as [string, (p: ProcessUsage) => unknown],
          ['GPU MEMORY', (p: ProcessUsage) => mib(newest(p)?.gpuMemoryMb)] as [string, (p: ProcessUsage) => unknown],
        ]
      : []),
    ['SAMPLES', (p) => p.samples.length],
    ['LAST', (p) => newest(p)?.time ?? ''],
  ]);
  const { peakMemoryMb, meanCpuPercent } = usage.summary;
  process.stdout.write(
    peakMemoryMb === null
      ? `\nnot sampled (yet): sampled every ${usage.intervalSeconds} s while it runs on this machine\n`
      : `\npeak memory ${mib(peakMemoryMb)}, mean CPU ${percent(meanCpuPercent)} % (sampled every ${usage.intervalSeconds} s)\n`,
  );
}

/**
 * `resources <name>` on a command group (training, endpoint, batch): CPU, memory, threads, open
 * files (and GPU) of its processes as sampled, with the peak and mean over its life.
 */
export function addResourcesCommand(group: Command, resource: ResourceUsage['resource']): void {
  const what = {
    trainings: "a training's ranks and its TensorBoard",
    endpoints: "an endpoint's workers",
    'batch-inferences': "a batch job's runner and its workers",
  }[resource];
  const command = group
    .command('resources <name>')
    .description(`CPU, memory, threads and open files (GPU where there is one) of ${what}, as sampled (--json: every sample)`)
    .option('--minutes <n>', 'only the last n minutes (default: all kept)', count)
    .option('--points <n>', 'at most n samples per process (default 300)', count);
  if (resource === 'endpoints') command.option('--stage <name>', 'only this stage');
  command.action(async (name: string, options: { minutes?: number; points?: number; stage?: string }, self: Command) => {
    const globals = self.optsWithGlobals();
    const client = connect(globals);
    const input = {
      params: { id: name },
      query: { minutes: options.minutes, points: options.points, stage: options.stage },
    };
    const usage =
      resource === 'trainings'
        ? await client.api.getTrainingResources(input)
        : resource === 'endpoints'
          ? await client.api.getEndpointResources(input)
          : await client.api.getBatchInferenceResources(input);
    printUsage(globals, usage);
  });
}
