import { join } from 'node:path';
import type { Cluster, EventMessage, ResourceEvent, Tuning } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { hasProc } from '../support/processes.js';
import { pythonHas, venvPython } from '../support/trainings.js';
import { mostTrainingsAtOnce, quadraticLoss, settledTuning, writeQuadratic } from '../support/tunings.js';

// A tuning's trials on a real one-node Ray cluster (2 CPUs), started with `emkit cluster up` through a real
// bridge: each trial a cluster training, two at a time, its objective read from the metrics it pushes back.
const hasRay = hasProc && pythonHas(venvPython, 'ray');
const reason = hasRay ? '' : ' (SKIPPED: ray is not installed in .venv — `npm run setup` installs requirements-dev.txt)';

let bridge: TestBridge;
let cluster: Cluster;
let work: string;
/** every event of the bridge since the start, in order */
const events: ResourceEvent[] = [];
let socket: WebSocket;

beforeAll(async () => {
  if (!hasRay) return;
  work = tempDir('emkit-tunings-cluster-');
  bridge = await startBridge({ args: ['--cluster-poll', '0.5'] });
  socket = new WebSocket(bridge.client.eventsUrl(0), bridge.client.socketProtocols());
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as EventMessage;
    if (message.type === 'event') events.push(message.event);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  const up = await emkitCli(
    bridge,
    '--json',
    'cluster',
    'up',
    'tc',
    '--nodes',
    '1',
    '--cpus-per-node',
    '2',
    '--memory-mb',
    '768',
  );
  if (up.code !== 0) throw new Error(`emkit cluster up failed (${up.code}): ${up.stderr}\n${up.stdout}`);
  cluster = JSON.parse(up.stdout) as Cluster;
}, 300_000);

afterAll(async () => {
  if (!hasRay) return;
  socket?.close();
  await bridge?.client.api.deleteCluster({ params: { id: 'tc' } }).catch(() => {});
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
}, 60_000);

describe('a tuning on a Ray cluster', () => {
  it.skipIf(!hasRay)(
    `runs its trials as cluster trainings, up to parallel at once, and reads their objective${reason}`,
    async () => {
      const script = writeQuadratic(join(work, 'quadratic'));
      const created = await bridge.client.api.createTuning({
        body: {
          name: 'on-ray',
          source: { path: script },
          space: { x: { type: 'int', low: 1, high: 3 } },
          fixed: { y: '-1', steps: '3', pause: '0.05' },
          objective: { metric: 'loss', mode: 'min' },
          algorithm: 'grid',
          parallel: 2,
          cluster: cluster.name,
        },
      });
      expect(created.cluster).toBe(cluster.name);
      const done = await settledTuning(bridge.client, created.id, 240_000);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      expect(done.trials).toMatchObject({ total: 3, complete: 3 });
      expect(done.best?.params).toEqual({ x: 2 });
      for (const trial of (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items) {
        const training = await bridge.client.api.getTraining({ params: { id: trial.trainingId as string } });
        expect(training).toMatchObject({ cluster: cluster.name, python: 'python', state: 'COMPLETE' });
        expect(training.placement).toHaveLength(1);
        expect(trial.value).toBeCloseTo(quadraticLoss(trial.params.x as number, -1, 3), 4);
      }
    },
    300_000,
  );

  it.skipIf(!hasRay)(
    `runs no more trials at once than the cluster's CPUs hold, whatever parallel says, and says so${reason}`,
    async () => {
      const script = writeQuadratic(join(work, 'quadratic-capped'));
      // 4 trials, parallel 4, on a cluster of 2 CPUs where a trial asks 1: two at a time
      const created = await bridge.client.api.createTuning({
        body: {
          name: 'on-ray-capped',
          source: { path: script },
          space: { x: { type: 'int', low: 1, high: 4 } },
          fixed: { y: '-1', steps: '3', pause: '0.05' },
          objective: { metric: 'loss', mode: 'min' },
          algorithm: 'grid',
          parallel: 4,
          cluster: cluster.name,
        },
      });
      expect(created.parallel).toBe(4);
      const capped = 'up to 2 trials at once (parallel 4): cluster "tc" has 2 CPUs alive, a trial asks 1 CPU';
      expect(created).toMatchObject({ state: 'RUNNING', stateReason: capped });
      const done = await settledTuning(bridge.client, created.id, 240_000);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      expect(done.stateReason).toBeNull();
      expect(done.trials).toMatchObject({ total: 4, complete: 4 });
      expect(done.best?.params).toEqual({ x: 2 });
      // the trainings' events: two made at once, never a third before one of them settled
      expect(mostTrainingsAtOnce(events, created.id)).toBe(2);
      // the figure was there for all to see from its first trials on, as long as it ran
      const running = events
        .filter((e) => e.resource === 'tunings' && e.id === created.id && e.action !== 'trial')
        .map((e) => e.data as unknown as Tuning | null)
        .filter((t): t is Tuning => t?.state === 'RUNNING');
      const first = running.findIndex((t) => t.stateReason === capped);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(running.slice(first).map((t) => t.stateReason)).toEqual(running.slice(first).map(() => capped));
    },
    300_000,
  );
});
