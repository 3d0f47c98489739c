import { type AlertEvent, type AlertRule, alertConditionInWords, formatTime, type Translate } from '@emkit/shared';
import * as vscode from 'vscode';
import { type Node, row, stateIcon, toneIcon } from './node.js';
import { ResourceTree } from './provider.js';

/** Events shown under each rule: its latest firing and resolving. */
export const ALERT_EVENTS_SHOWN = 5;

const t: Translate = (text, ...args) => vscode.l10n.t(text, ...args);

/** A rule's row says what it watches and its value as last read; a click opens what it watches. */
function ruleRow(rule: AlertRule, events: AlertEvent[]): Node {
  const condition = alertConditionInWords(rule, t);
  const value = rule.value === null ? vscode.l10n.t('no data') : vscode.l10n.t('now {0}', rule.value);
  const node = row({
    id: `alert:${rule.id}`,
    label: rule.name,
    description: `${rule.enabled ? rule.state : vscode.l10n.t('off')} · ${value}`,
    tooltip: [rule.resource ? `${rule.resource.name}: ${condition}` : condition, rule.description].filter(Boolean).join('\n'),
    icon: rule.enabled ? stateIcon(rule.state) : toneIcon('stopped'),
    // alert.off: its toggle turns it on; alert / alert.firing: off
    contextValue: !rule.enabled ? 'alert.off' : rule.state === 'FIRING' ? 'alert.firing' : 'alert',
    children: events.length ? () => events.map((event) => eventRow(event)) : undefined,
    target: { kind: 'alerts', id: rule.id, name: rule.name },
  });
  const resource = rule.resource;
  if (resource)
    node.item.command = {
      command: resource.kind === 'endpoints' ? 'emkit.openEndpoint' : 'emkit.openTraining',
      title: '',
      arguments: [{ target: resource }],
    };
  return node;
}

function eventRow(event: AlertEvent): Node {
  return row({
    id: `alert-event:${event.seq}`,
    label: `${event.kind} ${formatTime(event.time)}`,
    description: event.message,
    tooltip: event.webhook?.state === 'failed' ? `${event.message}\n${event.webhook.error ?? ''}` : event.message,
    icon: stateIcon(event.kind),
    contextValue: 'alertEvent',
  });
}

/** Alert rules by name with their state and last value, each opening onto its recent firing and resolving. */
export class AlertsTree extends ResourceTree {
  protected readonly kinds = ['alerts'] as const;

  protected roots(): Node[] {
    return this.store.list('alerts').map((rule) => ruleRow(rule, this.store.recentAlertEvents(rule.id, ALERT_EVENTS_SHOWN)));
  }

  protected emptyText(): string {
    return vscode.l10n.t('No alert rules yet — Add Alert… on an endpoint.');
  }
}
