import { canTransition, formatDuration, type Training, trainingSeconds, trainingStates } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** Experiments, each opening onto its trainings, newest first. */
export class ExperimentsTree extends ResourceTree {
  protected readonly kinds = ['experiments', 'trainings'] as const;

  protected roots(): Node[] {
    const trainings = this.store.list('trainings');
    return this.store.list('experiments').map((experiment) => {
      const own = trainings.filter((t) => t.experimentId === experiment.id);
      return row({
        id: `experiment:${experiment.id}`,
        label: experiment.name,
        description: own.length === 1 ? vscode.l10n.t('1 training') : vscode.l10n.t('{0} trainings', own.length),
        tooltip: experiment.description || undefined,
        icon: new vscode.ThemeIcon('beaker'),
        contextValue: 'experiment',
        children: () => own.map(trainingRow),
        expanded: true,
        target: { kind: 'experiments', id: experiment.id, name: experiment.name },
      });
    });
  }

  protected emptyText(): string {
    return vscode.l10n.t('No experiments yet — submit a training with `emkit train`.');
  }
}

function trainingRow(training: Training): Node {
  const seconds = trainingSeconds(training);
  const stoppable = canTransition(trainingStates, training.state, 'STOP IN PROGRESS');
  return row({
    id: `training:${training.id}`,
    label: training.name,
    description: seconds === null ? training.state : `${training.state} · ${formatDuration(seconds)}`,
    tooltip: training.stateReason ?? undefined,
    icon: stateIcon(training.state),
    // `.running` turns on the inline Stop button (package.json's menus)
    contextValue: stoppable ? 'training.running' : 'training',
    target: { kind: 'trainings', id: training.id, name: training.name },
  });
}
