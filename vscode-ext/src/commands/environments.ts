import * as vscode from 'vscode';
import { clientOf, type Handler } from './context.js';
import { ask, nameRule } from './inputs.js';

/** Create an environment: name, manager (from what this machine has), Python version, packages. */
export const environmentCommands: Record<string, Handler> = {
  'emkit.createEnvironment': async (context, args) => {
    const client = await clientOf(context);
    const title = vscode.l10n.t('Create an environment');
    const name = (args.name as string | undefined) ?? (await ask(title, '', nameRule, vscode.l10n.t('Environment name')));
    if (name === undefined) return;
    let manager = args.manager as string | undefined;
    const choices = await client.api.listEnvironmentManagers({});
    if (manager === undefined) {
      const picked = await vscode.window.showQuickPick(
        choices.managers.map((m) => ({
          label: m.manager,
          description: m.available ? (m.binary ?? '') : m.note,
          available: m.available,
        })),
        { title, placeHolder: vscode.l10n.t('Manager (conda, mamba, micromamba or venv)') },
      );
      if (!picked) return;
      if (!picked.available) throw new Error(`${picked.label}: ${picked.description}`);
      manager = picked.label;
    }
    const python =
      (args.python as string | undefined) ??
      (await ask(
        title,
        '',
        (t) =>
          t === '' || /^3\.\d{1,2}(\.\d{1,2})?$/.test(t) ? undefined : vscode.l10n.t('A Python version like 3.11, or empty.'),
        vscode.l10n.t('Python version (empty: the default)'),
      ));
    if (python === undefined) return;
    const packages =
      (args.packages as string[] | undefined) ??
      (await ask(title, '', () => undefined, vscode.l10n.t('Packages, separated by spaces')))?.split(/\s+/).filter(Boolean);
    if (packages === undefined) return;
    return client.api.createEnvironment({ body: { name, manager: manager as never, ...(python ? { python } : {}), packages } });
  },
};
