import { type Translate, untranslated } from '../feeds/protocol.js';
import type { AlertEvent } from '../schemas/alerts.js';

/** The words of the editors' alert notifications (both catalogs have them through VIEW_STRINGS). */
export const ALERT_NOTICE_STRINGS = {
  firing: 'Alert {0} is firing: {1}',
  resolved: 'Alert {0} resolved: {1}',
  openEndpoint: 'Open endpoint',
  openTraining: 'Open training',
} as const;

/** How an editor shows a notification: an error, a warning or an information (JupyterLab adds success). */
export type NoticeLevel = 'error' | 'warning' | 'info' | 'success';

export interface AlertNotice {
  text: string;
  level: NoticeLevel;
  /** the button that opens the rule's resource, where it has one */
  open: { kind: 'endpoints' | 'trainings'; id: string; name: string; label: string } | null;
}

/**
 * A rule firing or resolving, as both editors announce it: the rule's name and the bridge's
 * sentence about it, as loud as its severity (a resolution is good news), and a button to the
 * endpoint or training it watches.
 */
export function alertNotice(event: AlertEvent, t: Translate = untranslated): AlertNotice {
  const firing = event.kind === 'FIRING';
  const text = t(firing ? ALERT_NOTICE_STRINGS.firing : ALERT_NOTICE_STRINGS.resolved, event.rule, event.message);
  const level: NoticeLevel = !firing
    ? 'success'
    : event.severity === 'critical'
      ? 'error'
      : event.severity === 'warning'
        ? 'warning'
        : 'info';
  const resource = event.resource;
  const open = resource
    ? {
        ...resource,
        label: t(resource.kind === 'endpoints' ? ALERT_NOTICE_STRINGS.openEndpoint : ALERT_NOTICE_STRINGS.openTraining),
      }
    : null;
  return { text, level, open };
}
