import type { EmkitClient, EndpointStage, StageUpdate } from '@emkit/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { count } from '../arguments.js';
import { connect } from '../connect.js';

// `emkit endpoint stage update|deploy|deactivate|activate`: what watches a stage, and its
// lifecycle beside add and delete (endpoints.ts registers those and prints stages).

/** How the endpoint commands print a stage, and wait for one to settle, handed in by them. */
export interface StagePrinting {
  print(globals: { json?: boolean }, client: EmkitClient, stage: EndpointStage): void;
  settled(client: EmkitClient, endpoint: string, stage: string): Promise<EndpointStage>;
  failedWith(what: string, state: string, reason: string | null | undefined): void;
}

function decimal(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
    throw new InvalidArgumentError(`"${value}" is not a number, 0 or more`);
  }
  return parsed;
}

/** `--memory-limit 512` (MB) or `--memory-limit none` (kept as the word: commander turns a null into '') */
function memoryLimit(value: string): number | 'none' {
  if (value === 'none') return value;
  return count(value);
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

interface UpdateOptions {
  description?: string;
  memoryLimit?: number | 'none';
  payloadLogging?: boolean;
  sampleRate?: number;
  maxBytes?: number;
  redact?: string[];
  keepCount?: number;
  keepDays?: number;
  drift?: boolean;
  driftReference?: string;
  driftWindow?: string;
  psiThreshold?: number;
  pValue?: number;
  minCount?: number;
}

/**
 * The PATCH body: the API replaces payloadLogging and drift whole, so the options given are
 * laid over the stage's settings as they are (one option changes one thing, as people expect).
 */
export function stageChanges(options: UpdateOptions, current: EndpointStage): StageUpdate {
  const body: StageUpdate = {};
  if (options.description !== undefined) body.description = options.description;
  if (options.memoryLimit !== undefined) body.memoryLimitMb = options.memoryLimit === 'none' ? null : options.memoryLimit;
  const logging = {
    ...(options.payloadLogging !== undefined ? { enabled: options.payloadLogging } : {}),
    ...(options.sampleRate !== undefined ? { sampleRate: options.sampleRate } : {}),
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
    ...(options.redact !== undefined ? { redact: options.redact } : {}),
    ...(options.keepCount !== undefined ? { keepCount: options.keepCount } : {}),
    ...(options.keepDays !== undefined ? { keepDays: options.keepDays } : {}),
  };
  if (Object.keys(logging).length > 0) body.payloadLogging = { ...current.payloadLogging, ...logging };
  const drift = {
    ...(options.driftReference !== undefined ? { reference: options.driftReference } : {}),
    ...(options.driftWindow !== undefined ? { window: options.driftWindow } : {}),
    ...(options.psiThreshold !== undefined ? { psiThreshold: options.psiThreshold } : {}),
    ...(options.pValue !== undefined ? { pValue: options.pValue } : {}),
    ...(options.minCount !== undefined ? { minCount: options.minCount } : {}),
  };
  if (options.drift === false) body.drift = null;
  else if (options.drift === true || Object.keys(drift).length > 0) body.drift = { ...(current.drift ?? {}), ...drift };
  return body;
}

export function registerStageLifecycle(stage: Command, printing: StagePrinting): void {
  stage
    .command('update <endpoint> <stage>')
    .description('change what watches a stage (memory limit, payload logging, drift) or its description, with no redeploy')
    .option('--description <text>')
    .option(
      '--memory-limit <mb>',
      'restart a worker whose resident memory goes over this many MB ("none": no limit)',
      memoryLimit,
    )
    .option('--payload-logging', "log its requests' instances and predictions")
    .option('--no-payload-logging', 'stop logging them')
    .option('--sample-rate <share>', 'the share of requests logged, 0 to 1 (default 1)', decimal)
    .option('--max-bytes <n>', 'a larger request or answer is kept cut to this and marked truncated', count)
    .option('--redact <field>', 'a field name whose values are logged as "[redacted]" (repeatable; replaces the list)', collect)
    .option('--keep-count <n>', 'keep the newest this many logged requests', count)
    .option('--keep-days <days>', 'and none older than this', decimal)
    .option('--drift', "watch its inputs' drift against a reference (needs payload logging)")
    .option('--no-drift', 'stop watching drift')
    .option(
      '--drift-reference <dataset|path>',
      "the drift reference: a dataset (name[:version]) or a table's absolute path (default: its training's table)",
    )
    .option('--drift-window <width>', 'the width of one drift window: 30s, 5m, 1h, 1d (default 1h)')
    .option('--psi-threshold <psi>', 'a feature drifts where PSI is above this (default 0.2)', decimal)
    .option('--p-value <p>', "…or its test's p-value below this (default 0.01)", decimal)
    .option('--min-count <n>', 'a window with fewer logged inputs is not judged (default 100)', count)
    .action(async (name: string, stageName: string, options: UpdateOptions, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const params = { id: name, stage: stageName };
      const body = stageChanges(options, await client.api.getEndpointStage({ params }));
      if (Object.keys(body).length === 0) command.error('error: say what to change (see --help)');
      printing.print(globals, client, await client.api.updateEndpointStage({ params, body }));
    });

  stage
    .command('deploy <endpoint> <stage>')
    .description('deploy a CREATE FAILED or DEPLOY FAILED stage again in place, with its model as it is now')
    .option('--wait', 'wait until it is ACTIVE; exit 6 if it fails again')
    .action(async (name: string, stageName: string, options: { wait?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const started = await client.api.deployEndpointStage({ params: { id: name, stage: stageName } });
      await finish(printing, globals, client, name, started, options.wait === true);
    });

  stage
    .command('deactivate <endpoint> <stage>')
    .description(
      'stop an ACTIVE stage\'s workers once its requests in flight are answered; its routes answer 503 until "activate"',
    )
    .action(async (name: string, stageName: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      printing.print(globals, client, await client.api.deactivateEndpointStage({ params: { id: name, stage: stageName } }));
    });

  stage
    .command('activate <endpoint> <stage>')
    .description("start an INACTIVE stage's workers again")
    .option('--wait', 'wait until it is ACTIVE; exit 6 if it is DEPLOY FAILED')
    .action(async (name: string, stageName: string, options: { wait?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const started = await client.api.activateEndpointStage({ params: { id: name, stage: stageName } });
      await finish(printing, globals, client, name, started, options.wait === true);
    });
}

/** The stage as the call left it, or (--wait) as it settled, exit 6 unless ACTIVE. */
async function finish(
  printing: StagePrinting,
  globals: { json?: boolean },
  client: EmkitClient,
  endpoint: string,
  started: EndpointStage,
  wait: boolean,
): Promise<void> {
  if (!wait) return printing.print(globals, client, started);
  const final = await printing.settled(client, endpoint, started.name);
  printing.print(globals, client, final);
  if (final.state !== 'ACTIVE') printing.failedWith(`stage ${endpoint}/${started.name}`, final.state, final.stateReason);
}
