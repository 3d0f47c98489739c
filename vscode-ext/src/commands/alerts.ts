import {
  ALERT_SEVERITIES,
  type AlertRuleValues,
  type AlertSeries,
  alertRuleFrom,
  alertRuleValues,
  alertSeriesLabel,
  ENDPOINT_ALERT_SERIES,
  TRAINING_ALERT_SERIES,
  type Translate,
} from '@emkit/shared';
import * as vscode from 'vscode';
import { type CommandArgs, type CommandContext, clientOf, type Handler, pickTarget } from './context.js';
import { ask } from './inputs.js';

const t: Translate = (text, ...args) => vscode.l10n.t(text, ...args);

/** The shared rule's words about one entry of the form, or nothing when that entry is fine. */
function problemWith(field: keyof AlertRuleValues, resourceId: string, values: AlertRuleValues): string | undefined {
  const result = alertRuleFrom(resourceId, values, t);
  return !result.ok && result.field === field ? result.message : undefined;
}

async function setEnabled(context: CommandContext, args: CommandArgs, enabled: boolean) {
  const client = await clientOf(context);
  const target = await pickTarget(context, args, 'alerts', vscode.l10n.t('Which alert?'));
  if (!target) return;
  const rule = await client.api.updateAlertRule({ params: { id: target.id }, body: { enabled } });
  void vscode.window.showInformationMessage(
    rule.enabled ? vscode.l10n.t('Alert {0} is on', rule.name) : vscode.l10n.t('Alert {0} is off', rule.name),
  );
  return rule;
}

/**
 * "Add Alert…" on an endpoint (or a stage of it, or a training): the series from a quick pick,
 * then the threshold, how long it must hold, the severity and an optional webhook, each box
 * checked as typed by the shared rule. What a command is given (`series`, `threshold`, …) is not
 * asked for.
 */
export const alertCommands: Record<string, Handler> = {
  'emkit.addAlert': async (context, args) => {
    const client = await clientOf(context);
    const onTraining = args.target?.kind === 'trainings';
    const target = onTraining
      ? args.target
      : await pickTarget(context, args, 'endpoints', vscode.l10n.t('Add an alert on which endpoint?'));
    if (!target) return;
    const offered = onTraining ? TRAINING_ALERT_SERIES : ENDPOINT_ALERT_SERIES;
    const series =
      (args.series as AlertSeries | undefined) ??
      (
        await vscode.window.showQuickPick(
          offered.map((s) => ({ label: alertSeriesLabel(s, t), description: s, series: s })),
          // a step of a form, as `ask`'s boxes: a refreshing view that takes the focus must not close it
          { title: vscode.l10n.t('Alert on {0} when…', target.name), ignoreFocusOut: true },
        )
      )?.series;
    if (!series) return;
    const stage = (args.stage as string | undefined) ?? '';
    const values = { ...alertRuleValues(target.name, series, stage) };
    if (typeof args.op === 'string') values.op = args.op as AlertRuleValues['op'];
    const given = (field: keyof AlertRuleValues) => args[field] as string | number | undefined;
    const title = vscode.l10n.t('Alert on {0}: {1}', target.name, alertSeriesLabel(series, t));
    // each entry: given, or asked with the shared rule checking it as it is typed
    const entry = async (field: 'threshold' | 'forSeconds' | 'webhook' | 'name' | 'feature', prompt: string) => {
      const value = given(field);
      if (value !== undefined) return String(value);
      return ask(title, values[field], (text) => problemWith(field, target.id, { ...values, [field]: text }), prompt);
    };
    const threshold = await entry('threshold', vscode.l10n.t('Fires when the value is {0} this number', values.op));
    if (threshold === undefined) return;
    values.threshold = threshold;
    if (series === 'endpoint.featureDrift') {
      const feature = await entry('feature', vscode.l10n.t('The feature to watch; empty: the worst'));
      if (feature === undefined) return;
      values.feature = feature;
    }
    const forSeconds = await entry('forSeconds', vscode.l10n.t('How long the condition must hold, in seconds'));
    if (forSeconds === undefined) return;
    values.forSeconds = forSeconds;
    const severity =
      (given('severity') as AlertRuleValues['severity'] | undefined) ??
      (await vscode.window.showQuickPick([...ALERT_SEVERITIES], {
        title,
        placeHolder: vscode.l10n.t('Severity'),
        ignoreFocusOut: true,
      }));
    if (!severity) return;
    values.severity = severity as AlertRuleValues['severity'];
    const webhook = await entry(
      'webhook',
      vscode.l10n.t('A webhook that gets a JSON POST on each firing and resolving; empty: none'),
    );
    if (webhook === undefined) return;
    values.webhook = webhook;
    const name = await entry('name', vscode.l10n.t('The rule name'));
    if (name === undefined) return;
    values.name = name;
    const result = alertRuleFrom(target.id, values, t);
    if (!result.ok) throw new Error(result.message);
    const rule = await client.api.createAlertRule({ body: result.body });
    void vscode.window.showInformationMessage(vscode.l10n.t('Alert {0} created', rule.name));
    return rule;
  },

  // the Alerts view's toggle: off, the rule isn't read (it neither fires nor resolves); on again, it starts from OK
  'emkit.turnAlertOff': (context, args) => setEnabled(context, args, false),
  'emkit.turnAlertOn': (context, args) => setEnabled(context, args, true),
};
