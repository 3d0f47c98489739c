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
 * from the cluster before each PUT and sent unchanged, and so are emkit's own that a
 * restarted bridge has claimed but not yet set again: the stages redeploying one by one after
 * a restart must not take each other's running applications off the cluster.
 */
export class ServeApplications {
  private readonly wanted = new Map<string, Map<string, ServeApplicationConfig>>();
  /** per cluster: emkit applications still the bridge's whose config isn't set again yet */
  private readonly claimed = new Map<string, Set<string>>();
  private readonly locks = new Map<string, Promise<unknown>>();

  /** Add (or change) an application and PUT the cluster's config. */
  set(target: ServeTarget, app: ServeApplicationConfig): Promise<void> {
    const apps = this.wanted.get(target.clusterId) ?? new Map<string, ServeApplicationConfig>();
    this.wanted.set(target.clusterId, apps);
    apps.set(app.name, app);
    this.claimed.get(target.clusterId)?.delete(app.name);
    return this.apply(target);
  }

  /**
   * A restarted bridge's stage, before its config is set again: until then, what the cluster
   * runs under that name is kept in every PUT as Serve has it.
   */
  claim(clusterId: string, name: string): void {
    if (this.wanted.get(clusterId)?.has(name)) return;
    const names = this.claimed.get(clusterId) ?? new Set<string>();
    this.claimed.set(clusterId, names);
    names.add(name);
  }

  /** Remove an application and PUT the cluster's config without it. */
  remove(target: ServeTarget, name: string): Promise<void> {
    this.wanted.get(target.clusterId)?.delete(name);
    this.claimed.get(target.clusterId)?.delete(name);
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
    const wanted = this.wanted.get(target.clusterId) ?? new Map<string, ServeApplicationConfig>();
    const claimed = this.claimed.get(target.clusterId) ?? new Set<string>();
    const current = await target.client.serveApplications();
    const kept = Object.values(current.applications)
      .filter(
        (a) => (!a.name.startsWith(EMKIT_APP_PREFIX) || (claimed.has(a.name) && !wanted.has(a.name))) && a.deployed_app_config,
      )
      .map((a) => a.deployed_app_config as ServeApplicationConfig);
    await target.client.putServeApplications(serveConfig(target, [...kept, ...wanted.values()]));
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
