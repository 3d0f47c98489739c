import type { Tuning } from '@emkit/shared';
import { formatValue } from '@emkit/shared/views';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CommandIds } from '../commands.js';
import { IEmkit } from '../tokens.js';

/**
 * A notification when a tuning ends, from the bridge's `finished` event (no polling): COMPLETE
 * with its best trial and value, FAILED or STOPPED with the reason; "Open tuning" either way.
 */
export const tuningNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:tuning-notifications',
  description: 'Notifies when a tuning ends.',
  autoStart: true,
  requires: [IEmkit],
  activate: (app: JupyterFrontEnd, emkit: IEmkit) => {
    const { trans } = emkit;
    // once per tuning, however often its event arrives
    const told = new Set<string>();
    emkit.connection.event.connect((_, event) => {
      if (event.resource !== 'tunings' || event.action !== 'finished' || !event.data) return;
      const tuning = event.data as unknown as Tuning;
      if (told.has(tuning.id)) return;
      told.add(tuning.id);
      const actions = [
        {
          label: trans.__('Open tuning'),
          callback: () => void app.commands.execute(CommandIds.openTuning, { id: tuning.id, name: tuning.name }),
        },
      ];
      const { best } = tuning;
      if (tuning.state === 'COMPLETE' && best)
        Notification.success(
          trans.__(
            'Tuning %1 finished: best %2 = %3 (trial %4, %5 trials).',
            tuning.name,
            tuning.objective.metric,
            formatValue(best.value),
            best.number,
            tuning.trials.total,
          ),
          { autoClose: false, actions },
        );
      else if (tuning.state === 'COMPLETE')
        Notification.warning(trans.__('Tuning %1 finished with no complete trial.', tuning.name), { autoClose: false, actions });
      else
        Notification[tuning.state === 'FAILED' ? 'error' : 'info'](
          trans.__('Tuning %1 %2: %3', tuning.name, tuning.state, tuning.stateReason ?? tuning.state),
          { autoClose: false, actions },
        );
    });
  },
};
