import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { EmkitClient, Environment } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, repoRoot, startBridge, type TestBridge, waitFor } from '../support/bridge.js';

const which = (name: string, path = process.env.PATH ?? '') =>
  path.split(delimiter).find((dir) => dir && existsSync(join(dir, name))) ?? null;

/** PATH without any folder that has uv, so the plain `python -m venv` + pip path is what runs. */
const pathWithoutUv = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !existsSync(join(dir, 'uv')))
  .join(delimiter);
const uvDir = existsSync(join(repoRoot, '.venv', 'bin', 'uv')) ? join(repoRoot, '.venv', 'bin') : which('uv');

async function settled(client: EmkitClient, id: string): Promise<Environment> {
  return waitFor(
    async () => {
      const environment = await client.api.getEnvironment({ params: { id } });
      return environment.state === 'CREATE IN PROGRESS' ? undefined : environment;
    },
    300_000,
    `environment ${id} to settle`,
  );
}

function python(environment: Environment, code: string) {
  return spawnSync(join(environment.path, 'bin', 'python'), ['-c', code], { encoding: 'utf8' });
}

async function checkUsable(bridge: TestBridge, environment: Environment) {
  expect(environment.state, environment.stateReason ?? '').toBe('ACTIVE');
  expect(environment.python).toMatch(/^3\.\d+\.\d+$/);
  const run = python(environment, 'import emkit, ipykernel, six; print(emkit.__version__)');
  expect(run.stderr).toBe('');
  expect(run.stdout.trim()).toBe('0.1.0');
  const spec = JSON.parse(readFileSync(join(bridge.kernelsDir, environment.kernelName, 'kernel.json'), 'utf8'));
  expect(spec.argv[0]).toBe(join(environment.path, 'bin', 'python'));
  expect(spec.argv).toContain('ipykernel_launcher');
  expect(spec.argv).toContain('--ext=emkit');
  expect(spec.display_name).toContain(environment.name);
  // the kernel really starts: ask the env's jupyter_client for the spec by name
  const jupyterEnv = { ...process.env, JUPYTER_PATH: join(bridge.kernelsDir, '..') };
  const found = spawnSync(
    join(environment.path, 'bin', 'python'),
    [
      '-c',
      `from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec("${environment.kernelName}").argv[0])`,
    ],
    { encoding: 'utf8', env: jupyterEnv },
  );
  expect(found.stdout.trim()).toBe(spec.argv[0]);
  // and, started from its spec, it has the %emkit magics without %load_ext
  const started = spawnSync(
    join(environment.path, 'bin', 'python'),
    [
      '-c',
      [
        'from jupyter_client.manager import start_new_kernel',
        `km, kc = start_new_kernel(kernel_name="${environment.kernelName}", startup_timeout=60)`,
        'try:',
        "    kc.execute_interactive(\"print('magics:', 'emkit' in get_ipython().magics_manager.magics['line'])\", timeout=60)",
        'finally:',
        '    kc.stop_channels()',
        '    km.shutdown_kernel(now=True)',
      ].join('\n'),
    ],
    { encoding: 'utf8', env: jupyterEnv, timeout: 120_000 },
  );
  expect(started.stdout, started.stderr).toContain('magics: True');
}

async function deleteAndCheckGone(bridge: TestBridge, environment: Environment) {
  const deleting = await bridge.client.api.deleteEnvironment({ params: { id: environment.name } });
  expect(deleting.state).toBe('DELETE IN PROGRESS');
  await waitFor(
    () =>
      bridge.client.api.getEnvironment({ params: { id: environment.id } }).then(
        () => undefined,
        (e) => e.status === 404,
      ),
    60_000,
    'deletion',
  );
  expect(existsSync(environment.path)).toBe(false);
  expect(existsSync(join(bridge.kernelsDir, environment.kernelName))).toBe(false);
}

describe('venv environments with python -m venv and pip', () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge({ env: { PATH: pathWithoutUv } });
  });
  afterAll(async () => {
    await bridge.stop();
    removeDir(bridge.home);
  });

  it('creates one with packages and requirements, registers its kernel, and deletes it', async () => {
    const api = bridge.client.api;
    const managers = await api.listEnvironmentManagers({});
    expect(managers.managers.find((m) => m.manager === 'venv')).toMatchObject({ available: true, binary: null });
    const created = await api.createEnvironment({ body: { name: 'pip-env', packages: ['six'], requirements: 'packaging\n' } });
    expect(created.state).toBe('CREATE IN PROGRESS');
    const environment = await settled(bridge.client, created.id);
    await checkUsable(bridge, environment);
    expect(python(environment, 'import packaging').status).toBe(0);
    const log = await api.getEnvironmentLog({ params: { id: 'pip-env' } });
    expect(log.text).toContain('-m venv');
    expect(log.text).toContain('pip install');
    expect(log.text).toMatch(/Successfully installed/);
    expect((await api.listEnvironments({})).items.map((e) => e.name)).toContain('pip-env');
    await deleteAndCheckGone(bridge, environment);
  });

  it('reports a failing install as CREATE FAILED with the tail of its output', async () => {
    const api = bridge.client.api;
    const created = await api.createEnvironment({ body: { name: 'broken', packages: ['emkit-no-such-package-0xdead'] } });
    const environment = await settled(bridge.client, created.id);
    expect(environment.state).toBe('CREATE FAILED');
    expect(environment.stateReason).toMatch(/pip install failed \(exit 1\)/);
    expect(environment.stateReason).toMatch(/emkit-no-such-package-0xdead/);
    expect(existsSync(join(bridge.kernelsDir, environment.kernelName))).toBe(false);
    await deleteAndCheckGone(bridge, environment);
  });

  it('refuses an unknown Python version, a taken name, an invalid name and a missing manager', async () => {
    const api = bridge.client.api;
    await expect(api.createEnvironment({ body: { name: 'old-py', python: '3.2' } })).rejects.toMatchObject({
      status: 422,
      field: 'python',
      message: expect.stringMatching(/Python 3\.2 isn't installed.*found: 3\./),
    });
    await expect(api.createEnvironment({ body: { name: 'Bad/Name' } })).rejects.toMatchObject({ status: 400, field: 'name' });
    const first = await api.createEnvironment({ body: { name: 'twice', packages: ['emkit-no-such-package-0xdead'] } });
    await expect(api.createEnvironment({ body: { name: 'twice' } })).rejects.toMatchObject({ status: 409 });
    await expect(api.deleteEnvironment({ params: { id: 'twice' } })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/still being created/),
    });
    await settled(bridge.client, first.id);
    const absent = managers.filter((m) => !which(m));
    for (const manager of absent) {
      await expect(api.createEnvironment({ body: { name: `with-${manager}`, manager } })).rejects.toMatchObject({
        status: 422,
        field: 'manager',
      });
    }
    expect((await api.listEnvironments({})).items.map((e) => e.name)).not.toContain('old-py');
  });
});

describe('venv environments with uv', () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    if (uvDir) bridge = await startBridge({ env: { PATH: `${uvDir}${delimiter}${pathWithoutUv}` } });
  });
  afterAll(async () => {
    if (!bridge) return;
    await bridge.stop();
    removeDir(bridge.home);
  });

  it.skipIf(!uvDir)(
    `creates one through uv and deletes it${uvDir ? '' : ' — skipped: uv is not installed (`npm run setup` puts it in .venv)'}`,
    async () => {
      const created = await bridge.client.api.createEnvironment({ body: { name: 'uv-env', packages: ['six'] } });
      const environment = await settled(bridge.client, created.id);
      await checkUsable(bridge, environment);
      const log = await bridge.client.api.getEnvironmentLog({ params: { id: 'uv-env' } });
      expect(log.text).toMatch(/uv venv --seed/);
      expect(log.text).toMatch(/uv pip install/);
      // --seed: the user can still `%pip install` in a notebook
      expect(python(environment, 'import pip').status).toBe(0);
      await deleteAndCheckGone(bridge, environment);
    },
  );
});

const managers = ['conda', 'mamba', 'micromamba'] as const;
for (const manager of managers) {
  const binary = which(manager);
  describe(`${manager} environments`, () => {
    let bridge: TestBridge;
    beforeAll(async () => {
      if (binary) bridge = await startBridge();
    });
    afterAll(async () => {
      if (!bridge) return;
      await bridge.stop();
      removeDir(bridge.home);
    });

    const skipped = binary ? '' : ` — skipped: ${manager} is not on the PATH`;
    it.skipIf(!binary)(`creates a ${manager} prefix under the home with the Python asked for${skipped}`, async () => {
      const created = await bridge.client.api.createEnvironment({
        body: { name: `${manager}-env`, manager, python: '3.11', packages: ['six'] },
      });
      const environment = await settled(bridge.client, created.id);
      expect(environment.path).toBe(join(bridge.home, 'envs', `${manager}-env`));
      await checkUsable(bridge, environment);
      expect(environment.python).toMatch(/^3\.11\./);
      await deleteAndCheckGone(bridge, environment);
    });
  });
}
