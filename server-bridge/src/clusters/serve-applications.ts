import type { RayClient, ServeApplicationConfig, ServeConfig } from './ray-client.js';

/** emkit's applications are named so; others on the cluster are someone else's and kept as they are. */
export const EMKIT_APP_PREFIX = 'emkit-';

export interface ServeTarget {
  clusterId: string;
  client: RayClient;
  /** Serve's HTTP proxy, http://HOST:PORT */
  serveAddress: string;
  /** a cluster the bridge started on this host: one proxy, on the head, bound to its address */
  local: boolean;
}

/**
 * Serve's REST API takes the WHOLE config at once: an application left out of a PUT is
 * deleted (shared/RAY.md). So the bridge keeps, per cluster, every application it wants
 * there, and PUTs the full list one change at a time (a lock per cluster): two stages
 * deploying together can't drop each other. Applications emkit didn't make are read back
 * from the cluster before each PUT and sent unchanged.
 */
export class ServeApplications {
  private readonly wanted = new Map<string, Map<string, ServeApplicationConfig>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  /** Add (or change) an application and PUT the cluster's config. */
  set(target: ServeTarget, app: ServeApplicationConfig): Promise<void> {
    const apps = this.wanted.get(target.clusterId) ?? new Map<string, ServeApplicationConfig>();
    this.wanted.set(target.clusterId, apps);
    apps.set(app.name, app);
    return this.apply(target);
  }

  /** Remove an application and PUT the cluster's config without it. */
  remove(target: ServeTarget, name: string): Promise<void> {
    this.wanted.get(target.clusterId)?.delete(name);
    return this.apply(target);
  }

  private apply(target: ServeTarget): Promise<void> {
    const previous = this.locks.get(target.clusterId) ?? Promise.resolve();
    // the list is read when the PUT's turn comes: the last one sends every change made before it
    const next = previous.catch(() => {}).then(() => this.put(target));
    this.locks.set(target.clusterId, next);
    return next;
  }

  private async put(target: ServeTarget): Promise<void> {
    const ours = [...(this.wanted.get(target.clusterId)?.values() ?? [])];
    const current = await target.client.serveApplications();
    const theirs = Object.values(current.applications)
      .filter((a) => !a.name.startsWith(EMKIT_APP_PREFIX) && a.deployed_app_config)
      .map((a) => a.deployed_app_config as ServeApplicationConfig);
    await target.client.putServeApplications(serveConfig(target, [...theirs, ...ours]));
  }
}

/** The whole config: where the proxy listens, and the applications. */
export function serveConfig(
  target: Pick<ServeTarget, 'serveAddress' | 'local'>,
  applications: ServeApplicationConfig[],
): ServeConfig {
  const url = new URL(target.serveAddress);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  // a local cluster's nodes share one host: one proxy each would want the same port
  if (target.local) return { proxy_location: 'HeadOnly', http_options: { host: url.hostname, port }, applications };
  return { proxy_location: 'EveryNode', http_options: { host: '0.0.0.0', port }, applications };
}
