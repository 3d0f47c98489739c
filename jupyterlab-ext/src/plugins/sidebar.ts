import { ILabShell, ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { EmkitSidebar } from '../sidebar/widget.js';
import { IEmkit } from '../tokens.js';

/** The emkit panel in the left area: environments, experiments with their trainings, models, endpoints. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: '@emkit/jupyterlab:sidebar',
  description: 'The emkit panel in the left area.',
  autoStart: true,
  requires: [IEmkit, ILabShell],
  optional: [ILayoutRestorer],
  activate: (app: JupyterFrontEnd, emkit: IEmkit, shell: ILabShell, restorer: ILayoutRestorer | null) => {
    const sidebar = new EmkitSidebar(emkit, app.commands);
    shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, sidebar.id);
  },
};
