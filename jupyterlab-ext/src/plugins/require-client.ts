import type { EmkitClient } from '@emkit/shared';
import { ApiError } from '@emkit/shared';
import { Notification } from '@jupyterlab/apputils';
import type { IEmkit } from '../tokens.js';

/** The client when connected; otherwise one notification that says where to look. */
export function requireClient(emkit: IEmkit): EmkitClient | null {
  const client = emkit.connection.client;
  if (client && emkit.connection.status.kind === 'connected') return client;
  Notification.warning(emkit.trans.__('Not connected to the emkit bridge: see the emkit panel.'), { autoClose: 5000 });
  return null;
}

/** Runs a bridge call; a refusal shows the bridge's own words under `what`. */
export async function attempt<T>(emkit: IEmkit, what: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const message = error instanceof ApiError ? error.message : String(error);
    Notification.error(emkit.trans.__('%1: %2', what, message), { autoClose: false });
    return undefined;
  }
}
