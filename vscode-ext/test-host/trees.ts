// Runs inside code-server's real extension host (extensionTestsPath): the driver,
// test/e2e-vscode/trees.test.ts, starts a bridge, points EMKIT_HOME at it and reads
// what this module wrote to EMKIT_TEST_RESULT, since the host's console doesn't reach it.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EmkitExtensionApi } from '../src/extension.js';
import type { Node } from '../src/trees/node.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Ask the driver for a screenshot while the host still runs (it ends the views when run() returns). */
async function screenshotTaken(signal: string): Promise<void> {
  writeFileSync(signal, '');
  await until('the driver to take its screenshot', () => (existsSync(signal) ? undefined : true), 15_000);
}

const label = (node: Node) => String(typeof node.item.label === 'object' ? node.item.label.label : node.item.label);

export async function run(): Promise<void> {
  const steps: string[] = [];
  const result = (ok: boolean, error?: string) =>
    writeFileSync(process.env.EMKIT_TEST_RESULT!, JSON.stringify({ ok, steps, error }, null, 1));
  try {
    const started = Date.now();
    const extension = vscode.extensions.getExtension<EmkitExtensionApi>('emkit.emkit-vscode');
    if (!extension) throw new Error('the emkit extension is not loaded');
    const api = await extension.activate();
    steps.push(`activated in ${Date.now() - started} ms`);

    // the commands are registered under category emkit
    const ids = await vscode.commands.getCommands(true);
    for (const id of ['emkit.refresh', 'emkit.stopTraining', 'emkit.deleteResource']) {
      if (!ids.includes(id)) throw new Error(`command ${id} is not registered`);
    }

    const { experiments } = api.trees;
    await until('the lists to load', () => (api.store.state.kind === 'loaded' ? true : undefined), 20_000);
    steps.push(`empty experiments tree: ${experiments.getChildren().map(label).join(' | ')}`);

    // a training submitted through the bridge API, as the CLI or JupyterLab would
    const client = api.link.client!;
    const source = mkdtempSync(join(tmpdir(), 'emkit-vscode-source-'));
    writeFileSync(join(source, 'train.py'), 'import time\nprint("training", flush=True)\ntime.sleep(2)\nprint("done")\n');
    const submitted = await client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
    steps.push(`submitted ${submitted.name}`);

    const row = (): Node | undefined =>
      experiments
        .getChildren()
        .flatMap((experiment) => experiments.getChildren(experiment))
        .find((node) => label(node) === submitted.name);
    const first = await until('the training in the Experiments tree', row, 10_000);
    steps.push(`listed: ${label(first)} — ${first.item.description}`);
    const done = await until(
      'the training to turn COMPLETE in the tree',
      () => {
        const node = row();
        return String(node?.item.description ?? '').startsWith('COMPLETE') ? node : undefined;
      },
      90_000,
    );
    steps.push(`live: ${label(done)} — ${done.item.description}`);
    if (done.item.contextValue !== 'training') throw new Error(`a COMPLETE training offers Stop (${done.item.contextValue})`);

    // a cluster added through the API shows in the Clusters tree, and its check's outcome follows live
    const { clusters } = api.trees;
    await client.api.createCluster({ body: { name: 'nowhere', address: 'http://127.0.0.2:9' } });
    const cluster = await until(
      'the cluster to show UNREACHABLE in the Clusters tree',
      () =>
        clusters
          .getChildren()
          .find((node) => label(node) === 'nowhere' && String(node.item.description).startsWith('UNREACHABLE')),
      20_000,
    );
    steps.push(`cluster: ${label(cluster)} — ${cluster.item.description} (${cluster.item.tooltip})`);
    // a bridge that isn't there: one message row that says so and what to do, not an empty tree
    const settings = vscode.workspace.getConfiguration('emkit');
    await settings.update('bridgeUrl', 'http://127.0.0.1:9', vscode.ConfigurationTarget.Global);
    await settings.update('token', 'not-a-token', vscode.ConfigurationTarget.Global);
    const unreachable = await until('the not-reachable message', () => {
      const [only, ...rest] = experiments.getChildren();
      return only && rest.length === 0 && label(only).includes('not reachable') ? only : undefined;
    });
    steps.push(`unreachable: ${label(unreachable)}`);
    await settings.update('bridgeUrl', undefined, vscode.ConfigurationTarget.Global);
    await settings.update('token', undefined, vscode.ConfigurationTarget.Global);
    await until('the trees to reconnect', row, 20_000);

    // leave the container open, so the driver's screenshot shows what a user would see
    await vscode.commands.executeCommand('workbench.view.extension.emkit');
    await screenshotTaken(`${process.env.EMKIT_TEST_RESULT}.shot`);
    result(true);
  } catch (error) {
    result(false, (error as Error).stack ?? String(error));
    throw error;
  }
}
