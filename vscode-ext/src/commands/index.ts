import * as vscode from 'vscode';
import { alertCommands } from './alerts.js';
import { batchJobCommands } from './batch-jobs.js';
import { clusterCommands } from './clusters.js';
import type { CommandArgs, CommandContext, Handler } from './context.js';
import { datasetCommands } from './datasets.js';
import { endpointCommands } from './endpoints.js';
import { environmentCommands } from './environments.js';
import { experimentCommands } from './experiments.js';
import { modelCommands } from './models.js';
import { recipeCommands } from './recipes.js';
import { resourceCommands } from './resources.js';
import { scheduleCommands } from './schedules.js';
import { tensorboardCommands } from './tensorboards.js';
import { trainingCommands } from './trainings.js';
import { tuningCommands } from './tunings.js';

export { type CommandArgs, type CommandContext, clientOf, type Handler } from './context.js';

/**
 * Every emkit command, in one table (package.json contributes the same ids). Each resource's
 * file imports only ./context.js and ./inputs.js, never this table: a cycle through here
 * left commands out, with no error, depending on which file was imported first.
 */
export const commands: Record<string, Handler> = {
  ...resourceCommands,
  ...environmentCommands,
  ...trainingCommands,
  ...tensorboardCommands,
  ...modelCommands,
  ...endpointCommands,
  ...experimentCommands,
  ...clusterCommands,
  ...datasetCommands,
  ...recipeCommands,
  ...batchJobCommands,
  ...scheduleCommands,
  ...alertCommands,
  ...tuningCommands,
};

/** Registers the table; a refusal from the bridge is shown in its own words, and the command's answer returned. */
export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return Object.entries(commands).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (arg?: unknown) => {
      try {
        return await handler(context, (arg ?? {}) as CommandArgs);
      } catch (error) {
        const message = (error as Error).message;
        context.errors.push(message);
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    }),
  );
}
