import { type AlertEvent, alertNotice } from '@emkit/shared';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { CommandIds } from '../commands.js';
import { IEmkit } from '../tokens.js';
import { viewTranslator } from '../views/translate.js';

/**
 * A notification when an alert rule fires or resolves, from the bridge's `alert` event (no
 * polling): the rule and the bridge's sentence about it, as loud as the rule's severity, with
 * a button that opens the endpoint or training it watches. A firing stays until read.
 */
export const alertNotificationsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:alert-notifications',
  description: 'Notifies when an alert rule fires or resolves.',
  autoStart: true,
  requires: [IEmkit],
  activate: (app: JupyterFrontEnd, emkit: IEmkit) => {
    const t = viewTranslator(emkit.trans);
    // once per event, however often it arrives (a reconnection may replay it)
    const told = new Set<number>();
    emkit.connection.event.connect((_, event) => {
      if (event.resource !== 'alerts' || event.action !== 'alert' || !event.data) return;
      const alert = event.data as unknown as AlertEvent;
      if (told.has(alert.seq)) return;
      told.add(alert.seq);
      const notice = alertNotice(alert, t);
      const open = notice.open;
      const actions = open
        ? [
            {
              label: open.label,
              callback: () =>
                void app.commands.execute(open.kind === 'endpoints' ? CommandIds.openEndpoint : CommandIds.openTraining, {
                  id: open.id,
                  name: open.name,
                }),
            },
          ]
        : [];
      const options = { autoClose: alert.kind === 'FIRING' ? (false as const) : 8000, actions, data: { emkitAlert: alert.seq } };
      Notification[notice.level](notice.text, options);
    });
  },
};
