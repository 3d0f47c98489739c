import { describe, expect, it } from 'vitest';
import type { RayClient, ServeApplicationConfig, ServeConfig, ServeDetails } from './ray-client.js';
import { ServeApplications, type ServeTarget, serveConfig } from './serve-applications.js';

const app = (name: string): ServeApplicationConfig => ({ name, route_prefix: `/${name}`, import_path: 'emkit.ray_serve:build' });

/** Serve's two REST calls as a cluster answers them: the config PUT last is what it has. */
function fakeServe(others: ServeApplicationConfig[] = []) {
  const puts: ServeConfig[] = [];
  let inFlight = 0;
  let overlapped = false;
  const client = {
    async serveApplications(): Promise<ServeDetails> {
      const last = puts.at(-1)?.applications ?? others;
      return {
        applications: Object.fromEntries(
          last.map((a) => [a.name, { name: a.name, status: 'RUNNING', message: '', deployed_app_config: a, deployments: {} }]),
        ),
      };
    },
    async putServeApplications(config: ServeConfig): Promise<void> {
      inFlight += 1;
      if (inFlight > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 5));
      puts.push(config);
      inFlight -= 1;
    },
  } as unknown as RayClient;
  const target: ServeTarget = { clusterId: 'c1', client, serveAddress: 'http://127.0.0.2:41000', local: true };
  return { target, puts, overlapped: () => overlapped };
}

describe('ServeApplications: the whole config, one PUT at a time', () => {
  it('sends every application it keeps in each PUT, never two PUTs at once', async () => {
    const serve = fakeServe();
    const apps = new ServeApplications();
    await Promise.all([apps.set(serve.target, app('emkit-a')), apps.set(serve.target, app('emkit-b'))]);
    expect(serve.overlapped()).toBe(false);
    expect(
      serve.puts
        .at(-1)
        ?.applications.map((a) => a.name)
        .sort(),
    ).toEqual(['emkit-a', 'emkit-b']);
    await apps.remove(serve.target, 'emkit-a');
    expect(serve.puts.at(-1)?.applications.map((a) => a.name)).toEqual(['emkit-b']);
  });

  it("keeps the applications on the cluster that aren't emkit's, as they were deployed", async () => {
    const theirs = { ...app('their-app'), args: { x: 1 } };
    const serve = fakeServe([theirs, app('emkit-stale')]);
    await new ServeApplications().set(serve.target, app('emkit-a'));
    expect(serve.puts.at(-1)?.applications).toEqual([theirs, app('emkit-a')]);
  });

  it("after a restart, keeps a claimed application as Serve runs it until it is set again, and drops what isn't claimed", async () => {
    const running = { ...app('emkit-b'), args: { model_dir: 'model' } };
    const serve = fakeServe([app('emkit-a'), running, app('emkit-gone')]);
    const apps = new ServeApplications();
    apps.claim('c1', 'emkit-a');
    apps.claim('c1', 'emkit-b');
    await apps.set(serve.target, app('emkit-a'));
    expect(serve.puts.at(-1)?.applications).toEqual([running, app('emkit-a')]);
    await apps.set(serve.target, app('emkit-b'));
    expect(serve.puts.at(-1)?.applications.map((a) => a.name)).toEqual(['emkit-a', 'emkit-b']);
    // once set, a removal takes it off (no claim lingers)
    await apps.remove(serve.target, 'emkit-b');
    expect(serve.puts.at(-1)?.applications.map((a) => a.name)).toEqual(['emkit-a']);
  });

  it('a failed PUT does not block the next one', async () => {
    const serve = fakeServe();
    const failing = { ...serve.target.client, putServeApplications: () => Promise.reject(new Error('refused')) };
    const apps = new ServeApplications();
    await expect(apps.set({ ...serve.target, client: failing as unknown as RayClient }, app('emkit-a'))).rejects.toThrow(
      'refused',
    );
    await apps.set(serve.target, app('emkit-b'));
    expect(serve.puts.at(-1)?.applications.map((a) => a.name)).toEqual(['emkit-a', 'emkit-b']);
  });
});

describe('serveConfig', () => {
  it("puts a local cluster's one proxy on the head's address, an added one's on every node", () => {
    expect(serveConfig({ serveAddress: 'http://127.0.0.2:41000', local: true }, [])).toEqual({
      proxy_location: 'HeadOnly',
      http_options: { host: '127.0.0.2', port: 41000 },
      applications: [],
    });
    expect(serveConfig({ serveAddress: 'http://ray-head:8000', local: false }, [])).toMatchObject({
      proxy_location: 'EveryNode',
      http_options: { host: '0.0.0.0', port: 8000 },
    });
  });
});
