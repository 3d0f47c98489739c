import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, projectEnv, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { hasProc } from '../support/processes.js';
import { fullLog, pythonHas, settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// A cluster started by a bridge ends with that bridge, so the cluster here belongs to a second
// bridge (the owner) and the bridge under test adds it by address and token, as a user adds a
// cluster that runs elsewhere — then is killed with `kill -9` mid-training and restarted.
const hasRay = hasProc && pythonHas(venvPython, 'ray');
const reason = hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)';

let owner: TestBridge;
let bridge: TestBridge;
let cluster: Cluster;
let work: string;

function emkit(target: TestBridge, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, '--url', target.url, '--token', target.token, ...args], {
      env: projectEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-cluster-restart-');
  owner = await startBridge();
  const up = await emkit(owner, '--json', 'cluster', 'up', 'owned', '--nodes', '2', '--cpus-per-node', '1', '--memory-mb', '512');
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  const owned = JSON.parse(up.stdout) as Cluster;
  const token = readFileSync(join(owner.home, 'clusters', owned.id, 'token'), 'utf8').trim();
  bridge = await startBridge({ args: ['--cluster-poll', '0.5'] });
  cluster = await bridge.client.api.createCluster({ body: { name: 'elsewhere', address: owned.address, token } });
  await waitFor(
    async () => (await bridge.client.api.getCluster({ params: { id: cluster.name } })).state === 'REACHABLE',
    60_000,
    'the added cluster to be REACHABLE',
  );
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  await bridge?.stop();
  await owner?.client.api.deleteCluster({ params: { id: 'owned' } }).catch(() => {});
  await owner?.stop();
  for (const dir of [bridge?.home, owner?.home, work]) removeDir(dir ?? '');
}, 60_000);

describe('a cluster training and a bridge killed with kill -9', () => {
  it.skipIf(!hasRay)(
    `ends COMPLETE with its full log and its model after the bridge is killed and restarted${reason}`,
    async () => {
      const source = writeTree(join(work, 'steady'), {
        'steady.py': [
          'import os, time',
          'for i in range(16):',
          '    print("line", i, flush=True)',
          '    time.sleep(0.5)',
          'open(os.path.join(os.environ["EM_MODEL_DIR"], "weights.txt"), "w").write("trained\\n")',
          '',
        ].join('\n'),
      });
      const submitted = await bridge.client.api.createTraining({
        body: { source: { path: join(source, 'steady.py') }, cluster: cluster.name },
      });
      await trainingInState(bridge.client, submitted.id, 'RUNNING', 180_000);
      await waitFor(async () => (await fullLog(bridge.client, submitted.id)).includes('line 2'), 60_000, 'line 2');
      const { home, port } = bridge;
      await bridge.kill9();
      bridge = await startBridge({ home, port, args: ['--cluster-poll', '0.5'] });
      const done = await settledTraining(bridge.client, submitted.id, 180_000);
      const log = await fullLog(bridge.client, submitted.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      expect(log).toBe(Array.from({ length: 16 }, (_, i) => `line ${i}\n`).join(''));
      expect(existsSync(join(done.dir, 'model', 'weights.txt'))).toBe(true);
    },
    300_000,
  );
});
