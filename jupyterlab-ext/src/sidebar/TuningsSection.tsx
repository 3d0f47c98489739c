import { isSettled, type Tuning, tuningStates } from '@emkit/shared';
import { formatValue } from '@emkit/shared/views';
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, deleteIcon, stopIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { Badge, IconButton, RowName, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** What a tuning's row says: trials done of its budget, and the best value so far. */
export function tuningDetail(tuning: Tuning, trans: TranslationBundle): string {
  const trials = trans.__('%1/%2 trials', tuning.trials.total, tuning.maxTrials);
  return tuning.best ? trans.__('%1 · best %2 %3', trials, tuning.objective.metric, formatValue(tuning.best.value)) : trials;
}

/** Tunings, newest first; a click opens the tuning's view. */
export function TuningsSection({ tunings, trans, run }: { tunings: readonly Tuning[]; trans: TranslationBundle; run: Run }) {
  return (
    <Section
      name="tunings"
      title={trans.__('Tunings')}
      count={tunings.length}
      empty={trans.__('No tunings yet. Tune… a notebook from its toolbar.')}
      actions={<IconButton icon={addIcon} label={trans.__('Tune…')} onClick={() => run(CommandIds.tune)} />}
    >
      {tunings.map((tuning) => {
        const settled = isSettled(tuningStates, tuning.state);
        return (
          <li key={tuning.id} className="emkit-Item" data-emkit-kind="tuning" data-emkit-name={tuning.name}>
            <div className="emkit-Row">
              <RowName name={tuning.name} onOpen={() => run(CommandIds.openTuning, tuning.id, { name: tuning.name })} />
              <Badge state={tuning.state} title={tuning.stateReason ?? tuning.state} />
              <span className="emkit-Row-detail">{tuningDetail(tuning, trans)}</span>
              <span className="emkit-Row-actions">
                {settled ? (
                  <IconButton
                    icon={deleteIcon}
                    label={trans.__('Delete tuning %1', tuning.name)}
                    onClick={() => run(CommandIds.deleteTuning, tuning.id)}
                  />
                ) : (
                  <IconButton
                    icon={stopIcon}
                    label={trans.__('Stop tuning %1', tuning.name)}
                    onClick={() => run(CommandIds.stopTuning, tuning.id)}
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
