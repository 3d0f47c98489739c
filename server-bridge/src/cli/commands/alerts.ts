import { ALERT_OPS, ALERT_SERIES, ALERT_SEVERITIES, type AlertEvent, type AlertRule, formatTime } from '@emkit/shared';
import { type Command, Option } from 'commander';
import { connect } from '../connect.js';
import { printItem, printList, printMessage } from '../output.js';
import { threshold } from '../schedule-steps.js';

const resourceOf = (r: Pick<AlertRule, 'resource' | 'stage'>) =>
  r.resource
    ? `${r.resource.kind === 'endpoints' ? 'endpoint' : 'training'} ${r.resource.name}${r.stage ? `/${r.stage}` : ''}`
    : 'every running training';
const conditionOf = (r: AlertRule) =>
  `${r.series}${r.feature ? `[${r.feature}]` : ''}${r.metric ? `(${r.metric})` : ''} ${r.op} ${r.threshold} for ${r.forSeconds} s`;
const readValue = (v: number | null) => (v === null ? 'no data' : String(Math.round(v * 1000) / 1000));

const columns: [string, (r: AlertRule) => unknown][] = [
  ['NAME', (r) => r.name],
  ['STATE', (r) => (r.enabled ? r.state : `${r.state} (disabled)`)],
  ['SEVERITY', (r) => r.severity],
  ['CONDITION', conditionOf],
  ['RESOURCE', resourceOf],
  ['VALUE', (r) => readValue(r.value)],
];

const eventColumns: [string, (e: AlertEvent) => unknown][] = [
  ['SEQ', (e) => e.seq],
  ['TIME', (e) => formatTime(e.time)],
  ['RULE', (e) => e.rule],
  ['KIND', (e) => e.kind],
  ['SEVERITY', (e) => e.severity],
  ['MESSAGE', (e) => e.message],
  ['WEBHOOK', (e) => (e.webhook ? `${e.webhook.state}${e.webhook.error ? `: ${e.webhook.error}` : ''}` : '')],
];

function showRule(globals: { json?: boolean }, rule: AlertRule): void {
  printItem(globals, rule, [
    ['name', (r) => r.name],
    ['state', (r) => (r.enabled ? r.state : `${r.state} (disabled)`)],
    ['condition', conditionOf],
    ['resource', resourceOf],
    ['severity', (r) => r.severity],
    ['value', (r) => `${readValue(r.value)}${r.evaluatedAt ? ` at ${formatTime(r.evaluatedAt)}` : ''}`],
    ['webhook', (r) => r.webhook ?? ''],
    ['description', (r) => r.description],
  ]);
}

/** The flags create and update share; update takes each only when given. */
function ruleFlags(command: Command): Command {
  return command
    .addOption(new Option('--series <series>', 'what is watched').choices(ALERT_SERIES))
    .option('--resource <name>', 'the endpoint or training (name or id); training series: left out, every running one')
    .option('--stage <name>', 'one stage of the endpoint (default: all its stages)')
    .option('--feature <name>', 'endpoint.featureDrift: the input feature (default: the worst)')
    .option('--metric <name>', 'endpoint.accuracy: accuracy, f1, mae or rmse; training.nanLoss: the tag (default: any *loss*)')
    .addOption(new Option('--op <op>', 'how the value is compared').choices(ALERT_OPS))
    .option('--threshold <number>', 'what the value is compared with', threshold)
    .option('--for <seconds>', 'how long the condition must hold before it fires', (v) => Math.round(threshold(v)))
    .addOption(new Option('--severity <level>').choices(ALERT_SEVERITIES))
    .option('--webhook <url>', 'an http(s) URL that gets each firing and resolving as a JSON POST')
    .option('--description <text>');
}

function settingsOf(options: Record<string, unknown>) {
  const settings: Record<string, unknown> = {};
  for (const key of [
    'series',
    'resource',
    'stage',
    'feature',
    'metric',
    'op',
    'threshold',
    'severity',
    'webhook',
    'description',
  ]) {
    if (options[key] !== undefined) settings[key] = options[key];
  }
  if (options.for !== undefined) settings.forSeconds = options.for;
  return settings;
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .alias('alert')
    .description(
      'alert rules: a condition on an endpoint, worker or training series, held for a while; firing and resolving events',
    );

  ruleFlags(
    alerts
      .command('create <name>')
      .description('create an alert rule (e.g. --series endpoint.p99LatencyMs --resource iris --op ">" --threshold 500)'),
  )
    .option('--disabled', 'create it disabled')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      for (const flag of ['series', 'op', 'threshold'] as const) {
        if (options[flag] === undefined) return command.error(`emkit: alerts create needs --${flag}`, { exitCode: 2 });
      }
      const body = { name, ...settingsOf(options), ...(options.disabled ? { enabled: false } : {}) };
      const created = await connect(globals).api.createAlertRule({ body: body as never });
      if (globals.json) return printMessage(globals, '', created);
      showRule(globals, created);
    });

  alerts
    .command('list')
    .description('every alert rule with its state and the value last read')
    .option('--limit <n>', 'at most this many', '1000')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listAlertRules({ query: { limit: Number(options.limit) } });
      printList(globals, items, columns);
    });

  alerts
    .command('get <name>')
    .description('one rule: its condition, state, value last read and webhook (credentials hidden)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      showRule(globals, await connect(globals).api.getAlertRule({ params: { id: name } }));
    });

  ruleFlags(alerts.command('update <name>').description('change a rule (its state starts again from OK)'))
    .option('--enable', 'read it again')
    .option('--disable', 'stop reading it (its history stays)')
    .option('--no-webhook', 'remove its webhook')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const changes: Record<string, unknown> = settingsOf(options);
      // commander sets webhook false for --no-webhook and leaves the URL otherwise
      if (options.webhook === false) changes.webhook = null;
      if (options.enable) changes.enabled = true;
      if (options.disable) changes.enabled = false;
      if (Object.keys(changes).length === 0) return command.error('emkit: alerts update: say what changes', { exitCode: 2 });
      const updated = await connect(globals).api.updateAlertRule({ params: { id: name }, body: changes as never });
      if (globals.json) return printMessage(globals, '', updated);
      showRule(globals, updated);
    });

  alerts
    .command('delete <name>')
    .description('delete a rule and its history')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteAlertRule({ params: { id: name } });
      printMessage(globals, `alert rule ${name} deleted`);
    });

  alerts
    .command('events')
    .description('rules firing and resolving, newest last, with how each webhook went')
    .option('--rule <name>', "one rule's")
    .addOption(new Option('--kind <kind>').choices(['FIRING', 'RESOLVED']))
    .option('--after <seq>', 'only those after this seq (to follow)')
    .option('--limit <n>', 'at most this many (the newest)', '100')
    .action(async (options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listAlertEvents({
        query: {
          ...(options.rule ? { rule: options.rule } : {}),
          ...(options.kind ? { kind: options.kind } : {}),
          ...(options.after !== undefined ? { after: Number(options.after) } : {}),
          limit: Number(options.limit),
        },
      });
      printList(globals, items, eventColumns);
    });
}
