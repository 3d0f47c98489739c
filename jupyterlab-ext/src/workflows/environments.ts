import type { JupyterFrontEnd } from '@jupyterlab/application';
import { CommandIds } from '../commands.js';
import { attempt, requireClient } from '../plugins/require-client.js';
import type { IEmkit } from '../tokens.js';
import { formDialog } from '../views/form.js';

/** Create an environment: name, a manager this machine has, a Python version, packages. */
export function addEnvironmentCommands(app: JupyterFrontEnd, emkit: IEmkit): string[] {
  const { trans } = emkit;
  const { commands } = app;

  commands.addCommand(CommandIds.createEnvironment, {
    label: trans.__('Create Environment…'),
    execute: async () => {
      const client = requireClient(emkit);
      if (!client) return;
      const managers = await attempt(emkit, trans.__('Could not list the environment managers'), () =>
        client.api.listEnvironmentManagers({}),
      );
      if (!managers) return;
      const values = await formDialog(
        trans,
        trans.__('Create an environment'),
        [
          { name: 'name', label: trans.__('Name'), placeholder: 'torch-cpu' },
          {
            name: 'manager',
            label: trans.__('Manager'),
            kind: 'select',
            options: managers.managers.filter((m) => m.available).map((m): [string, string] => [m.manager, m.manager]),
          },
          {
            name: 'python',
            label: trans.__('Python version'),
            kind: 'select',
            options: [['', trans.__('Default')], ...managers.pythons.map((p): [string, string] => [p, p])],
          },
          { name: 'packages', label: trans.__('Packages'), kind: 'textarea', placeholder: 'scikit-learn==1.5.2\npandas' },
        ],
        trans.__('Create'),
      );
      if (!values) return;
      const environment = await attempt(emkit, trans.__('Could not create environment %1', values.name ?? ''), () =>
        client.api.createEnvironment({
          body: {
            name: values.name ?? '',
            manager: values.manager as never,
            ...(values.python ? { python: values.python } : {}),
            packages: (values.packages ?? '').split(/\s*\n\s*/).filter(Boolean),
          },
        }),
      );
      if (environment) await commands.execute(CommandIds.openEnvironment, { id: environment.id });
    },
  });

  return [CommandIds.createEnvironment];
}
