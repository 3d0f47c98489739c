import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasTensorboard = pythonHas(venvPython, 'tensorboard');
const reason = hasTensorboard ? '' : ' (SKIPPED: tensorboard is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--tensorboard-idle', '3'] });
  work = tempDir('emkit-tb-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const METRICS_SCRIPT = [
  'import sys',
  'from emkit.tracking import log_metric',
  'for step in range(5):',
  '    log_metric("loss", 1.0 / (step + 1), step)',
].join('\n');

describe('TensorBoard', () => {
  it.skipIf(!hasTensorboard)(
    `serves an experiment's trainings as named runs behind the authenticated proxy${reason}`,
    async () => {
      const source = writeTree(join(work, 'runs'), { 'fit.py': METRICS_SCRIPT });
      await bridge.client.api.createExperiment({ body: { name: 'boards' } });
      const names = ['run-a', 'run-b'];
      for (const name of names) {
        const t = await bridge.client.api.createTraining({
          body: { source: { path: join(source, 'fit.py') }, experiment: 'boards', name },
        });
        expect((await settledTraining(bridge.client, t.id)).state).toBe('COMPLETE');
      }
      const created = await bridge.client.api.createTensorboard({ body: { experiment: 'boards' } });
      expect(created.trainings.map((t) => t.name).sort()).toEqual(names);
      const again = await bridge.client.api.createTensorboard({ body: { experiment: 'boards' } });
      expect(again.id).toBe(created.id);
      const running = await waitFor(
        async () => {
          const board = await bridge.client.api.getTensorboard({ params: { id: created.id } });
          if (board.state === 'CREATE FAILED') throw new Error(board.stateReason ?? 'failed');
          return board.state === 'RUNNING' ? board : undefined;
        },
        90_000,
        'TensorBoard to run',
      );
      expect(running.path).toBe(`/tensorboard/${created.id}/`);

      // no token, no TensorBoard
      expect((await fetch(`${bridge.url}${running.path}`)).status).toBe(401);
      expect((await fetch(`${bridge.url}${running.path}?token=wrong`)).status).toBe(401);

      // a browser tab: a one-time ticket → a session cookie and the ticket out of the address bar
      const opened = await fetch(await bridge.client.tensorboardUrl(created.id), { redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('location')).toBe(running.path);
      const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      expect(cookie).toMatch(/^emkit_session=/);
      expect(cookie).not.toContain(bridge.token);
      const page = await fetch(`${bridge.url}${running.path}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<title>TensorBoard<\/title>[\s\S]*<tb-webapp/);

      // one named run per training, with the scalars the training logged
      const runs = (await (await fetch(`${bridge.url}${running.path}data/runs`, { headers: { cookie } })).json()) as string[];
      // each run is called after its training, as a user looks for it
      expect(runs.sort()).toEqual(names);
      const scalars = await waitFor(
        async () => {
          const response = await fetch(
            `${bridge.url}${running.path}data/plugin/scalars/scalars?run=${encodeURIComponent('run-a')}&tag=loss`,
            {
              headers: { authorization: `Bearer ${bridge.token}` },
            },
          );
          return response.ok ? ((await response.json()) as [number, number, number][]) : undefined;
        },
        30_000,
        'the scalars',
      );
      expect(scalars.map(([, step]) => step)).toEqual([0, 1, 2, 3, 4]);
      expect(scalars[4]?.[2]).toBeCloseTo(0.2, 6);

      // idle for longer than --tensorboard-idle: stopped
      const stopped = await waitFor(
        async () => {
          const board = await bridge.client.api.getTensorboard({ params: { id: created.id } });
          return board.state === 'STOPPED' ? board : undefined;
        },
        30_000,
        'the idle TensorBoard to be stopped',
      );
      expect(stopped.stateReason).toMatch(/without a visit/);
      expect((await fetch(`${bridge.url}${running.path}`, { headers: { cookie } })).status).toBe(409);
      const runsFolder = join(bridge.home, 'logs', 'tensorboards', `${created.id}.runs`);
      expect(existsSync(join(runsFolder, 'run-a'))).toBe(true);
      await bridge.client.api.deleteTensorboard({ params: { id: created.id } });
      expect(existsSync(runsFolder)).toBe(false);
    },
  );

  it('says how to get TensorBoard when no environment has it', async () => {
    // a bridge whose Python and PATH have no tensorboard
    const bare = await startBridge({ args: ['--python', '/usr/bin/python3'], env: { PATH: '/usr/bin:/bin' } });
    try {
      const source = writeTree(join(work, 'bare'), { 'fit.py': 'print(1)\n' });
      const training = await bare.client.api.createTraining({ body: { source: { path: join(source, 'fit.py') } } });
      await settledTraining(bare.client, training.id);
      const error = await bare.client.api.createTensorboard({ body: { training: training.id } }).catch((e: ApiError) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(422);
      expect((error as ApiError).message).toContain('pip install tensorboard');
    } finally {
      await bare.stop();
      removeDir(bare.home);
    }
  });
});
