import {
  ALERT_OPS,
  ALERT_SEVERITIES,
  type AlertRuleValues,
  type AlertSeries,
  alertRuleFrom,
  alertRuleValues,
  alertSeriesLabel,
  ENDPOINT_ALERT_SERIES,
  TRAINING_ALERT_SERIES,
} from '@emkit/shared';
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import { CommandIds, type ResourceArgs } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { type Field, formDialog } from '../views/form.js';
import { viewTranslator } from '../views/translate.js';
import { pickEndpoint } from './pickers.js';

interface AlertArgs extends ResourceArgs {
  /** trainings: a rule on a training (`id`); endpoints (the default): on an endpoint */
  kind?: 'endpoints' | 'trainings';
  stage?: string;
  series?: AlertSeries;
}

/**
 * "Add Alert…" on an endpoint (or a training): which series, then a small form — the condition,
 * how long it must hold, the severity and an optional webhook — checked by the shared rule and
 * sent to the bridge; and deleting a rule with its history.
 */
export function addAlertCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans, resources } = emkit;
  const { commands } = app;
  const t = viewTranslator(trans);

  /** The form, filled from `values`, asked again with the problem said until it is right or cancelled. */
  const ask = async (
    title: string,
    resourceId: string,
    values: AlertRuleValues,
    stages: readonly string[],
  ): Promise<ReturnType<typeof alertRuleFrom> | null> => {
    let problem = '';
    for (;;) {
      const onEndpoint = !values.series.startsWith('training.');
      const fields: Field[] = [
        { name: 'name', label: trans.__('Rule name'), value: values.name },
        ...(onEndpoint && stages.length
          ? [
              {
                name: 'stage',
                label: trans.__('Stage'),
                kind: 'select' as const,
                value: values.stage,
                options: [['', trans.__('All stages')] as const, ...stages.map((s) => [s, s] as const)],
              },
            ]
          : []),
        ...(values.series === 'endpoint.featureDrift'
          ? [{ name: 'feature', label: trans.__('Feature'), value: values.feature, placeholder: trans.__('empty: the worst') }]
          : []),
        ...(values.series === 'endpoint.accuracy'
          ? [
              {
                name: 'metric',
                label: trans.__('Metric'),
                kind: 'select' as const,
                value: values.metric,
                options: ['accuracy', 'f1', 'mae', 'rmse'].map((m) => [m, m] as const),
              },
            ]
          : []),
        {
          name: 'op',
          label: trans.__('Fires when the value is'),
          kind: 'select',
          value: values.op,
          options: ALERT_OPS.map((op) => [op, op] as const),
        },
        { name: 'threshold', label: trans.__('Threshold'), value: values.threshold },
        {
          name: 'forSeconds',
          label: trans.__('For (seconds)'),
          kind: 'number',
          min: 0,
          value: values.forSeconds,
          help: trans.__('how long the condition must hold before the rule fires'),
        },
        {
          name: 'severity',
          label: trans.__('Severity'),
          kind: 'select',
          value: values.severity,
          options: ALERT_SEVERITIES.map((s) => [s, s] as const),
        },
        {
          name: 'webhook',
          label: trans.__('Webhook (optional)'),
          value: values.webhook,
          placeholder: 'https://chat.example.com/hooks/…',
          help: problem || trans.__('a JSON POST on each firing and resolving'),
        },
      ];
      const answer = await formDialog(trans, title, fields, trans.__('Create'));
      if (!answer) return null;
      values = { ...values, ...answer } as AlertRuleValues;
      const result = alertRuleFrom(resourceId, values, t);
      if (result.ok) return result;
      problem = result.message;
    }
  };

  commands.addCommand(CommandIds.addAlert, {
    label: trans.__('Add Alert…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const given = args as AlertArgs;
      let resource: { id: string; name: string } | undefined;
      let stages: string[] = [];
      if (given.kind === 'trainings') {
        resource = given.id ? resources.find('trainings', given.id) : undefined;
        if (!resource) return;
      } else {
        const endpoint = await pickEndpoint(emkit, trans.__('Add an alert on which endpoint?'), given.id);
        if (!endpoint) return;
        resource = endpoint;
        stages = endpoint.stages.map((s) => s.name);
      }
      const offered = given.kind === 'trainings' ? TRAINING_ALERT_SERIES : ENDPOINT_ALERT_SERIES;
      let series = given.series;
      if (!series) {
        const labels = offered.map((s) => alertSeriesLabel(s, t));
        const picked = await InputDialog.getItem({ title: trans.__('Alert on %1 when…', resource.name), items: labels });
        if (!picked.button.accept || picked.value === null) return;
        series = offered[labels.indexOf(picked.value)];
      }
      if (!series) return;
      const result = await ask(
        trans.__('Alert on %1: %2', resource.name, alertSeriesLabel(series, t)),
        resource.id,
        alertRuleValues(resource.name, series, given.stage ?? ''),
        stages,
      );
      if (!result?.ok) return;
      const rule = await attempt(emkit, trans.__('Could not create alert %1', result.body.name), () =>
        client.api.createAlertRule({ body: result.body }),
      );
      if (rule) Notification.success(trans.__('Alert %1 created', rule.name), { autoClose: 4000 });
    },
  });

  commands.addCommand(CommandIds.deleteAlert, {
    label: trans.__('Delete Alert…'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const rule = (args as ResourceArgs).id ? resources.find('alerts', String((args as ResourceArgs).id)) : undefined;
      if (!rule) return;
      const answer = await showDialog({
        title: trans.__('Delete alert %1?', rule.name),
        body: trans.__('The rule and its history go; nothing more is told.'),
        buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })],
      });
      if (!answer.button.accept) return;
      await attempt(emkit, trans.__('Could not delete alert %1', rule.name), () =>
        client.api.deleteAlertRule({ params: { id: rule.id } }),
      );
    },
  });

  commands.addCommand(CommandIds.toggleAlert, {
    label: trans.__('Turn Alert On or Off'),
    execute: async (args) => {
      const client = requireClient(emkit);
      if (!client) return;
      const rule = (args as ResourceArgs).id ? resources.find('alerts', String((args as ResourceArgs).id)) : undefined;
      if (!rule) return;
      // off: the rule isn't read, so it neither fires nor resolves; on again, it starts from OK
      const enabled = !rule.enabled;
      const updated = await attempt(
        emkit,
        enabled ? trans.__('Could not turn alert %1 on', rule.name) : trans.__('Could not turn alert %1 off', rule.name),
        () => client.api.updateAlertRule({ params: { id: rule.id }, body: { enabled } }),
      );
      if (updated) {
        Notification.success(
          updated.enabled ? trans.__('Alert %1 is on', updated.name) : trans.__('Alert %1 is off', updated.name),
          { autoClose: 4000 },
        );
      }
    },
  });

  return [CommandIds.addAlert];
}
