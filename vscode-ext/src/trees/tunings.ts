import { formatFigure, isSettled, type Tuning, tuningStates } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** The best trial's values in a line: `lr=0.01, depth=4`. */
export const paramsText = (params: Readonly<Record<string, unknown>>): string =>
  Object.entries(params)
    .map(([key, value]) => `${key}=${typeof value === 'number' ? formatFigure(value) : String(value)}`)
    .join(', ');

/** A tuning's row in a few words: its state, trials done of its budget (pruned ones counted), the best so far. */
export function tuningDescription(tuning: Tuning): string {
  const { trials } = tuning;
  const parts = [
    tuning.state,
    vscode.l10n.t('{0}/{1} trials', trials.complete + trials.pruned + trials.failed + trials.stopped, tuning.maxTrials),
  ];
  if (trials.pruned) parts.push(vscode.l10n.t('{0} pruned', trials.pruned));
  if (tuning.best) parts.push(vscode.l10n.t('best {0} = {1}', tuning.objective.metric, formatFigure(tuning.best.value)));
  return parts.join(' · ');
}

/**
 * What a tuning's row offers, by its contextValue (package.json's menus): a running one Stop,
 * one with a best trial Create Model from Best (it may still be running: the best so far).
 */
export function tuningContext(tuning: Tuning): string {
  const running = !isSettled(tuningStates, tuning.state);
  return `tuning${running ? '.running' : ''}${tuning.best ? '.best' : ''}`;
}

/**
 * Tunings, newest first, each opening onto its best trial so far (a click opens that trial's
 * training); the tuning's own row opens its panel with every trial.
 */
export class TuningsTree extends ResourceTree {
  protected readonly kinds = ['tunings'] as const;

  protected roots(): Node[] {
    return this.store.list('tunings').map((tuning) => {
      const best = tuning.best;
      return row({
        id: `tuning:${tuning.id}`,
        label: tuning.name,
        description: tuningDescription(tuning),
        tooltip:
          [
            vscode.l10n.t(
              '{0} of {1} ({2}), {3}',
              tuning.objective.mode,
              tuning.objective.metric,
              tuning.objective.aggregate,
              tuning.algorithm,
            ),
            tuning.stateReason,
          ]
            .filter(Boolean)
            .join('\n') || undefined,
        icon: stateIcon(tuning.state),
        contextValue: tuningContext(tuning),
        target: { kind: 'tunings', id: tuning.id, name: tuning.name },
        ...(best
          ? {
              children: () => [
                row({
                  id: `tuning:${tuning.id}:best`,
                  label: vscode.l10n.t('Best: trial {0} = {1}', best.number, formatFigure(best.value)),
                  description: paramsText(best.params),
                  tooltip: best.trainingName,
                  icon: new vscode.ThemeIcon('star-full'),
                  contextValue: 'tuningBest',
                  target: { kind: 'trainings', id: best.trainingId, name: best.trainingName },
                }),
              ],
            }
          : {}),
      });
    });
  }

  protected emptyText(): string {
    return vscode.l10n.t('No tunings yet — Tune… a notebook or a training.');
  }
}
