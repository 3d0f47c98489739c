import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEmkit } from '../tokens.js';
import { addAlertCommands } from '../workflows/alerts.js';
import { addEndpointCommands } from '../workflows/endpoints.js';
import { addEnvironmentCommands } from '../workflows/environments.js';
import { addModelCommands } from '../workflows/models.js';
import { addRecipeCommands } from '../workflows/recipes.js';
import { addTrainingCommands } from '../workflows/trainings.js';

/**
 * The workflows that take input, one file per resource under workflows/: submit the current
 * notebook, create and promote models, create endpoints and stages and switch the default,
 * create environments, add alert rules. Each is a palette command (category emkit) that asks with a form,
 * calls the bridge, and shows what the bridge said when it refuses.
 */
export const workflowsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:workflows',
  description: 'Submit the current notebook, models, endpoints and environments.',
  autoStart: true,
  requires: [IEmkit],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, palette: ICommandPalette | null) => {
    const ids = [
      ...addTrainingCommands(app, emkit),
      ...addModelCommands(app, emkit),
      ...addEndpointCommands(app, emkit),
      ...addEnvironmentCommands(app, emkit),
      ...addRecipeCommands(app, emkit),
      ...addAlertCommands(app, emkit),
    ];
    for (const command of ids) palette?.addItem({ command, category: 'emkit' });
  },
};
