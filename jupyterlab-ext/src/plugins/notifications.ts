import { formatDuration, type Training, trainingSeconds } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { CommandIds } from '../commands.js';
import { IEmkit, SETTINGS_PLUGIN_ID } from '../tokens.js';

/** A notification when a training settles, from the bridge's `finished` event (no polling). */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:notifications',
  description: 'Notifies when a training completes, fails or stops.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ISettingRegistry],
  activate: async (app: JupyterFrontEnd, emkit: IEmkit, registry: ISettingRegistry | null) => {
    const { trans } = emkit;
    let enabled = true;
    if (registry) {
      const settings = await registry.load(SETTINGS_PLUGIN_ID).catch(() => null);
      const read = () => {
        enabled = settings?.get('notifyTrainings').composite !== false;
      };
      settings?.changed.connect(read);
      read();
    }
    const show = { label: trans.__('Show in emkit'), callback: () => void app.commands.execute(CommandIds.showPanel) };
    // once per settled run, however often its event arrives (a new stream after a bridge restart replays nothing, but be sure)
    const told = new Set<string>();
    emkit.connection.event.connect((_, event) => {
      if (!enabled || event.resource !== 'trainings' || event.action !== 'finished' || !event.data) return;
      const training = event.data as unknown as Training;
      const key = `${training.id}@${training.endedAt}`;
      if (told.has(key)) return;
      told.add(key);
      const seconds = trainingSeconds(training);
      switch (training.state) {
        case 'COMPLETE':
          Notification.success(trans.__('Training %1 completed in %2', training.name, formatDuration(seconds ?? 0)), {
            autoClose: 8000,
            actions: [show],
          });
          break;
        case 'STOPPED':
          Notification.info(trans.__('Training %1 stopped', training.name), { autoClose: 8000, actions: [show] });
          break;
        default:
          // FAIL TRAIN, CREATE FAILED: stays until read, with the reason the bridge gives
          Notification.error(trans.__('Training %1 failed: %2', training.name, training.stateReason ?? training.state), {
            autoClose: false,
            actions: [show],
          });
      }
    });
  },
};
