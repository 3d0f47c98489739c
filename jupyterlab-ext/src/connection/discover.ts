import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** What JupyterLab's server side (emkit_jupyterlab/handlers.py) knows about the bridge. */
export interface Discovery {
  url: string | null;
  token: string | null;
  /** where it was found: EMKIT_URL/EMKIT_TOKEN, or the home's runtime.json; null: no bridge found */
  source: 'environment' | 'runtime.json' | null;
  /** the emkit home it looked in */
  home: string;
  /** whether the Jupyter server itself reached the bridge's health check */
  reachable: boolean;
  /** the folder JupyterLab's file browser shows: notebook paths in the page are relative to it */
  rootDir?: string;
}

/** Ask the Jupyter server; null when its emkit part isn't there (the wheel's server extension is off). */
export async function discoverBridge(settings = ServerConnection.makeSettings()): Promise<Discovery | null> {
  try {
    const response = await ServerConnection.makeRequest(URLExt.join(settings.baseUrl, 'emkit', 'connection'), {}, settings);
    if (!response.ok) return null;
    return (await response.json()) as Discovery;
  } catch {
    return null;
  }
}
