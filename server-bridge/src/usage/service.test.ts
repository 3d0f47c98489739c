import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceEvent, UsageEventData } from '@emkit/shared';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../store/index.js';
import { insertScriptTraining } from '../testing/training-rows.js';
import { UsageService } from './service.js';
import type { SidecarRound } from './sidecar.js';
import type { LocalWorker } from './targets.js';

// The service between the sidecar's rounds and the store, the event stream, latest() and the
// memory limit. The sidecar is stood in for: its own tests (Python, and the integration test)
// sample real processes; here each round is what a test says it is.

const dir = mkdtempSync(join(tmpdir(), 'emkit-usage-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const numbers = (cpu: number, memory: number) => ({
  cpuPercent: cpu,
  memoryMb: memory,
  threads: 1,
  openFiles: 0,
  gpuPercent: null,
  gpuMemoryMb: null,
});

/** A sidecar that answers each round with the samples a test queued, by key prefix. */
class ScriptedSidecar {
  gpu = false;
  asked: { key: string; pid: number }[][] = [];
  answers: ((targets: { key: string; pid: number }[]) => SidecarRound | null)[] = [];
  async sample(targets: { key: string; pid: number }[]): Promise<SidecarRound | null> {
    this.asked.push([...targets]);
    return this.answers.shift()?.(targets) ?? null;
  }
  async stop(): Promise<void> {}
}

describe('the usage service', () => {
  const store = new Store(join(dir, 'emkit.db'));
  const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
  const training = insertScriptTraining(store, { name: 'two-ranks', experimentId, dir: join(dir, 'run') });
  store.tx(() => store.trainings.update(training.id, { state: 'RUNNING' }));
  mkdirSync(join(dir, 'run'));
  writeFileSync(
    join(dir, 'run', 'status.json'),
    JSON.stringify({
      state: 'RUNNING',
      supervisorPid: 10,
      ranks: [
        { rank: 0, pid: 11, exitCode: null },
        { rank: 1, pid: 12, exitCode: null },
        { rank: 2, pid: 13, exitCode: 0 },
      ],
    }),
  );
  const workers: LocalWorker[] = [
    { endpointId: 'ep', stageId: 's1', stage: 'default', index: 0, pid: 21, memoryLimitMb: 256 },
    { endpointId: 'ep', stageId: 's2', stage: 'canary', index: 0, pid: 22, memoryLimitMb: null },
  ];
  const sidecar = new ScriptedSidecar();
  const over: [LocalWorker, number, number][] = [];
  const usage = new UsageService(store, {
    sidecar,
    intervalMs: 0,
    log: pino({ level: 'silent' }),
    workers: () => workers,
    overMemoryLimit: (worker, limit, rss) => over.push([worker, limit, rss]),
  });
  const events: ResourceEvent[] = [];
  store.events.bus.on('event', (e: ResourceEvent) => events.push(e));

  it('asks for the running ranks and the workers, and stores, announces and keeps the latest of each', async () => {
    sidecar.answers.push((targets) => ({
      time: '2026-12-07T12:00:00.000Z',
      samples: targets.map(({ key, pid }) => ({ key, pid, ...numbers(pid, pid * 10) })),
      gone: [],
    }));
    await usage.round();
    // the rank that has ended is not asked for
    expect(sidecar.asked[0]?.map((t) => t.pid)).toEqual([11, 12, 21, 22]);
    expect(usage.latest('trainings', training.id).map((p) => [p.process, p.kind, p.pid, p.sample.memoryMb])).toEqual([
      ['rank 0', 'rank', 11, 110],
      ['rank 1', 'rank', 12, 120],
    ]);
    expect(usage.latest('endpoints', 'ep', 'canary').map((p) => [p.process, p.stage, p.pid])).toEqual([
      ['worker 0', 'canary', 22],
    ]);
    expect(usage.latest('endpoints', 'ep')).toHaveLength(2);
    expect(usage.latest('batch-inferences', 'none')).toEqual([]);
    // one event for the training (the endpoint isn't in the store: nothing stored or announced for it)
    const announced = events.filter((e) => e.action === 'usage');
    expect(announced.map((e) => [e.resource, e.id])).toEqual([['trainings', training.id]]);
    expect((announced[0]?.data as UsageEventData | undefined)?.processes).toHaveLength(2);
    expect(store.usage.series('trainings', training.id)).toHaveLength(2);
    // the summary adds the ranks up: 110 + 120 MB, 11 + 12 % CPU
    expect(store.usage.summary('trainings', training.id)).toEqual({ rounds: 1, peakMemoryMb: 230, meanCpuPercent: 23 });
    // worker 0 of "default" holds 210 MB, under its 256 MB limit
    expect(over).toEqual([]);
  });

  it('hands a worker over its stage limit to the pool, and only that one', async () => {
    sidecar.answers.push((targets) => ({
      time: '2026-12-07T12:00:05.000Z',
      samples: targets.map(({ key, pid }) => ({ key, pid, ...numbers(1, pid === 21 ? 300.4 : 5000) })),
      gone: [],
    }));
    await usage.round();
    expect(over).toEqual([[workers[0], 256, 300.4]]);
    expect(store.usage.summary('trainings', training.id)).toEqual({ rounds: 2, peakMemoryMb: 10000, meanCpuPercent: 12.5 });
  });

  it('keeps no latest sample of a process that is gone, nor any while the sidecar cannot answer', async () => {
    sidecar.answers.push((targets) => ({
      time: '2026-12-07T12:00:10.000Z',
      samples: targets.filter((t) => t.pid !== 12).map(({ key, pid }) => ({ key, pid, ...numbers(1, 1) })),
      gone: targets.filter((t) => t.pid === 12).map((t) => t.key),
    }));
    await usage.round();
    expect(usage.latest('trainings', training.id).map((p) => p.process)).toEqual(['rank 0']);
    sidecar.answers.push(() => null);
    await usage.round();
    expect(usage.latest('trainings', training.id)).toEqual([]);
  });

  it('serves the stored series per process, oldest first, with the summary', () => {
    const answer = usage.resources('trainings', 'two-ranks', undefined);
    expect(answer.processes.map((p) => [p.process, p.samples.length])).toEqual([
      ['rank 0', 3],
      ['rank 1', 2],
    ]);
    expect(answer.summary).toEqual({ peakMemoryMb: 10000, meanCpuPercent: 8.7 });
    expect(() => usage.resources('endpoints', 'nope', undefined)).toThrow('endpoint "nope" doesn\'t exist');
  });

  it("takes a cluster rank's pushed sample into the rounds while it is fresh and its training runs", async () => {
    const onCluster = insertScriptTraining(store, { name: 'on-cluster', experimentId, dir: join(dir, 'cluster-run') });
    store.tx(() => store.trainings.update(onCluster.id, { state: 'RUNNING' }));
    const key = `trainings/${onCluster.id}/rank/0`;
    const target = {
      key,
      pid: 4242,
      owners: [{ resource: 'trainings' as const, id: onCluster.id }],
      process: 'rank 0',
      kind: 'rank' as const,
      stage: null,
    };
    usage.remote.put({ target, sample: { key, pid: 4242, ...numbers(50, 300) } });
    // the sidecar can't answer this round: what the node pushed still counts
    sidecar.answers.push(() => null);
    await usage.round();
    expect(usage.latest('trainings', onCluster.id).map((p) => [p.process, p.kind, p.pid, p.sample.memoryMb])).toEqual([
      ['rank 0', 'rank', 4242, 300],
    ]);
    expect(store.usage.summary('trainings', onCluster.id)).toEqual({ rounds: 1, peakMemoryMb: 300, meanCpuPercent: 50 });
    // pushed long ago (the rank ended, its node was lost): left out, and forgotten
    usage.remote.put({ target, sample: { key, pid: 4242, ...numbers(50, 300) } }, Date.now() - 60_000);
    sidecar.answers.push(() => null);
    await usage.round();
    expect(usage.latest('trainings', onCluster.id)).toEqual([]);
    expect(usage.remote.fresh(60_000)).toEqual([]);
    // fresh, but the training has ended: its ranks are gone
    store.tx(() => store.trainings.update(onCluster.id, { state: 'COMPLETE' }));
    usage.remote.put({ target, sample: { key, pid: 4242, ...numbers(50, 300) } });
    sidecar.answers.push(() => null);
    await usage.round();
    expect(usage.latest('trainings', onCluster.id)).toEqual([]);
    expect(store.usage.summary('trainings', onCluster.id)?.rounds).toBe(1);
  });
});
