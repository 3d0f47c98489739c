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

/** The emkit home the bridge writes runtime.json into: $EMKIT_HOME, or ~/.emkit, as the CLI reads it. */
export function emkitHome(): string {
  return process.env.EMKIT_HOME || join(homedir(), '.emkit');
}

/**
 * Settings first (a bridge somewhere else), then the home's runtime.json (the bridge on
 * this machine, whose token changes with every start — so it is read again on refresh).
 */
export async function findBridge(): Promise<BridgeAddress | { missing: string }> {
  const settings = vscode.workspace.getConfiguration('emkit');
  const url = settings.get<string>('bridgeUrl', '').trim();
  const token = settings.get<string>('token', '').trim();
  if (url && token) return { url, token, source: 'settings' };
  const file = join(emkitHome(), 'runtime.json');
  try {
    const runtime = JSON.parse(await readFile(file, 'utf8')) as { url?: string; token?: string };
    if (runtime.url && runtime.token) return { url: url || runtime.url, token: runtime.token, source: file };
  } catch {
    // no bridge has run on this home yet, or it is half-written: same answer
  }
  return { missing: file };
}

export function clientFor(address: BridgeAddress): EmkitClient {
  return new EmkitClient({ baseUrl: address.url, token: address.token });
}
