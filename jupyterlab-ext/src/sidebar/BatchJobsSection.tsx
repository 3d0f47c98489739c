import {
  type BatchInference,
  batchInferenceStates,
  batchProgressText,
  formatDuration,
  isSettled,
  trainingSeconds,
} from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon, stopIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { viewTranslator } from '../views/translate.js';
import { Badge, IconButton, RowName, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** What a job's row says: its progress while it runs, then its model and how long it took. */
export function batchDetail(batch: BatchInference, trans: TranslationBundle): string {
  if (!isSettled(batchInferenceStates, batch.state)) return batchProgressText(batch.progress, viewTranslator(trans));
  const seconds = trainingSeconds({ startedAt: batch.startedAt, endedAt: batch.finishedAt });
  const model = `${batch.model.name}:${batch.model.version}`;
  return seconds === null ? model : `${model} · ${formatDuration(seconds)}`;
}

/** Batch scoring jobs, newest first; a running one shows its progress inline. A click opens the job's view. */
export function BatchJobsSection({
  batches,
  trans,
  run,
}: {
  batches: readonly BatchInference[];
  trans: TranslationBundle;
  run: Run;
}) {
  return (
    <Section
      name="batch-inferences"
      title={trans.__('Batch jobs')}
      count={batches.length}
      empty={trans.__('No batch jobs yet. Score a dataset from a model version’s row.')}
    >
      {batches.map((batch) => {
        const settled = isSettled(batchInferenceStates, batch.state);
        return (
          <li key={batch.id} className="emkit-Item" data-emkit-kind="batch-inference" data-emkit-name={batch.name}>
            <div className="emkit-Row">
              <RowName name={batch.name} onOpen={() => run(CommandIds.openBatch, batch.id, { name: batch.name })} />
              <Badge state={batch.state} title={batch.reason ?? batch.state} />
              <span className="emkit-Row-detail" data-emkit-progress="">
                {batchDetail(batch, trans)}
              </span>
              <span className="emkit-Row-actions">
                {settled ? (
                  <IconButton
                    icon={deleteIcon}
                    label={trans.__('Delete batch job %1', batch.name)}
                    onClick={() => run(CommandIds.deleteBatch, batch.id)}
                  />
                ) : (
                  <IconButton
                    icon={stopIcon}
                    label={trans.__('Stop batch job %1', batch.name)}
                    onClick={() => run(CommandIds.stopBatch, batch.id)}
                  />
                )}
              </span>
            </div>
          </li>
        );
      })}
    </Section>
  );
}
