import { type BatchInference, batchInferenceStates, batchProgressText, isSettled } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

/**
 * What a batch job's row offers, by its contextValue (package.json's menus): a running one
 * Stop, one that wrote predictions (COMPLETE, or STOPPED with what was scored) Open output.
 */
export function batchContext(job: BatchInference): string {
  if (!isSettled(batchInferenceStates, job.state)) return 'batchJob.running';
  return job.state === 'FAILED' ? 'batchJob' : 'batchJob.output';
}

/** Batch scoring jobs, newest first: the model scored with, and the progress while one runs. */
export class BatchJobsTree extends ResourceTree {
  protected readonly kinds = ['batch-inferences'] as const;

  protected roots(): Node[] {
    return this.store.list('batch-inferences').map((job) => {
      const running = !isSettled(batchInferenceStates, job.state);
      return row({
        id: `batch:${job.id}`,
        label: job.name,
        description: [
          `${job.model.name}:${job.model.version}`,
          job.state,
          ...(running || job.progress.errors
            ? [batchProgressText(job.progress, (text, ...args) => vscode.l10n.t(text, ...args))]
            : []),
        ].join(' · '),
        tooltip: job.reason ?? `${job.inputDataset ?? job.input} → ${job.outputFile}`,
        icon: stateIcon(job.state),
        contextValue: batchContext(job),
        target: { kind: 'batch-inferences', id: job.id, name: job.name },
      });
    });
  }

  protected emptyText(): string {
    return vscode.l10n.t('No batch jobs yet — score a dataset from a model version (Score a Dataset…).');
  }
}
