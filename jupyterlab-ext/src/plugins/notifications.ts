import {
  formatDuration,
  isSettled,
  qualityNotes,
  type Training,
  trainingSeconds,
  trainingStates,
  untoldNonFinite,
} from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { CommandIds } from '../commands.js';
import { IEmkit, SETTINGS_PLUGIN_ID } from '../tokens.js';
import { viewTranslator } from '../views/translate.js';

/** The tag the bridge puts on a tuning's trials (their trainings): `emkit.tuning=<tuning id>`. */
const TUNING_TAG = 'emkit.tuning';

/**
 * A notification when a training settles, from the bridge's `finished` event (no polling), with
 * what its curves say; and one while it runs when a metric turns NaN or infinite (an `updated` event).
 */
export const notificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:notifications',
  description: 'Notifies when a training completes, fails or stops, and when its loss turns NaN.',
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
    const t = viewTranslator(trans);
    /** per training, the series already told of as NaN or infinite (kept: events may come again) */
    const toldNonFinite = new Map<string, Set<string>>();
    const warnNew = (training: Training) => {
      // a settled one is told of by its `finished` event
      if (isSettled(trainingStates, training.state)) return;
      const told = toldNonFinite.get(training.id) ?? new Set<string>();
      toldNonFinite.set(training.id, told);
      const fresh = untoldNonFinite(told, training.quality);
      if (!training.quality || fresh.length === 0) return;
      const only = { ...training.quality, overfitting: null, plateau: null, earlyStopped: null, nonFinite: fresh };
      const text = qualityNotes(only, t)
        .map((note) => note.text)
        .join(' ');
      Notification.warning(trans.__('Training %1: %2', training.name, text), { autoClose: false, actions: [show] });
    };
    emkit.connection.event.connect((_, event) => {
      if (!enabled || event.resource !== 'trainings' || !event.data) return;
      // a tuning's trials come and go by the dozen: the tuning's own notification tells how they went
      if ((event.data as unknown as Training).tags?.[TUNING_TAG] !== undefined) return;
      if (event.action === 'updated') return warnNew(event.data as unknown as Training);
      if (event.action !== 'finished') return;
      const training = event.data as unknown as Training;
      const key = `${training.id}@${training.endedAt}`;
      if (told.has(key)) return;
      told.add(key);
      const seconds = trainingSeconds(training);
      const warnings = qualityNotes(training.quality, t).filter((note) => note.level === 'warning');
      if (warnings.length > 0) {
        Notification.warning(trans.__('Training %1: %2', training.name, warnings.map((note) => note.text).join(' ')), {
          autoClose: false,
          actions: [show],
        });
      }
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
