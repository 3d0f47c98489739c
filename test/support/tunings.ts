import { type EmkitClient, isSettled, type ResourceEvent, type Training, type Tuning, tuningStates } from '@emkit/shared';
import { waitFor } from './bridge.js';
import { writeTree } from './trainings.js';

/**
 * A training script whose loss has a known minimum, 0 at x = 2, y = -1: `(x-2)² + (y+1)²`, plus 1/(step+1)
 * at each step (falling, so the last step's value is the lowest and later steps never change the order).
 * Its hyperparameters arrive as `--x`, `--y`; `--steps` and `--pause` set how long it runs; `--bump B` adds B
 * at the last step (its last value is then not its best); `--fail-x X` makes it fail when x is X; `--hold-x X`
 * makes it ignore SIGTERM and run for a minute when x is X (a stop then takes the supervisor's grace period).
 */
export const QUADRATIC_SCRIPT = [
  'import argparse',
  'import time',
  '',
  'from emkit.tracking import flush, log_metric',
  '',
  'parser = argparse.ArgumentParser()',
  'parser.add_argument("--x", type=float, default=0.0)',
  'parser.add_argument("--y", type=float, default=0.0)',
  'parser.add_argument("--steps", type=int, default=5)',
  'parser.add_argument("--pause", type=float, default=0.05)',
  'parser.add_argument("--bump", type=float, default=0.0)',
  'parser.add_argument("--fail-x", type=float, default=None)',
  'parser.add_argument("--hold-x", type=float, default=None)',
  'args, _ = parser.parse_known_args()',
  'if args.hold_x is not None and args.x == args.hold_x:',
  '    import signal',
  '    signal.signal(signal.SIGTERM, signal.SIG_IGN)',
  '    args.steps, args.pause = 600, 0.1',
  'if args.fail_x is not None and args.x == args.fail_x:',
  '    raise SystemExit(f"x = {args.x} is the value this script refuses")',
  'loss = (args.x - 2) ** 2 + (args.y + 1) ** 2',
  'for step in range(args.steps):',
  '    bump = args.bump if step == args.steps - 1 else 0.0',
  '    log_metric("loss", loss + 1.0 / (step + 1) + bump, step)',
  '    flush()',
  '    time.sleep(args.pause)',
  '',
].join('\n');

/** The script's loss at its last step, for values x, y. */
export const quadraticLoss = (x: number, y: number, steps: number) => (x - 2) ** 2 + (y + 1) ** 2 + 1 / steps;

/** A folder holding the quadratic script as train.py; returns the script's path. */
export function writeQuadratic(dir: string): string {
  writeTree(dir, { 'train.py': QUADRATIC_SCRIPT });
  return `${dir}/train.py`;
}

export function settledTuning(client: EmkitClient, id: string, timeoutMs = 180_000): Promise<Tuning> {
  return waitFor(
    async () => {
      const tuning = await client.api.getTuning({ params: { id } });
      return isSettled(tuningStates, tuning.state) && tuning.trials.running === 0 ? tuning : undefined;
    },
    timeoutMs,
    `tuning ${id} to settle`,
  );
}

/**
 * The most trainings of one tuning that were running at once (made and not yet settled), replayed from the
 * trainings' events in the order the bridge sent them.
 */
export function mostTrainingsAtOnce(events: readonly ResourceEvent[], tuningId: string): number {
  const active = new Set<string>();
  let most = 0;
  for (const event of events) {
    if (
      event.resource !== 'trainings' ||
      (event.action !== 'created' && event.action !== 'updated' && event.action !== 'finished')
    ) {
      continue;
    }
    const training = event.data as unknown as Training;
    if (training.tags['emkit.tuning'] !== tuningId) continue;
    if (['COMPLETE', 'FAIL TRAIN', 'STOPPED', 'CREATE FAILED'].includes(training.state)) active.delete(training.id);
    else active.add(training.id);
    most = Math.max(most, active.size);
  }
  return most;
}
