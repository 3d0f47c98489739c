#!/usr/bin/env node
import { ApiError } from '@emkit/shared';
import { Command, CommanderError } from 'commander';
import { BridgeAlreadyRunning } from '../bridge.js';
import { VERSION } from '../version.js';
import { registerAlerts } from './commands/alerts.js';
import { registerBatchInferences } from './commands/batch-inferences.js';
import { registerClusters } from './commands/clusters.js';
import { registerDatasets } from './commands/datasets.js';
import { registerEndpointDrift } from './commands/endpoint-drift.js';
import { registerEndpointPayloads } from './commands/endpoint-payloads.js';
import { registerEndpoints } from './commands/endpoints.js';
import { registerEnvironments } from './commands/environments.js';
import { registerEvaluations } from './commands/evaluations.js';
import { registerExperiments } from './commands/experiments.js';
import { registerModels } from './commands/models.js';
import { registerRecipes } from './commands/recipes.js';
import { registerSchedules } from './commands/schedules.js';
import { registerServe } from './commands/serve.js';
import { registerStatus } from './commands/status.js';
import { registerTrainings } from './commands/trainings.js';
import { registerTunings } from './commands/tunings.js';
import { EXIT, exitCodeFor } from './exit-codes.js';

const program = new Command('emkit')
  .description('emkit: environments, trainings, models, evaluations, endpoints and clusters from the command line')
  .version(VERSION)
  .option('--home <dir>', 'the emkit home (default: $EMKIT_HOME or ~/.emkit)')
  .option('--url <url>', 'bridge URL (default: $EMKIT_URL or runtime.json)')
  .option('--token <token>', 'bridge token (default: $EMKIT_TOKEN or runtime.json)')
  .option('--json', 'machine-readable output')
  .showHelpAfterError()
  .exitOverride();

registerServe(program);
registerStatus(program);
registerEnvironments(program);
registerExperiments(program);
registerDatasets(program);
registerTrainings(program);
registerModels(program);
registerEvaluations(program);
registerBatchInferences(program);
registerRecipes(program);
registerSchedules(program);
registerTunings(program);
registerEndpoints(program);
// the payload log's subcommands live in their own file, under `emkit endpoint`
registerEndpointPayloads(program.commands.find((c) => c.name() === 'endpoint') as Command);
registerEndpointDrift(program.commands.find((c) => c.name() === 'endpoint') as Command);
registerClusters(program);
registerAlerts(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // help and version exit 0; usage errors were already printed by commander
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  const json = process.argv.includes('--json');
  if (error instanceof BridgeAlreadyRunning) {
    process.stderr.write(`emkit: ${error.message}\n`);
    process.exit(EXIT.conflict);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (json && error instanceof ApiError) {
    process.stderr.write(`${JSON.stringify({ error: { code: error.code, message, status: error.status } })}\n`);
  } else {
    process.stderr.write(`emkit: ${message}\n`);
  }
  process.exit(exitCodeFor(error));
}
