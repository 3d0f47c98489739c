import { join } from 'node:path';
import type { EmkitClient, ScheduleRun, Training } from '@emkit/shared';
import { waitFor } from './bridge.js';
import { writeCsv } from './evaluations.js';
import { settledTraining, writeTree } from './trainings.js';

/**
 * A training template whose run saves a custom predict.py model (each instance's first value is its prediction)
 * after `sleepSeconds`: fast and exact, so a chain's evaluation figures are known before it runs.
 */
export async function modelTemplate(client: EmkitClient, dir: string, name: string, sleepSeconds = 0): Promise<Training> {
  writeTree(dir, {
    'train.py': [
      'import os, pathlib, time',
      `time.sleep(float(os.environ.get("EM_HP_SLEEP", "${sleepSeconds}")))`,
      'model = pathlib.Path(os.environ["EM_MODEL_DIR"])',
      '(model / "predict.py").write_text(',
      '    "def load():\\n    return None\\n\\n"',
      '    "def predict(model, instances):\\n    return [int(float(x[0])) for x in instances]\\n"',
      ')',
      'print("saved", model / "predict.py")',
      '',
    ].join('\n'),
  });
  const training = await client.api.createTraining({
    body: { name, source: { path: dir, entryPoint: 'train.py' }, hyperparameters: { sleep: String(sleepSeconds) } },
  });
  return settledTraining(client, training.id);
}

/** Rows whose label equals their value for `right` of 4 rows in each 4: the model above scores accuracy right/4. */
export function scoredCsv(dir: string, right: 0 | 1 | 2 | 3 | 4): string {
  const rows: number[][] = [];
  for (let i = 0; i < 40; i++) {
    const value = i % 2;
    rows.push([value, i % 4 < right ? value : 1 - value]);
  }
  return writeCsv(join(dir, `scored-${right}.csv`), ['x', 'label'], rows);
}

/** The schedule's runs, oldest first. */
export async function runsOf(client: EmkitClient, schedule: string): Promise<ScheduleRun[]> {
  const page = await client.api.listScheduleRuns({ params: { id: schedule }, query: { limit: 1000 } });
  return [...page.items].reverse();
}

/** Poll the history until `done(runs)` holds. */
export function untilRuns(
  client: EmkitClient,
  schedule: string,
  done: (runs: ScheduleRun[]) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<ScheduleRun[]> {
  return waitFor(
    async () => {
      const runs = await runsOf(client, schedule);
      return done(runs) ? runs : undefined;
    },
    timeoutMs,
    what,
  );
}

export const ended = (run: ScheduleRun): boolean => run.state === 'COMPLETE' || run.state === 'FAILED';
