import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EmkitClient } from '@emkit/shared';
import * as vscode from 'vscode';

export interface BridgeAddress {
  url: string;
  token: string;
  /** where it came from, for the "not reachable" message (never the token) */
  source: string;
}

/** Where a token typed by hand is kept: the editor's SecretStorage, never settings.json. */
export const TOKEN_SECRET = 'emkit.token';
const START_WAIT_MS = 20_000;

/** The emkit home the bridge writes runtime.json into: $EMKIT_HOME, or ~/.emkit, as the CLI reads it. */
export function emkitHome(): string {
  return process.env.EMKIT_HOME || join(homedir(), '.emkit');
}

async function readRuntime(file: string): Promise<{ url: string; token: string } | null> {
  try {
    const runtime = JSON.parse(await readFile(file, 'utf8')) as { url?: string; token?: string };
    return runtime.url && runtime.token ? { url: runtime.url, token: runtime.token } : null;
  } catch {
    // no bridge has run on this home yet, or it is half-written: same answer
    return null;
  }
}

/**
 * Settings first (a bridge somewhere else; its token from SecretStorage, else the setting),
 * then the home's runtime.json (the bridge on this machine, whose token changes with every
 * start — so it is read again on refresh).
 */
export async function findBridge(secrets: vscode.SecretStorage): Promise<BridgeAddress | { missing: string }> {
  const settings = vscode.workspace.getConfiguration('emkit');
  const url = settings.get<string>('bridgeUrl', '').trim();
  const token = (await secrets.get(TOKEN_SECRET))?.trim() || settings.get<string>('token', '').trim();
  if (url && token) return { url, token, source: 'settings' };
  const file = join(emkitHome(), 'runtime.json');
  const runtime = await readRuntime(file);
  if (runtime) return { url: url || runtime.url, token: runtime.token, source: file };
  return { missing: file };
}

export function clientFor(address: BridgeAddress): EmkitClient {
  return new EmkitClient({ baseUrl: address.url, token: address.token });
}

/** Whether a bridge answers there (a runtime.json can outlive a bridge killed hard). */
export async function answers(address: BridgeAddress): Promise<boolean> {
  try {
    await clientFor(address).api.health({});
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `emkit serve` for this machine's home when no bridge runs there, as `npm start`
 * would: detached, so trainings and endpoints outlive the window, with its output in
 * `<home>/logs/vscode-serve.log`; then waits for its runtime.json. Off with emkit.autoStart,
 * and never for a bridge the settings name (that one is somewhere else).
 */
export async function startBridge(): Promise<BridgeAddress | { error: string } | null> {
  const settings = vscode.workspace.getConfiguration('emkit');
  if (!settings.get<boolean>('autoStart', true) || settings.get<string>('bridgeUrl', '').trim()) return null;
  const cli = settings.get<string>('cliPath', 'emkit').trim() || 'emkit';
  // a path to the bundled CLI (server-bridge/dist/emkit.mjs) runs with node, anything else as a command
  // any free port: runtime.json says which, and a bridge of another home on 8765 can't stop this one
  const serve = ['serve', '--port', '0'];
  const [command, args] = /\.(mjs|cjs|js)$/.test(cli) ? ['node', [cli, ...serve]] : [cli, serve];
  const home = emkitHome();
  mkdirSync(join(home, 'logs'), { recursive: true });
  const log = openSync(join(home, 'logs', 'vscode-serve.log'), 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env: { ...process.env, EMKIT_HOME: home } });
  const failed = new Promise<{ error: string }>((resolve) =>
    child.once('error', (error) => resolve({ error: `${command} ${args.join(' ')}: ${error.message}` })),
  );
  child.unref();
  const file = join(home, 'runtime.json');
  const deadline = Date.now() + START_WAIT_MS;
  const started = (async () => {
    while (Date.now() < deadline && child.exitCode === null) {
      const runtime = await readRuntime(file);
      if (runtime && (await answers({ ...runtime, source: file }))) return { ...runtime, source: file };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return {
      error: `${command} ${args.join(' ')}: ${child.exitCode === null ? 'no runtime.json after 20 s' : `exited with ${child.exitCode}`}`,
    };
  })();
  return Promise.race([started, failed]);
}
