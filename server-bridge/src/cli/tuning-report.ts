import type { ParameterValue, Tuning, TuningTrial } from '@emkit/shared';

/** A number as people read it in a table: 6 significant digits, no trailing noise. */
export function shortNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** `lr=0.0012 depth=4 opt=adam`, in the space's order. */
export function paramsText(params: Record<string, ParameterValue>): string {
  return Object.entries(params)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? shortNumber(value) : String(value)}`)
    .join(' ');
}

/** One line for a trial that has ended, as `emkit tune --wait` prints them. */
export function trialLine(trial: TuningTrial): string {
  const value = trial.value !== null ? ` ${shortNumber(trial.value)}` : '';
  const reason = trial.stateReason ? ` (${trial.stateReason})` : '';
  return `trial ${trial.number} ${trial.state}${value}: ${paramsText(trial.params)}${reason}`;
}

/** `3/20 (2 running, 1 pruned)`: the trials against the budget. */
export function trialCounts(tuning: Tuning): string {
  const { total, running, pruned, failed, stopped } = tuning.trials;
  const more = [
    running ? `${running} running` : '',
    pruned ? `${pruned} pruned` : '',
    failed ? `${failed} failed` : '',
    stopped ? `${stopped} stopped` : '',
  ].filter(Boolean);
  return `${total}/${tuning.maxTrials}${more.length ? ` (${more.join(', ')})` : ''}`;
}

/** The best trial's line: its objective, values and training, for people. */
export function bestLine(tuning: Tuning): string {
  if (!tuning.best) return `best: none yet (no trial has logged ${tuning.objective.metric})`;
  const { best } = tuning;
  return `best: trial ${best.number}, ${tuning.objective.metric} ${shortNumber(best.value)}: ${paramsText(best.params)} (training ${best.trainingName})`;
}

/** Each parameter's importance, most important first: `lr 0.82, depth 0.18`. */
export function importanceLine(tuning: Tuning): string | undefined {
  if (!tuning.importance) return undefined;
  const ranked = Object.entries(tuning.importance).sort(([, a], [, b]) => b - a);
  return `importance: ${ranked.map(([key, value]) => `${key} ${value.toFixed(2)}`).join(', ')}`;
}
