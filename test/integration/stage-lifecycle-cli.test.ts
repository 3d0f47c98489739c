import { join } from 'node:path';
import type { EndpointStage } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, writeCustomModel } from '../support/endpoints.js';
import { venvPython, writeTree } from '../support/trainings.js';

// `emkit endpoint stage update|deploy|deactivate|activate` against a real bridge with real
// workers: what a user types, its output and its exit codes.

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-stage-cli-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const emkit = (...args: string[]) => emkitCli(bridge, ...args);
const json = async (...args: string[]) => {
  const run = await emkit('--json', ...args);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as EndpointStage;
};

describe('emkit endpoint stage update|deploy|deactivate|activate', () => {
  it('changes what watches a stage one option at a time, and refuses what the bridge refuses', async () => {
    await bridge.client.api.createModel({ body: { name: 'cli-w', artifactPath: writeCustomModel(join(work, 'w'), 'w') } });
    await bridge.client.api.createEndpoint({ body: { name: 'cli-w', model: 'cli-w' } });
    await activeEndpoint(bridge.client, 'cli-w');

    const on = await json(
      'endpoint',
      'stage',
      'update',
      'cli-w',
      'default',
      '--memory-limit',
      '256',
      '--payload-logging',
      '--sample-rate',
      '0.5',
      '--redact',
      'ssn',
      '--redact',
      'card',
    );
    expect(on).toMatchObject({ memoryLimitMb: 256, payloadLogging: { enabled: true, sampleRate: 0.5, redact: ['ssn', 'card'] } });
    // one option changes one thing: the rest of payload logging stays as it was
    const rate = await json('endpoint', 'stage', 'update', 'cli-w', 'default', '--sample-rate', '0.25');
    expect(rate.payloadLogging).toMatchObject({ enabled: true, sampleRate: 0.25, redact: ['ssn', 'card'] });
    const drift = await json('endpoint', 'stage', 'update', 'cli-w', 'default', '--drift-window', '10s', '--min-count', '5');
    expect(drift.drift).toMatchObject({ window: '10s', minCount: 5, reference: null });

    const shown = await emkit('endpoint', 'stage', 'get', 'cli-w', 'default');
    expect(shown.stdout).toMatch(/memoryLimit\s+256 MB/);
    expect(shown.stdout).toMatch(/payloadLogging\s+on \(25 %, redacting ssn, card\)/);
    expect(shown.stdout).toMatch(/drift\s+every 10s against its training's table/);

    // payload logging can't go while drift reads it: the bridge's 400, exit 2
    const refused = await emkit('endpoint', 'stage', 'update', 'cli-w', 'default', '--no-payload-logging');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/drift watch reads the stage's payload log/);
    const off = await json(
      'endpoint',
      'stage',
      'update',
      'cli-w',
      'default',
      '--no-drift',
      '--no-payload-logging',
      '--memory-limit',
      'none',
    );
    expect(off).toMatchObject({ memoryLimitMb: null, payloadLogging: { enabled: false }, drift: null });

    const nothing = await emkit('endpoint', 'stage', 'update', 'cli-w', 'default');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/say what to change/);
    expect((await emkit('endpoint', 'stage', 'update', 'cli-w', 'default', '--sample-rate', 'half')).code).toBe(2);
    expect((await emkit('endpoint', 'stage', 'update', 'cli-w', 'nope', '--memory-limit', '100')).code).toBe(4);
    await bridge.client.api.deleteEndpoint({ params: { id: 'cli-w' } });
  });

  it('deactivates and activates a stage, and deploys a failed one again, with --wait and exit codes', async () => {
    await bridge.client.api.createModel({ body: { name: 'cli-t', artifactPath: writeCustomModel(join(work, 't'), 't') } });
    await bridge.client.api.createEndpoint({ body: { name: 'cli-t', model: 'cli-t' } });
    await activeEndpoint(bridge.client, 'cli-t');

    const down = await emkit('endpoint', 'stage', 'deactivate', 'cli-t', 'default');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/state\s+INACTIVE/);
    const predict = await emkit('predict', 'cli-t', '--data', '[[1]]');
    expect(predict.code).toBe(1);
    expect(predict.stderr).toMatch(/INACTIVE/);
    expect((await emkit('endpoint', 'stage', 'deactivate', 'cli-t', 'default')).code).toBe(5);
    const up = await emkit('--json', 'endpoint', 'stage', 'activate', 'cli-t', 'default', '--wait');
    expect(up.code, up.stderr).toBe(0);
    expect((JSON.parse(up.stdout) as EndpointStage).state).toBe('ACTIVE');
    expect((await emkit('predict', 'cli-t', '--data', '[[1, 2]]')).stdout.trim()).toBe('["t",3]');
    // an ACTIVE stage isn't deployed again in place
    expect((await emkit('endpoint', 'stage', 'deploy', 'cli-t', 'default')).code).toBe(5);
    await bridge.client.api.deleteEndpoint({ params: { id: 'cli-t' } });

    // a model that can't load fails again when deployed again unchanged: --wait exits 6 with the reason
    const broken = writeTree(join(work, 'broken'), { 'predict.py': 'import not_a_module_anywhere\n' });
    await bridge.client.api.createModel({ body: { name: 'cli-b', artifactPath: broken } });
    await bridge.client.api.createEndpoint({ body: { name: 'cli-b', model: 'cli-b' } });
    await waitFor(
      async () =>
        (await bridge.client.api.getEndpointStage({ params: { id: 'cli-b', stage: 'default' } })).state === 'DEPLOY FAILED',
      60_000,
      'the broken stage to fail',
    );
    const again = await emkit('endpoint', 'stage', 'deploy', 'cli-b', 'default', '--wait');
    expect(again.code).toBe(6);
    expect(again.stderr).toMatch(/DEPLOY FAILED: .*ModuleNotFoundError/s);
    await bridge.client.api.deleteEndpoint({ params: { id: 'cli-b' } });
  });
});
