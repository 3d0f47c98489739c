import type { Command } from 'commander';
import { DEFAULT_DATASET_UPLOAD_MB, DEFAULT_PORT, DEFAULT_QUICK_TEST_IDLE_SECONDS, startBridge } from '../../bridge.js';
import { DEFAULT_SCAN_LIMITS } from '../../datasets/scanner.js';
import { DEFAULT_SNAPSHOT_LIMITS } from '../../trainings/source.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the server-bridge (writes runtime.json with url, token and pid into the home)')
    .option('--port <port>', `port to listen on (0: any free one)`, String(DEFAULT_PORT))
    .option('--host <host>', 'address to bind; keep it loopback unless you know why', '127.0.0.1')
    .option(
      '--cors-origin <origin>',
      'allow a browser origin, e.g. http://127.0.0.1:8888 or http://localhost:* (repeatable)',
      collect,
      [],
    )
    .option('--allowed-host <name>', 'accept this Host header too (repeatable)', collect, [])
    .option('--kernels-dir <dir>', "where environments' Jupyter kernel specs go (default: Jupyter's user data dir)")
    .option(
      '--python <path>',
      'interpreter venv environments are made from, and trainings without an environment run with (default: $EMKIT_PYTHON or python3)',
    )
    .option('--max-source-mb <mb>', "the largest source folder a training's snapshot takes", '200')
    .option(
      '--max-active-models <n>',
      'refuse a model version past this many ACTIVE ones (created, reactivated or registered by a recipe); default: no cap',
    )
    .option('--tensorboard-idle <seconds>', 'stop a TensorBoard nobody has visited for this long', '1800')
    .option(
      '--dataset-upload-mb <mb>',
      'the largest dataset an editor may upload (a table, or a zipped folder; larger: 413)',
      String(DEFAULT_DATASET_UPLOAD_MB),
    )
    .option(
      '--max-dataset-mb <mb>',
      'the most a dataset may hold (copied in, uploaded or referenced)',
      String(DEFAULT_SCAN_LIMITS.maxBytes / 1024 / 1024),
    )
    .option('--max-inference-mb <mb>', 'the largest inference request body the gateway takes (larger: 413)', '10')
    .option('--inference-timeout <seconds>', 'how long a model may take to answer before the caller gets 504', '60')
    .option(
      '--quick-test-idle <seconds>',
      "stop a model version's quick-test worker (POST /models/{id}/predict) nobody has called for this long",
      String(DEFAULT_QUICK_TEST_IDLE_SECONDS),
    )
    .option('--cluster-poll <seconds>', 'how often every Ray cluster is checked (reachable, nodes)', '5')
    .option('--alert-interval <seconds>', 'how often the alert rules are read', '5')
    .option('--alert-webhook-backoff <seconds>', "the wait before an alert webhook's second attempt (doubled after)", '1')
    .option('--alert-webhook-timeout <seconds>', 'how long one alert webhook attempt may take', '5')
    .option(
      '--usage-interval <seconds>',
      'how often the processes of trainings, endpoints and batch jobs are sampled (CPU, memory…); 0: never',
      '5',
    )
    .option(
      '--payload-log-queue-mb <mb>',
      'how much logged payload may wait to be written before further calls are dropped (counted) instead',
      '64',
    )
    .option('--drift-poll <seconds>', "how often stages' closed drift windows are looked for and computed", '10')
    .option(
      '--public-url <url>',
      "where a Ray cluster's nodes reach this bridge (cluster trainings send their results there); default: where it listens",
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error', 'info')
    .option('--log-max-mb <mb>', "rotate the bridge's log (<home>/logs/bridge.log) at this size", '10')
    .option('--log-keep <n>', 'how many rotated logs to keep (bridge.log.1 … .N)', '3')
    .action(async (options: Record<string, string | string[] | undefined>, command: Command) => {
      const globals = command.optsWithGlobals() as { home?: string };
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        command.error(`--port must be 0–65535, not "${options.port}"`, { exitCode: 2 });
      const maxSourceMb = Number(options.maxSourceMb);
      if (!(maxSourceMb > 0))
        command.error(`--max-source-mb must be a positive number, not "${options.maxSourceMb}"`, { exitCode: 2 });
      const maxActiveModels = options.maxActiveModels === undefined ? undefined : Number(options.maxActiveModels);
      if (maxActiveModels !== undefined && !(Number.isInteger(maxActiveModels) && maxActiveModels >= 1))
        command.error(`--max-active-models must be a whole number, 1 or more, not "${options.maxActiveModels}"`, { exitCode: 2 });
      const idle = Number(options.tensorboardIdle);
      if (!(idle > 0))
        command.error(`--tensorboard-idle must be a positive number, not "${options.tensorboardIdle}"`, { exitCode: 2 });
      const maxInferenceMb = Number(options.maxInferenceMb);
      if (!(maxInferenceMb > 0))
        command.error(`--max-inference-mb must be a positive number, not "${options.maxInferenceMb}"`, { exitCode: 2 });
      const datasetUploadMb = Number(options.datasetUploadMb);
      if (!(datasetUploadMb > 0))
        command.error(`--dataset-upload-mb must be a positive number, not "${options.datasetUploadMb}"`, { exitCode: 2 });
      const maxDatasetMb = Number(options.maxDatasetMb);
      if (!(maxDatasetMb > 0))
        command.error(`--max-dataset-mb must be a positive number, not "${options.maxDatasetMb}"`, { exitCode: 2 });
      const inferenceTimeout = Number(options.inferenceTimeout);
      if (!(inferenceTimeout > 0))
        command.error(`--inference-timeout must be a positive number, not "${options.inferenceTimeout}"`, { exitCode: 2 });
      const quickTestIdle = Number(options.quickTestIdle);
      if (!(quickTestIdle > 0))
        command.error(`--quick-test-idle must be a positive number, not "${options.quickTestIdle}"`, { exitCode: 2 });
      const logMaxMb = Number(options.logMaxMb);
      if (!(logMaxMb > 0)) command.error(`--log-max-mb must be a positive number, not "${options.logMaxMb}"`, { exitCode: 2 });
      const logKeep = Number(options.logKeep);
      if (!Number.isInteger(logKeep) || logKeep < 1 || logKeep > 100)
        command.error(`--log-keep must be a whole number 1–100, not "${options.logKeep}"`, { exitCode: 2 });
      const clusterPoll = Number(options.clusterPoll);
      if (!(clusterPoll >= 0.2))
        command.error(`--cluster-poll must be a number of seconds, 0.2 or more, not "${options.clusterPoll}"`, { exitCode: 2 });
      const usageInterval = Number(options.usageInterval);
      if (!(usageInterval === 0 || usageInterval >= 0.2))
        command.error(`--usage-interval must be 0 or a number of seconds, 0.2 or more, not "${options.usageInterval}"`, {
          exitCode: 2,
        });
      const alertInterval = Number(options.alertInterval);
      if (!(alertInterval >= 0.2))
        command.error(`--alert-interval must be a number of seconds, 0.2 or more, not "${options.alertInterval}"`, {
          exitCode: 2,
        });
      const alertBackoff = Number(options.alertWebhookBackoff);
      if (!(alertBackoff >= 0))
        command.error(`--alert-webhook-backoff must be a number of seconds, not "${options.alertWebhookBackoff}"`, {
          exitCode: 2,
        });
      const payloadQueueMb = Number(options.payloadLogQueueMb);
      if (!(payloadQueueMb > 0 && payloadQueueMb <= 1024))
        command.error(`--payload-log-queue-mb must be a number of MiB over 0, at most 1024, not "${options.payloadLogQueueMb}"`, {
          exitCode: 2,
        });
      const driftPoll = Number(options.driftPoll);
      if (!(driftPoll >= 0.2))
        command.error(`--drift-poll must be a number of seconds, 0.2 or more, not "${options.driftPoll}"`, { exitCode: 2 });
      const alertTimeout = Number(options.alertWebhookTimeout);
      if (!(alertTimeout > 0))
        command.error(`--alert-webhook-timeout must be a positive number of seconds, not "${options.alertWebhookTimeout}"`, {
          exitCode: 2,
        });
      let publicUrl: string | undefined;
      if (options.publicUrl !== undefined) {
        try {
          const url = new URL(options.publicUrl as string);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
          publicUrl = `${url.protocol}//${url.host}`;
        } catch {
          command.error(`--public-url must be an address like http://HOST:8765, not "${options.publicUrl}"`, { exitCode: 2 });
        }
      }
      const bridge = await startBridge({
        home: globals.home,
        host: options.host as string,
        port,
        corsOrigins: options.corsOrigin as string[],
        allowedHosts: options.allowedHost as string[],
        kernelsDir: options.kernelsDir as string | undefined,
        python: options.python as string | undefined,
        snapshotLimits: { ...DEFAULT_SNAPSHOT_LIMITS, maxBytes: Math.round(maxSourceMb * 1024 * 1024) },
        maxActiveModels,
        tensorboardIdleSeconds: idle,
        inferenceBodyLimit: Math.round(maxInferenceMb * 1024 * 1024),
        datasetUploadLimit: Math.round(datasetUploadMb * 1024 * 1024),
        datasetLimits: { ...DEFAULT_SCAN_LIMITS, maxBytes: Math.round(maxDatasetMb * 1024 * 1024) },
        inferenceTimeoutMs: Math.round(inferenceTimeout * 1000),
        quickTestIdleSeconds: quickTestIdle,
        clusterPollMs: Math.round(clusterPoll * 1000),
        usageIntervalMs: Math.round(usageInterval * 1000),
        alertIntervalMs: Math.round(alertInterval * 1000),
        alertWebhook: { backoffMs: Math.round(alertBackoff * 1000), timeoutMs: Math.round(alertTimeout * 1000) },
        driftPollMs: Math.round(driftPoll * 1000),
        payloadLogQueueBytes: Math.round(payloadQueueMb * 1024 * 1024),
        publicUrl,
        logLevel: options.logLevel as string,
        logRotation: { maxBytes: Math.round(logMaxMb * 1024 * 1024), keep: logKeep },
      });
      process.stdout.write(`emkit bridge ${bridge.url}\nhome  ${bridge.home}\n(token in ${bridge.home}/runtime.json)\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        bridge.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        void bridge.close().then(() => process.exit(0));
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}
