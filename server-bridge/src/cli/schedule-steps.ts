import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SCHEDULE_COMPARISONS, ScheduleStep } from '@emkit/shared';
import { InvalidArgumentError } from 'commander';
import { datasetValue } from './arguments.js';

/** What `emkit schedule create` takes to say what each run does (see stepsFromFlags). */
export interface StepFlags {
  steps?: string;
  training?: string;
  notebook?: string;
  source?: 'snapshot' | 'latest';
  recipe?: string;
  hp?: Record<string, string>;
  dataset?: Record<string, string>;
  model?: string;
  evaluate?: string;
  label?: string;
  promote?: string;
  metric?: string;
  threshold?: number;
  comparison?: (typeof SCHEDULE_COMPARISONS)[number];
  batch?: string;
  batchOutput?: string;
  batchModel?: string;
  overwrite?: boolean;
}

const usage = (message: string) => new InvalidArgumentError(message);

/**
 * The chain from flags, in its one order: retrain (`--training` or `--recipe`) → evaluate (`--evaluate`) →
 * promote (`--promote`) → re-score (`--batch`); or the steps as JSON from a file (`--steps`) for anything else.
 */
export function stepsFromFlags(flags: StepFlags): ScheduleStep[] {
  const chainFlags = [flags.training, flags.notebook, flags.recipe, flags.evaluate, flags.promote, flags.batch].some(
    (f) => f !== undefined,
  );
  if (flags.steps !== undefined) {
    if (chainFlags)
      throw usage('--steps gives every step; leave out --training, --notebook, --recipe, --evaluate, --promote and --batch');
    const steps = JSON.parse(readFileSync(resolve(flags.steps), 'utf8')) as unknown;
    if (!Array.isArray(steps)) throw usage(`--steps ${flags.steps}: a JSON array of steps`);
    return steps as ScheduleStep[];
  }
  if ([flags.training, flags.notebook, flags.recipe].filter((f) => f !== undefined).length > 1)
    throw usage('one of --training, --notebook and --recipe');
  const steps: ScheduleStep[] = [];
  const extras = {
    ...(flags.hp ? { hyperparameters: flags.hp } : {}),
    ...(flags.model ? { model: flags.model } : {}),
  };
  if (flags.training !== undefined) {
    steps.push({
      kind: 'training',
      training: flags.training,
      ...(flags.source ? { source: flags.source } : {}),
      ...(flags.dataset ? { datasets: datasetsOf(flags.dataset) } : {}),
      ...extras,
    });
  } else if (flags.notebook !== undefined) {
    // the file as saved at each run; a relative path is the caller's, made absolute here
    steps.push({
      kind: 'training',
      path: resolve(flags.notebook),
      ...(flags.dataset ? { datasets: datasetsOf(flags.dataset) } : {}),
      ...extras,
    });
  } else if (flags.recipe !== undefined) {
    steps.push({ kind: 'recipe', recipe: flags.recipe, datasets: datasetsOf(flags.dataset ?? {}), ...extras });
  }
  if (flags.evaluate !== undefined) {
    steps.push({
      kind: 'evaluation',
      data: datasetValue(flags.evaluate),
      ...(flags.label ? { label: flags.label } : {}),
    });
  }
  if (flags.promote !== undefined) {
    if (flags.metric === undefined || flags.threshold === undefined) {
      throw usage('--promote ALIAS needs --metric NAME and --threshold NUMBER');
    }
    steps.push({
      kind: 'promote',
      alias: flags.promote,
      metric: flags.metric,
      threshold: flags.threshold,
      ...(flags.comparison ? { comparison: flags.comparison } : {}),
    });
  }
  if (flags.batch !== undefined) {
    steps.push({
      kind: 'batch',
      batch: {
        input: datasetValue(flags.batch),
        ...(flags.batchOutput ? { output: resolve(flags.batchOutput) } : {}),
        ...(flags.batchModel ? { model: flags.batchModel } : {}),
        ...(flags.overwrite ? { overwrite: true } : {}),
      },
    });
  }
  if (steps.length === 0)
    throw usage('say what runs: --training, --recipe, --batch (with --evaluate, --promote), or --steps FILE');
  return steps;
}

function datasetsOf(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, datasetValue(v)]));
}

export function threshold(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw usage(`"${value}" is not a number`);
  return parsed;
}
