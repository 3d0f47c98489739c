import { join } from 'node:path';
import type { EmkitClient } from '@emkit/shared';
import { waitFor } from './bridge.js';
import { settledTraining, writeTree } from './trainings.js';

/**
 * A real sweep the editors' comparison tests show: one experiment, `sweep`, with a training
 * per learning rate. Each logs `loss` = 1/(1+step·lr) and `accuracy` = step·lr/10 for steps
 * 0–4, so the larger the rate, the lower the last loss and the higher the accuracy.
 */
export const SWEEP = [
  { name: 'lr-half', lr: '0.5', loss: 1 / 3 },
  { name: 'lr-two', lr: '2', loss: 1 / 9 },
  { name: 'lr-one', lr: '1', loss: 1 / 5 },
] as const;

/** The sweep's training names by last loss, lowest first. */
export const BY_LOSS = [...SWEEP].sort((a, b) => a.loss - b.loss).map((t) => t.name);

const FIT = [
  'import sys',
  'from emkit.tracking import log_metric',
  'lr = float(sys.argv[sys.argv.index("--lr") + 1])',
  'for step in range(5):',
  '    log_metric("loss", 1.0 / (1 + step * lr), step)',
  '    log_metric("accuracy", step * lr / 10, step)',
  'print("done", lr, flush=True)',
].join('\n');

/** Writes the script, submits one training per rate (or those named) into `sweep`, and waits until the comparison has all their metrics. */
export async function runSweep(
  client: EmkitClient,
  work: string,
  runs: readonly { name: string; lr: string }[] = SWEEP,
): Promise<void> {
  const source = writeTree(join(work, 'sweep-src'), { 'fit.py': FIT });
  await client.api.createExperiment({ body: { name: 'sweep' } }).catch(() => undefined); // there already: fine
  const submitted = [];
  for (const run of runs) {
    submitted.push(
      await client.api.createTraining({
        body: {
          name: run.name,
          experiment: 'sweep',
          source: { path: join(source, 'fit.py') },
          hyperparameters: { lr: run.lr },
        },
      }),
    );
  }
  for (const training of submitted) {
    const done = await settledTraining(client, training.id);
    if (done.state !== 'COMPLETE') throw new Error(`${done.name} ended ${done.state}: ${done.stateReason}`);
  }
  const names = new Set(runs.map((r) => r.name));
  await waitFor(
    async () => {
      const comparison = await client.api.compareExperiment({ params: { id: 'sweep' } });
      const mine = comparison.trainings.filter((t) => names.has(t.name));
      return (
        mine.length === names.size && mine.every((t) => t.metrics.loss?.lastStep === 4 && t.metrics.accuracy?.lastStep === 4)
      );
    },
    30_000,
    'the sweep’s metrics in the comparison',
  );
}
