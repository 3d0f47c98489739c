import type { Handlers } from './types.js';

export const alertHandlers: Handlers<
  'listAlertRules' | 'createAlertRule' | 'getAlertRule' | 'updateAlertRule' | 'deleteAlertRule' | 'listAlertEvents'
> = {
  listAlertRules: ({ query }, { bridge }) => bridge.alerts.list(query),
  createAlertRule: ({ body }, { bridge }) => bridge.alerts.create(body),
  getAlertRule: ({ params }, { bridge }) => bridge.alerts.find(params.id),
  updateAlertRule: ({ params, body }, { bridge }) => bridge.alerts.update(params.id, body),
  deleteAlertRule: ({ params }, { bridge }) => {
    bridge.alerts.delete(params.id);
    return undefined;
  },
  listAlertEvents: ({ query }, { bridge }) => bridge.alerts.events(query),
};
