import { type AlertEvent, type AlertRule, alertConditionInWords, formatTime, type Translate } from '@emkit/shared';
import type { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon } from '@jupyterlab/ui-components';
import { CommandIds } from '../commands.js';
import { alertIcon, alertOffIcon } from '../icons.js';
import { Badge, IconButton, RowName, Section } from './parts.js';
import type { Run } from './SidebarView.js';

/** Events shown under each rule: its latest firing and resolving. */
export const ALERT_EVENTS_SHOWN = 3;

/**
 * Alert rules by name with their state (OK or FIRING), their condition and last value, and
 * under each its recent firing and resolving. A click opens what the rule watches; rules are
 * made from an endpoint's row ("Add Alert…").
 */
export function AlertsSection({
  rules,
  eventsOf,
  trans,
  t,
  run,
}: {
  rules: readonly AlertRule[];
  eventsOf: (ruleId: string) => AlertEvent[];
  trans: TranslationBundle;
  t: Translate;
  run: Run;
}) {
  return (
    <Section
      name="alerts"
      title={trans.__('Alerts')}
      count={rules.length}
      empty={trans.__('No alert rules yet. Add Alert… on an endpoint.')}
    >
      {rules.map((rule) => {
        const resource = rule.resource;
        const open = resource
          ? () =>
              run(resource.kind === 'endpoints' ? CommandIds.openEndpoint : CommandIds.openTraining, resource.id, {
                name: resource.name,
              })
          : undefined;
        const events = eventsOf(rule.id);
        return (
          <li key={rule.id} className="emkit-Item" data-emkit-kind="alert" data-emkit-name={rule.name}>
            <div className="emkit-Row">
              <RowName name={rule.name} onOpen={open} />
              <Badge state={rule.enabled ? rule.state : trans.__('off')} />
              <span className="emkit-Row-detail" title={alertConditionInWords(rule, t)}>
                {rule.value === null ? trans.__('no data') : trans.__('now %1', rule.value)}
              </span>
              <span className="emkit-Row-actions">
                <IconButton
                  icon={rule.enabled ? alertIcon : alertOffIcon}
                  label={rule.enabled ? trans.__('Turn alert %1 off', rule.name) : trans.__('Turn alert %1 on', rule.name)}
                  onClick={() => run(CommandIds.toggleAlert, rule.id)}
                />
                <IconButton
                  icon={deleteIcon}
                  label={trans.__('Delete alert %1', rule.name)}
                  onClick={() => run(CommandIds.deleteAlert, rule.id)}
                />
              </span>
            </div>
            <div className="emkit-Row-sub emkit-Alert-condition">
              {resource ? `${resource.name}: ` : ''}
              {alertConditionInWords(rule, t)}
            </div>
            {events.length > 0 && (
              <ul className="emkit-List emkit-List-nested emkit-Alert-events">
                {events.slice(0, ALERT_EVENTS_SHOWN).map((event) => (
                  <li key={event.seq} className="emkit-Alert-event" data-emkit-kind="alert-event" title={event.message}>
                    <Badge state={event.kind} />
                    <span className="emkit-Row-detail">
                      {formatTime(event.time)} {event.message}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </Section>
  );
}
