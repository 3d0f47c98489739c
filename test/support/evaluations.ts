import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EmkitClient, type Evaluation, evaluationStates, isSettled } from '@emkit/shared';
import { waitFor } from './bridge.js';
import { writeTree } from './trainings.js';

/** Poll until the evaluation settles (COMPLETE, FAILED or STOPPED); answers it with its result. */
export function settledEvaluation(client: EmkitClient, id: string, timeoutMs = 120_000): Promise<Evaluation> {
  return waitFor(
    async () => {
      const evaluation = await client.api.getEvaluation({ params: { id } });
      return isSettled(evaluationStates, evaluation.state) ? evaluation : undefined;
    },
    timeoutMs,
    `evaluation ${id} to settle`,
  );
}

/** The evaluation folders under a bridge's home: none may be left by a refused create. */
export function evaluationFolders(home: string): string[] {
  try {
    return readdirSync(join(home, 'evaluations'));
  } catch {
    return [];
  }
}

/** A CSV file of `rows` under `header`. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const text = [header.join(','), ...rows.map((row) => row.join(','))].join('\n');
  writeTree(join(path, '..'), { [path.split('/').pop() as string]: `${text}\n` });
  return path;
}

/**
 * A custom predict.py model: each instance's first value is its prediction, after `delaySeconds` a call;
 * an instance whose first value is `failAt` raises, as a model that breaks on some input does.
 */
export function writeCustomEvaluationModel(dir: string, options: { delaySeconds?: number; failAt?: number } = {}): string {
  return writeTree(dir, {
    'predict.py': [
      'import time',
      '',
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      `    time.sleep(${options.delaySeconds ?? 0})`,
      '    for x in instances:',
      `        if ${options.failAt === undefined ? 'False' : `float(x[0]) == ${options.failAt}`}:`,
      `            raise ValueError(f"cannot score {x}: the model broke on purpose")`,
      '    return [int(float(x[0])) for x in instances]',
      '',
    ].join('\n'),
  });
}

/** The pids of the processes whose command line names a file under `<home>/evaluations/` (Linux: /proc). */
export function runnersUnder(home: string): number[] {
  const marker = join(home, 'evaluations');
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
