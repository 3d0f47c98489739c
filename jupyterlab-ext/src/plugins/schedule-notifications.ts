import type { Schedule } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CommandIds } from '../commands.js';
import { IEmkit } from '../tokens.js';

/**
 * A notification when a scheduled run FAILS, from the bridge's `finished` event (no polling), with
 * the reason (which step, and why) and "Open schedule". A run that completes is not news: the
 * schedule's row shows it.
 */
export const scheduleNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:schedule-notifications',
  description: 'Notifies when a scheduled run fails.',
  autoStart: true,
  requires: [IEmkit],
  activate: (app: JupyterFrontEnd, emkit: IEmkit) => {
    const { trans } = emkit;
    // once per run, however often its event arrives
    const told = new Set<string>();
    emkit.connection.event.connect((_, event) => {
      if (event.resource !== 'schedules' || event.action !== 'finished' || !event.data) return;
      const schedule = event.data as unknown as Schedule;
      const run = schedule.lastRun;
      if (run?.state !== 'FAILED' || told.has(run.id)) return;
      told.add(run.id);
      Notification.error(trans.__('Schedule %1, run %2 failed: %3', schedule.name, run.number, run.reason ?? run.state), {
        autoClose: false,
        actions: [
          {
            label: trans.__('Open schedule'),
            callback: () => void app.commands.execute(CommandIds.openSchedule, { id: schedule.id, name: schedule.name }),
          },
        ],
      });
    });
  },
};
