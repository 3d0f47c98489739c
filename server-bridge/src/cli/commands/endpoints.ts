import {
  describeDrift,
  describePayloadLogging,
  type EmkitClient,
  type Endpoint,
  type EndpointStage,
  endpointStates,
  formatTime,
  type InferenceLog,
  isSettled,
  LOG_LEVELS,
  stageStates,
} from '@emkit/shared';
import { type Command, Option } from 'commander';
import { count, count0, pairs } from '../arguments.js';
import { connect } from '../connect.js';
import { EXIT } from '../exit-codes.js';
import { printItem, printList, printMessage } from '../output.js';
import { registerStageLifecycle } from './endpoint-stages.js';
import { readInstances } from './instances.js';
import { addResourcesCommand } from './resources.js';

const modelRef = (s: EndpointStage) => `${s.model.name}:${s.model.version}`;
const ready = (s: EndpointStage) => `${s.instances.filter((i) => i.state === 'READY').length}/${s.instanceCount}`;
function defaultModel(e: Endpoint): string {
  const main = e.stages.find((s) => s.default);
  return main ? modelRef(main) : '';
}
/** The bridge answers stage URLs as paths on itself. */
const absolute = (client: EmkitClient, url: string) => (/^https?:/.test(url) ? url : `${client.baseUrl}${url}`);

const columns: [string, (e: Endpoint) => unknown][] = [
  ['NAME', (e) => e.name],
  ['STATE', (e) => e.state],
  ['DEFAULT', (e) => e.defaultStage ?? ''],
  ['MODEL', defaultModel],
  ['STAGES', (e) => e.stages.map((s) => s.name).join(',')],
  ['API KEY', (e) => (e.hasApiKey ? 'yes' : 'no')],
  ['CREATED', (e) => formatTime(e.createdAt)],
];

function stageColumns(client: EmkitClient): [string, (s: EndpointStage) => unknown][] {
  return [
    ['STAGE', (s) => s.name],
    ['DEFAULT', (s) => (s.default ? 'yes' : '')],
    ['STATE', (s) => s.state],
    ['MODEL', modelRef],
    ['READY', ready],
    ['URL', (s) => absolute(client, s.url)],
    ['REASON', (s) => s.stateReason?.split('\n')[0] ?? ''],
  ];
}

/** An endpoint for people: its fields, then a table of its stages; --json: the API's object. */
function printEndpoint(globals: { json?: boolean }, client: EmkitClient, endpoint: Endpoint): void {
  if (globals.json) {
    printItem(globals, endpoint);
    return;
  }
  printItem(globals, endpoint, [
    ['name', (e) => e.name],
    ['state', (e) => e.state],
    ['stateReason', (e) => e.stateReason ?? ''],
    ['url', (e) => absolute(client, e.url)],
    ['defaultStage', (e) => e.defaultStage ?? ''],
    ['apiKey', (e) => (e.apiKey ? `${e.apiKey}  (shown this once: keep it)` : e.hasApiKey ? 'issued' : 'none')],
    ['description', (e) => e.description],
    ['tags', (e) => e.tags],
    ['id', (e) => e.id],
    ['createdAt', (e) => formatTime(e.createdAt)],
  ]);
  process.stdout.write('\n');
  printList(globals, endpoint.stages, stageColumns(client));
}

function printStage(globals: { json?: boolean }, client: EmkitClient, stage: EndpointStage): void {
  if (globals.json) {
    printItem(globals, stage);
    return;
  }
  printItem(globals, stage, [
    ['name', (s) => s.name],
    ['state', (s) => s.state],
    ['stateReason', (s) => s.stateReason ?? ''],
    ['default', (s) => s.default],
    ['url', (s) => absolute(client, s.url)],
    ['resourcePath', (s) => s.resourcePath],
    ['model', modelRef],
    ['instances', (s) => `${ready(s)} ready`],
    ['cluster', (s) => s.cluster ?? '(this machine)'],
    ['autoscaling', (s) => (s.autoscaling ? `${s.autoscaling.minReplicas}–${s.autoscaling.maxReplicas} replicas` : '')],
    ['memoryLimit', (s) => (s.memoryLimitMb === null ? 'none' : `${s.memoryLimitMb} MB`)],
    ['payloadLogging', (s) => describePayloadLogging(s.payloadLogging)],
    ['drift', (s) => describeDrift(s.drift)],
    ['python', (s) => s.python],
    ['id', (s) => s.id],
    ['createdAt', (s) => formatTime(s.createdAt)],
  ]);
}

/** `--cluster`, and the autoscaling bounds when both are given (Ray Serve checks them too). */
function placement(options: { cluster?: string; minReplicas?: number; maxReplicas?: number }, command: Command) {
  if ((options.minReplicas === undefined) !== (options.maxReplicas === undefined)) {
    command.error('error: give --min-replicas and --max-replicas together');
  }
  return {
    ...(options.cluster ? { cluster: options.cluster } : {}),
    ...(options.maxReplicas !== undefined
      ? { autoscaling: { minReplicas: options.minReplicas as number, maxReplicas: options.maxReplicas } }
      : {}),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll an endpoint until it has settled: ACTIVE, CREATE FAILED or UPDATE FAILED. */
async function settledEndpoint(client: EmkitClient, id: string): Promise<Endpoint> {
  for (;;) {
    const current = await client.api.getEndpoint({ params: { id } });
    if (isSettled(endpointStates, current.state)) return current;
    await sleep(500);
  }
}

async function settledStage(client: EmkitClient, id: string, stage: string): Promise<EndpointStage> {
  for (;;) {
    const current = await client.api.getEndpointStage({ params: { id, stage } });
    if (isSettled(stageStates, current.state)) return current;
    await sleep(500);
  }
}

/** --wait that ended anywhere but ACTIVE: say why on stderr and exit 6. */
function failedWith(what: string, state: string, reason: string | null | undefined): void {
  process.stderr.write(`emkit: ${what} is ${state}${reason ? `: ${reason}` : ''}\n`);
  process.exitCode = EXIT.endedInFailure;
}

/** Why an endpoint failed: its own reason, else its default stage's. */
const endpointReason = (e: Endpoint) => e.stateReason ?? e.stages.find((s) => s.default)?.stateReason ?? null;

/** One entry a line; `stages` maps stage ids to names, padded alike. */
function logLine(log: InferenceLog, stages: Map<string, string>): string {
  const width = Math.max(0, ...[...stages.values()].map((name) => name.length));
  const stage = (stages.get(log.endpointStageId) ?? log.endpointStageId).padEnd(width);
  return `${formatTime(log.time)}  ${log.logLevel.padEnd(7)}  ${stage}  ${log.action.padEnd(18)}  ${log.inferenceId}  ${log.body}\n`;
}

export function registerEndpoints(program: Command): void {
  const endpoint = program
    .command('endpoint')
    .alias('endpoints')
    .description('endpoints: model versions served over HTTP, in stages, behind the bridge');

  endpoint
    .command('create <name>')
    .description('deploy a model version as a new endpoint, in its default stage (started in the background; --wait to watch)')
    .requiredOption('--model <model>', 'the model version: name (its newest), name:version or name@alias')
    .option('--stage <name>', 'the default stage\'s name (default: "default")')
    .option('--instances <n>', 'model workers to balance across', count)
    .option('--resource-path <path>', 'the stage also answers at its URL plus this, e.g. /predict')
    .option('--environment <name>', "an ACTIVE environment to run the workers in (default: the model's training's)")
    .option(
      '--cluster <name>',
      'run it on this Ray cluster as a Ray Serve application, --instances replicas (default: the default cluster)',
    )
    .option('--min-replicas <n>', 'on a cluster: autoscale between --min-replicas and --max-replicas', count0)
    .option('--max-replicas <n>', 'on a cluster: the most replicas autoscaling may start', count)
    .option('--api-key', 'issue an API key callers may send as X-Api-Key instead of the bridge token (shown once)')
    .option('--description <text>')
    .option('--tag <key=value>', 'a tag (repeatable)', pairs('tag'), {})
    .option('--wait', 'wait until it is ACTIVE; exit 6 if it is CREATE FAILED')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const created = await client.api.createEndpoint({
        body: {
          name,
          model: options.model,
          tags: options.tag,
          ...(options.stage ? { stage: options.stage } : {}),
          ...(options.instances ? { instanceCount: options.instances } : {}),
          ...(options.resourcePath ? { resourcePath: options.resourcePath } : {}),
          ...(options.environment ? { environment: options.environment } : {}),
          ...placement(options, command),
          ...(options.apiKey ? { apiKey: true } : {}),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return printEndpoint(globals, client, created);
      // the key is in the creating answer alone: keep it in what is printed
      const final = { ...(await settledEndpoint(client, created.id)), ...(created.apiKey ? { apiKey: created.apiKey } : {}) };
      printEndpoint(globals, client, final);
      if (final.state !== 'ACTIVE') failedWith(`endpoint ${name}`, final.state, endpointReason(final));
    });

  endpoint
    .command('list')
    .description('list endpoints, newest first')
    .action(async (_options, command: Command) => {
      const globals = command.optsWithGlobals();
      const { items } = await connect(globals).api.listEndpoints({ query: { limit: 1000 } });
      printList(globals, items, columns);
    });

  endpoint
    .command('get <name>')
    .description('show an endpoint and its stages')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      printEndpoint(globals, client, await client.api.getEndpoint({ params: { id: name } }));
    });

  endpoint
    .command('delete <name>')
    .description('delete an endpoint and stop its workers (delete its other stages first)')
    .action(async (name: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteEndpoint({ params: { id: name } });
      printMessage(globals, `endpoint ${name}: deleted`, { deleted: name });
    });

  const stage = endpoint
    .command('stage')
    .alias('stages')
    .description("an endpoint's stages: other model versions beside the default");

  stage
    .command('add <endpoint> <stage>')
    .description('deploy a model version as another stage of an endpoint, to try it before switching to it')
    .requiredOption('--model <model>', 'the model version: name (its newest), name:version or name@alias')
    .option('--instances <n>', 'model workers to balance across', count)
    .option('--resource-path <path>', 'the stage also answers at its URL plus this, e.g. /predict')
    .option('--environment <name>', "an ACTIVE environment to run the workers in (default: the model's training's)")
    .option(
      '--cluster <name>',
      'run it on this Ray cluster as a Ray Serve application, --instances replicas (default: the default cluster)',
    )
    .option('--min-replicas <n>', 'on a cluster: autoscale between --min-replicas and --max-replicas', count0)
    .option('--max-replicas <n>', 'on a cluster: the most replicas autoscaling may start', count)
    .option('--description <text>')
    .option('--wait', 'wait until it is ACTIVE; exit 6 if it is CREATE FAILED or DEPLOY FAILED')
    .action(async (name: string, stageName: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const created = await client.api.createEndpointStage({
        params: { id: name },
        body: {
          name: stageName,
          model: options.model,
          ...(options.instances ? { instanceCount: options.instances } : {}),
          ...(options.resourcePath ? { resourcePath: options.resourcePath } : {}),
          ...(options.environment ? { environment: options.environment } : {}),
          ...placement(options, command),
          ...(options.description ? { description: options.description } : {}),
        },
      });
      if (!options.wait) return printStage(globals, client, created);
      const final = await settledStage(client, name, stageName);
      printStage(globals, client, final);
      if (final.state !== 'ACTIVE') failedWith(`stage ${name}/${stageName}`, final.state, final.stateReason);
    });

  registerStageLifecycle(stage, { print: printStage, settled: settledStage, failedWith });

  stage
    .command('get <endpoint> <stage>')
    .description('show a stage and its workers')
    .action(async (name: string, stageName: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      printStage(globals, client, await client.api.getEndpointStage({ params: { id: name, stage: stageName } }));
    });

  stage
    .command('delete <endpoint> <stage>')
    .description('delete a stage once its requests in flight are answered (never the default one)')
    .action(async (name: string, stageName: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      await connect(globals).api.deleteEndpointStage({ params: { id: name, stage: stageName } });
      printMessage(globals, `stage ${name}/${stageName}: deleted`, { deleted: `${name}/${stageName}` });
    });

  endpoint
    .command('switch <endpoint> <stage>')
    .description('make an ACTIVE stage the default, dropping no request; the old default is removed')
    .action(async (name: string, stageName: string, _options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const switched = await client.api.setDefaultStage({ params: { id: name }, body: { stage: stageName } });
      if (globals.json) return printItem(globals, switched);
      printMessage(globals, `endpoint ${switched.name}: default stage → ${switched.defaultStage}`);
    });

  endpoint
    .command('stats <endpoint>')
    .description('requests, errors and latency per stage per minute, and the requests in flight now')
    .option('--stage <name>', 'only this stage')
    .option('--minutes <n>', 'how far back (default 60, at most 1440)', count)
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const stats = await connect(globals).api.getEndpointStats({
        params: { id: name },
        query: { stage: options.stage, minutes: options.minutes },
      });
      if (globals.json) return printMessage(globals, '', stats);
      const ms = (value: number | null) => (value === null ? '' : value.toFixed(1));
      printList(globals, stats.minutes, [
        ['MINUTE', (m) => formatTime(m.minute)],
        ['STAGE', (m) => m.stage],
        ['REQUESTS', (m) => m.count],
        ['ERRORS', (m) => m.errors],
        ['5XX', (m) => m.serverErrors],
        ['P50 MS', (m) => ms(m.p50)],
        ['P90 MS', (m) => ms(m.p90)],
        ['P99 MS', (m) => ms(m.p99)],
        ['MAX IN FLIGHT', (m) => m.maxInFlight],
      ]);
      const now = Object.entries(stats.inFlight).map(([s, n]) => `${s} ${n}`);
      process.stdout.write(`\nin flight now: ${now.join(', ') || 'none'}\n`);
    });

  addResourcesCommand(endpoint, 'endpoints');

  endpoint
    .command('logs <endpoint>')
    .description('inference logs (Inference.Request / Inference.Response), newest last')
    .option('--stage <name>', 'only this stage')
    .option('--inference-id <id>', 'only this request')
    .addOption(new Option('--level <level>', 'only this level').choices(LOG_LEVELS))
    .option('--limit <n>', 'at most this many (default 200, at most 5000)', count)
    .option('-f, --follow', 'keep printing new entries (one JSON object a line with --json) until interrupted')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const client = connect(globals);
      const query = { stage: options.stage, inferenceId: options.inferenceId, level: options.level, limit: options.limit };
      const first = await client.api.getEndpointLogs({ params: { id: name }, query });
      if (!options.follow) {
        if (globals.json) return printMessage(globals, '', first.items);
        const { stages } = await client.api.getEndpoint({ params: { id: name } });
        const names = new Map(stages.map((s) => [s.id, s.name]));
        for (const log of first.items) process.stdout.write(logLine(log, names));
        return;
      }
      const names = new Map<string, string>();
      let after = 0;
      let page = first;
      for (;;) {
        if (!globals.json && page.items.some((log) => !names.has(log.endpointStageId))) {
          for (const s of (await client.api.getEndpoint({ params: { id: name } })).stages) names.set(s.id, s.name);
        }
        for (const log of page.items) {
          process.stdout.write(globals.json ? `${JSON.stringify(log)}\n` : logLine(log, names));
          after = Math.max(after, log.seq);
        }
        await sleep(1000);
        page = await client.api.getEndpointLogs({ params: { id: name }, query: { ...query, after } });
      }
    });

  program
    .command('predict <endpoint>')
    .description('call an endpoint\'s default stage (or --stage) with {"instances": [...]} and print the predictions')
    .option('--stage <name>', 'call this stage instead of the default one')
    .option('--data <json>', '{"instances": [...]} or a JSON array of instances')
    .option('--file <path>', 'a JSON file with either of those (default: stdin)')
    .action(async (name: string, options, command: Command) => {
      const globals = command.optsWithGlobals();
      const body = readInstances(command, options);
      const client = connect(globals);
      const answer = options.stage
        ? await client.api.inferStage({ params: { endpoint: name, stage: options.stage }, body })
        : await client.api.infer({ params: { endpoint: name }, body });
      if (globals.json) return printMessage(globals, '', answer);
      for (const prediction of answer.predictions) process.stdout.write(`${JSON.stringify(prediction)}\n`);
    });
}
