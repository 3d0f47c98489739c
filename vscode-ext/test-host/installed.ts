// Runs in the extension host of a code-server that had the packaged .vsix installed with
// --install-extension (test/e2e-vscode/package.test.ts): the installed copy, not a
// development one, activates, and every command it contributes is registered.
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

export async function run(): Promise<void> {
  const steps: string[] = [];
  const result = (ok: boolean, error?: string) =>
    writeFileSync(process.env.EMKIT_TEST_RESULT!, JSON.stringify({ ok, steps, error }, null, 1));
  try {
    const extension = vscode.extensions.getExtension('emkit.emkit-vscode');
    if (!extension) throw new Error('emkit.emkit-vscode is not installed');
    steps.push(`installed at ${extension.extensionPath}`);
    const started = performance.now();
    const api = (await extension.activate()) as {
      store: { state: { kind: string } };
      link: { client: { baseUrl: string } | null };
    };
    steps.push(`activated in ${(performance.now() - started).toFixed(1)} ms`);
    // no bridge ran in this home: the extension started one (emkit.autoStart) and connected to it
    const deadline = Date.now() + 30_000;
    while (api.store.state.kind !== 'loaded' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (api.store.state.kind !== 'loaded') throw new Error(`no bridge: ${JSON.stringify(api.store.state)}`);
    steps.push(`started a bridge and connected to ${api.link.client?.baseUrl}`);
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    if (missing.length) throw new Error(`contributed but not registered: ${missing.join(', ')}`);
    steps.push(`${contributed.length} commands registered: ${contributed.join(' ')}`);
    result(true);
  } catch (error) {
    result(false, (error as Error).stack ?? String(error));
    throw error;
  }
}
