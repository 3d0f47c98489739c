import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { fullLog, pythonHas, settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

const hasTorch = pythonHas(venvPython, 'torch', 'torch.distributed');

let work: string;
beforeAll(() => {
  work = tempDir('emkit-resilience-');
});
afterAll(() => removeDir(work));

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

describe('a training outlives its bridge', () => {
  it('keeps running through kill -9 of the bridge; the restarted bridge sees it COMPLETE, with its full log', async () => {
    const home = tempDir('emkit-home-');
    const source = writeTree(join(work, 'survivor'), {
      'slow.py': 'import time\nfor i in range(30):\n    print("line", i, flush=True)\n    time.sleep(0.1)\nprint("done")\n',
    });
    let bridge = await startBridge({ home });
    try {
      const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'slow.py') } } });
      await trainingInState(bridge.client, training.id, 'RUNNING');
      await bridge.kill9();
      // the training goes on with no bridge at all
      await new Promise((r) => setTimeout(r, 1000));
      bridge = await startBridge({ home });
      const done = await settledTraining(bridge.client, training.id, 30_000);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      const log = await fullLog(bridge.client, training.id);
      const expected = `${Array.from({ length: 30 }, (_, i) => `line ${i}\n`).join('')}done\n`;
      expect(log).toBe(expected);
    } finally {
      await bridge.stop();
      removeDir(home);
    }
  });

  it('settles a training that ended while no bridge ran, and fails one whose processes vanished, saying why', async () => {
    const home = tempDir('emkit-home-');
    const source = writeTree(join(work, 'quick'), {
      'quick.py': 'import time\ntime.sleep(1.5)\nprint("finished alone")\n',
      'hang.py': 'import time\nprint("hanging", flush=True)\ntime.sleep(600)\n',
    });
    let bridge = await startBridge({ home });
    try {
      const quick = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'quick.py') } } });
      const hang = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'hang.py') } } });
      await trainingInState(bridge.client, hang.id, 'RUNNING');
      const status = JSON.parse(readFileSync(join(hang.dir, 'status.json'), 'utf8')) as {
        supervisorPid: number;
        ranks: { pid: number }[];
      };
      await bridge.stop();
      // the whole tree of `hang` disappears, as in a reboot
      for (const pid of [status.supervisorPid, ...status.ranks.map((r) => r.pid)]) process.kill(-pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 2500));
      bridge = await startBridge({ home });
      const quickDone = await settledTraining(bridge.client, quick.id, 20_000);
      expect(quickDone.state).toBe('COMPLETE');
      expect(await fullLog(bridge.client, quick.id)).toContain('finished alone');
      const hangDone = await settledTraining(bridge.client, hang.id, 20_000);
      expect(hangDone.state).toBe('FAIL TRAIN');
      expect(hangDone.stateReason).toMatch(/ended without a result/);
    } finally {
      await bridge.stop();
      removeDir(home);
    }
  });
});

describe('big logs and many ranks', () => {
  let bridge: TestBridge;
  beforeAll(async () => {
    bridge = await startBridge();
  });
  afterAll(async () => {
    await bridge?.stop();
    removeDir(bridge?.home ?? '');
  });

  it('stores every line of a 200,000-line flood, in order, without growing the bridge', async () => {
    const source = writeTree(join(work, 'flood'), {
      'flood.py': 'import sys\nw = sys.stdout.write\nfor i in range(200000):\n    w(f"line {i:06d} " + "x" * 40 + "\\n")\n',
    });
    const before = rssKb(bridge.process.pid as number);
    // a live reader follows the flood the whole time, as an editor's log view would
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'flood.py') } } });
    const { default: WebSocket } = await import('ws');
    const socket = new WebSocket(bridge.client.trainingLogUrl(training.id), bridge.client.socketProtocols());
    let streamed = 0;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(bridge.process.pid as number));
    }, 50);
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; text?: string };
        if (message.type === 'chunk') streamed += (message.text?.match(/\n/g) ?? []).length;
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    clearInterval(sampler);
    const done = await settledTraining(bridge.client, training.id);
    expect(done.state).toBe('COMPLETE');
    expect(streamed).toBe(200_000);
    const log = await fullLog(bridge.client, training.id);
    const lines = log.split('\n').filter(Boolean);
    expect(lines).toHaveLength(200_000);
    expect(lines[0]).toMatch(/^line 000000 /);
    expect(lines[199_999]).toMatch(/^line 199999 /);
    expect(lines.every((line, i) => line.startsWith(`line ${String(i).padStart(6, '0')} `))).toBe(true);
    // 11 MB of log went through; the bridge held chunks, not the log
    expect(peak - before).toBeLessThan(150 * 1024);
  });

  it.skipIf(!hasTorch)(
    `starts 2 ranks with the variables torchrun sets, each with its own log, and they all-reduce over gloo${hasTorch ? '' : ' (SKIPPED: torch is not installed in .venv)'}`,
    async () => {
      const source = writeTree(join(work, 'ddp'), {
        'ddp.py': [
          'import os, torch, torch.distributed as dist',
          'names = ["RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"]',
          'print({n: os.environ[n] for n in names}, flush=True)',
          'dist.init_process_group("gloo")',
          't = torch.tensor([float(dist.get_rank() + 1)])',
          'dist.all_reduce(t)',
          'print("sum", t.item(), flush=True)',
          'dist.destroy_process_group()',
        ].join('\n'),
      });
      const training = await bridge.client.api.createTraining({
        body: { source: { path: join(source, 'ddp.py') }, instanceCount: 2 },
      });
      const done = await settledTraining(bridge.client, training.id, 120_000);
      const logs = [await fullLog(bridge.client, training.id, 0), await fullLog(bridge.client, training.id, 1)];
      expect(done.state, `${done.stateReason}\n${logs.join('\n---\n')}`).toBe('COMPLETE');
      for (const [rank, log] of logs.entries()) {
        expect(log).toContain(`'RANK': '${rank}'`);
        expect(log).toContain(`'LOCAL_RANK': '${rank}'`);
        expect(log).toContain("'WORLD_SIZE': '2'");
        expect(log).toContain("'MASTER_ADDR': '127.0.0.1'");
        expect(log).toContain('sum 3.0');
      }
      const port = (log: string) => /'MASTER_PORT': '(\d+)'/.exec(log)?.[1];
      expect(port(logs[0] ?? '')).toBe(port(logs[1] ?? ''));
      const missing = await bridge.client.api.getTrainingLog({ params: { id: training.id }, query: { rank: 2 } }).catch((e) => e);
      expect(missing.status).toBe(404);
    },
  );
});

describe('requirements.txt', () => {
  it('is installed into the environment before the entry point runs', async () => {
    const bridge = await startBridge();
    try {
      await bridge.client.api.createEnvironment({ body: { name: 'reqs' } });
      const env = await waitFor(
        async () => {
          const environment = await bridge.client.api.getEnvironment({ params: { id: 'reqs' } });
          return environment.state === 'CREATE IN PROGRESS' ? undefined : environment;
        },
        300_000,
        'the environment',
      );
      expect(env.state, env.stateReason ?? '').toBe('ACTIVE');
      const source = writeTree(join(work, 'reqs'), {
        'requirements.txt': 'tabulate\n',
        'use.py': 'import tabulate\nprint(tabulate.tabulate([[1, 2]], headers=["a", "b"]))\n',
      });
      const training = await bridge.client.api.createTraining({
        body: { source: { path: join(source, 'use.py') }, environment: 'reqs' },
      });
      const done = await settledTraining(bridge.client, training.id, 300_000);
      const log = await fullLog(bridge.client, training.id);
      expect(done.state, `${done.stateReason}\n${log}`).toBe('COMPLETE');
      expect(done.environment).toBe('reqs');
      expect(done.python).toBe(join(env.path, 'bin', 'python'));
      expect(log).toContain('requirements.txt');
      expect(log).toMatch(/a\s+b/);
      // an environment in use by a running training can't be deleted; a settled one doesn't hold it
      await bridge.client.api.deleteEnvironment({ params: { id: 'reqs' } });
    } finally {
      await bridge.stop();
      removeDir(bridge.home);
    }
  }, 600_000);
});
