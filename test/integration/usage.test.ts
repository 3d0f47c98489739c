import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type EmkitClient, EventStream, type ResourceEvent, type UsageEventData } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { settledBatch } from '../support/batch-inferences.js';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, infer, writeCustomModel } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { alive, settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// Resource usage: the processes the bridge starts, sampled by `python -m emkit.usage` (psutil) in
// the bridge's own Python, stored, summarised, and pushed on the event stream; a stage worker over
// its memory limit restarted with the reason. Real bridge, real Python, real processes.

let bridge: TestBridge;
let work: string;
let stream: EventStream;
const events: ResourceEvent[] = [];

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython, '--usage-interval', '0.5'] });
  work = tempDir('emkit-usage-');
  const up: boolean[] = [];
  stream = new EventStream(
    bridge.client,
    { event: (e) => events.push(e), connection: (c) => up.push(c) },
    { WebSocket: WebSocket as never },
  );
  await waitFor(async () => up.includes(true), 10_000, 'the event stream');
});
afterAll(async () => {
  stream?.close();
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** The memory of a process (that pid's, when given) in the `usage` events of a resource, oldest first. */
function memoryInEvents(resource: string, id: string, process: string, pid?: number): number[] {
  return events
    .filter((e) => e.resource === resource && e.action === 'usage' && e.id === id)
    .flatMap((e) =>
      (e.data as UsageEventData).processes
        .filter((p) => p.process === process && (pid === undefined || p.pid === pid))
        .map((p) => p.sample.memoryMb),
    );
}

function usageEventAbove(resource: string, id: string, process: string, mb: number, pid?: number): Promise<number> {
  return waitFor(
    async () => memoryInEvents(resource, id, process, pid).find((m) => m > mb),
    60_000,
    `a usage event of ${process} with more than ${mb} MB`,
  );
}

describe('resource usage of a training', () => {
  it('follows a training that allocates memory on purpose: a rising series, events, a summary', async () => {
    // each step holds its memory until the test has seen it sampled: no guess at how long a round takes
    const source = writeTree(join(work, 'allocate'), {
      'train.py': [
        'import os, sys, time',
        'held = []',
        'for step in range(1, 4):',
        '    block = bytearray(64 * 1024 * 1024)',
        '    for i in range(0, len(block), 4096):',
        '        block[i] = 1',
        '    held.append(block)',
        '    print("holding", step * 64, "MB", flush=True)',
        `    while not os.path.exists(os.path.join(${JSON.stringify(work)}, f"next-{step}")):`,
        '        time.sleep(0.05)',
      ].join('\n'),
    });
    await bridge.client.api.createExperiment({ body: { name: 'usage' } });
    const training = await bridge.client.api.createTraining({
      body: { source: { path: join(source, 'train.py') }, experiment: 'usage' },
    });
    let floor = 0;
    const seen: number[] = [];
    for (const step of [1, 2, 3]) {
      // each step adds 64 MB; a little under, for what the interpreter gives back meanwhile
      const memory = await usageEventAbove('trainings', training.id, 'rank 0', floor + 56);
      seen.push(memory);
      floor = memory;
      writeTree(work, { [`next-${step}`]: '' });
    }
    const done = await settledTraining(bridge.client, training.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(seen[2]).toBeGreaterThan(190);

    const usage = await bridge.client.api.getTrainingResources({ params: { id: training.name }, query: {} });
    expect(usage).toMatchObject({ resource: 'trainings', id: training.id, intervalSeconds: 0.5 });
    const rank = usage.processes.find((p) => p.process === 'rank 0');
    expect(rank).toMatchObject({ kind: 'rank', stage: null });
    const memory = rank?.samples.map((s) => s.memoryMb) ?? [];
    // the stored series rises as the events did: from the first step's level to the third's
    expect(memory[0]).toBeLessThanOrEqual(seen[0] as number);
    expect(memory.at(-1)).toBeGreaterThanOrEqual(seen[2] as number);
    expect(memory.at(-1) as number).toBeGreaterThan((memory[0] as number) + 112);
    for (const sample of rank?.samples ?? []) {
      expect(sample.threads).toBeGreaterThan(0);
      expect(sample.cpuPercent).toBeGreaterThanOrEqual(0);
      expect(sample.gpuPercent === null).toBe(!usage.gpu);
    }
    expect(usage.summary.peakMemoryMb).toBeGreaterThanOrEqual(seen[2] as number);
    expect(usage.summary.meanCpuPercent).toBeGreaterThanOrEqual(0);
    // `points` thins the series, keeping the peak
    const thin = await bridge.client.api.getTrainingResources({ params: { id: training.id }, query: { points: 10 } });
    const thinRank = thin.processes.find((p) => p.process === 'rank 0');
    expect(thinRank?.samples.length).toBeLessThanOrEqual(10);
    expect(Math.max(...(thinRank?.samples.map((s) => s.memoryMb) ?? []))).toBe(Math.max(...memory));

    // the comparison table's columns: the same summary, per training
    const comparison = await bridge.client.api.compareExperiment({ params: { id: 'usage' } });
    const row = comparison.trainings.find((t) => t.id === training.id);
    expect(row?.peakMemoryMb).toBe(usage.summary.peakMemoryMb);
    expect(row?.meanCpuPercent).toBeCloseTo(usage.summary.meanCpuPercent as number, 1);

    // the CLI: a line per process and the summary; --json is the API's own object
    const cli = await emkitCli(bridge, 'training', 'resources', training.name);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^PROCESS +PID +CPU % +MEMORY +PEAK +THREADS +OPEN FILES +SAMPLES +LAST/m);
    expect(cli.stdout).toMatch(/^rank 0 /m);
    expect(cli.stdout).toMatch(/^peak memory \d+\.\d MiB, mean CPU \d+\.\d % \(sampled every 0\.5 s\)$/m);
    const json = await emkitCli(bridge, '--json', 'training', 'resources', training.id, '--points', '10');
    expect(JSON.parse(json.stdout)).toMatchObject({ resource: 'trainings', id: training.id, summary: usage.summary });
    const compared = await emkitCli(bridge, 'experiment', 'compare', 'usage');
    expect(compared.stdout).toMatch(/^TRAINING +STATE +PEAK MEMORY +MEAN CPU %/m);

    // its TensorBoard is sampled in its series, and not counted in its summary
    const board = await bridge.client.api.createTensorboard({ body: { training: training.id } });
    const tensorboardMemory = await usageEventAbove('trainings', training.id, 'tensorboard', 0);
    expect(tensorboardMemory).toBeGreaterThan(0);
    const withBoard = await bridge.client.api.getTrainingResources({ params: { id: training.id }, query: {} });
    expect(withBoard.processes.map((p) => [p.process, p.kind])).toEqual([
      ['rank 0', 'rank'],
      ['tensorboard', 'tensorboard'],
    ]);
    expect(withBoard.summary).toEqual(usage.summary);
    await bridge.client.api.deleteTensorboard({ params: { id: board.id } });
  });
});

/** Wait for the stage's worker 0 to be READY again after `restarts` restarts. */
function restarted(client: EmkitClient, endpoint: string, restarts: number) {
  return waitFor(
    async () => {
      const stage = await client.api.getEndpointStage({ params: { id: endpoint, stage: 'default' } });
      const worker = stage.instances[0];
      return worker?.restarts === restarts && worker.state === 'READY' && stage.state === 'ACTIVE' && worker;
    },
    90_000,
    `worker 0 of ${endpoint} back after ${restarts} restart(s)`,
  );
}

describe('resource usage of an endpoint, and the memory limit', () => {
  it('samples its workers, and restarts one over the memory limit set with no redeploy, saying why', async () => {
    const artifact = writeCustomModel(join(work, 'hungry'), 'hungry');
    // a call asking for `megabytes` keeps that much, as a leak would
    writeTree(artifact, {
      'predict.py': [
        'held = []',
        'def load():',
        '    return None',
        'def predict(model, instances):',
        '    for megabytes in instances:',
        '        block = bytearray(int(megabytes) * 1024 * 1024)',
        '        for i in range(0, len(block), 4096):',
        '            block[i] = 1',
        '        held.append(block)',
        '    return [sum(len(b) for b in held) // (1024 * 1024)]',
      ].join('\n'),
    });
    await bridge.client.api.createModel({ body: { name: 'hungry', artifactPath: artifact } });
    await bridge.client.api.createEndpoint({ body: { name: 'hungry', model: 'hungry' } });
    const endpoint = await activeEndpoint(bridge.client, 'hungry');
    const first = endpoint.stages[0]?.instances[0]?.pid as number;

    const before = await usageEventAbove('endpoints', endpoint.id, 'worker 0', 0, first);
    const limit = Math.max(64, Math.ceil(before) + 100);
    // the limit set on the serving stage: its worker is not started again for it
    const patched = await bridge.client.api.updateEndpointStage({
      params: { id: 'hungry', stage: 'default' },
      body: { memoryLimitMb: limit },
    });
    expect(patched.instances[0]).toMatchObject({ pid: first, restarts: 0 });

    const answer = await infer(bridge, '/inference/hungry', { instances: [limit + 50] });
    // answered, or killed while still answering (a round may fall while it allocates): then a 503 says so
    if (answer.status !== 200) {
      expect(answer.status).toBe(503);
      expect(answer.body.error?.message).toMatch(/went away while answering/);
    }
    const worker = await restarted(bridge.client, 'hungry', 1);
    expect(worker.pid).not.toBe(first);
    expect(worker.lastExit).toMatch(new RegExp(`^memory limit ${limit} MB exceeded \\(rss \\d+ MB\\)$`));
    const rss = Number(/rss (\d+) MB/.exec(worker.lastExit ?? '')?.[1]);
    expect(rss).toBeGreaterThan(limit);

    // the stage's log says so, beside the requests
    const logs = await bridge.client.api.getEndpointLogs({ params: { id: 'hungry' }, query: {} });
    const line = logs.items.find((l) => l.action === 'Stage.Worker');
    expect(line).toMatchObject({ logLevel: 'WARNING', endpointStageId: endpoint.stages[0]?.id, status: null });
    expect(line?.body).toBe(`worker 0 went over the stage's memory limit of ${limit} MB (rss ${rss} MB): restarted`);

    // the new worker serves, and is sampled under its new pid in the same series
    expect((await infer(bridge, '/inference/hungry', { instances: [1] })).body.predictions).toEqual([1]);
    await usageEventAbove('endpoints', endpoint.id, 'worker 0', 0, worker.pid as number);
    const usage = await bridge.client.api.getEndpointResources({ params: { id: 'hungry' }, query: { stage: 'default' } });
    expect(usage.processes.map((p) => [p.process, p.kind, p.stage])).toEqual([['worker 0', 'worker', 'default']]);
    expect(usage.processes[0]?.pid).toBe(worker.pid);
    expect(Math.max(...(usage.processes[0]?.samples.map((s) => s.memoryMb) ?? []))).toBeGreaterThan(limit);
    expect(usage.summary.peakMemoryMb).toBeGreaterThan(limit);
    const cli = await emkitCli(bridge, 'endpoint', 'resources', 'hungry', '--stage', 'default');
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(new RegExp(`^worker 0 +default +${worker.pid} `, 'm'));

    // lifting the limit (null) lets the worker keep what it holds
    await bridge.client.api.updateEndpointStage({ params: { id: 'hungry', stage: 'default' }, body: { memoryLimitMb: null } });
    expect((await infer(bridge, '/inference/hungry', { instances: [limit + 50] })).status).toBe(200);
    await usageEventAbove('endpoints', endpoint.id, 'worker 0', limit, worker.pid as number);
    const stage = await bridge.client.api.getEndpointStage({ params: { id: 'hungry', stage: 'default' } });
    expect(stage.instances[0]).toMatchObject({ pid: worker.pid, restarts: 1 });
  });
});

describe('resource usage of a batch job', () => {
  it('samples its runner and each of its scoring workers, as their own series, while it runs', async () => {
    const release = join(work, 'release-batch');
    const model = writeTree(join(work, 'batch-model'), {
      'predict.py': [
        'import os, time',
        'def load():',
        '    return None',
        'def predict(model, instances):',
        `    while not os.path.exists(${JSON.stringify(release)}):`,
        '        time.sleep(0.05)',
        '    return [0 for _ in range(len(instances))]',
      ].join('\n'),
    });
    writeTree(work, { 'batch.csv': `a,b\n${Array.from({ length: 20 }, (_, i) => `${i},${i * 2}`).join('\n')}\n` });
    await bridge.client.api.createModel({ body: { name: 'waits', artifactPath: model } });
    const job = await bridge.client.api.createBatchInference({
      body: { model: 'waits', input: join(work, 'batch.csv'), instances: 2, batchSize: 5 },
    });
    try {
      await usageEventAbove('batch-inferences', job.id, 'runner', 0);
      // instances 2: two worker processes, each named in the runner's status.json once started
      await usageEventAbove('batch-inferences', job.id, 'worker 1', 0);
      await usageEventAbove('batch-inferences', job.id, 'worker 2', 0);
      const usage = await bridge.client.api.getBatchInferenceResources({ params: { id: job.id }, query: {} });
      expect(usage.processes.map((p) => [p.process, p.kind, p.stage])).toEqual([
        ['runner', 'batch-worker', null],
        ['worker 1', 'batch-worker', null],
        ['worker 2', 'batch-worker', null],
      ]);
      const pids = usage.processes.map((p) => p.pid);
      expect(new Set(pids).size).toBe(3);
      // the workers are the runner's children, each counted once: in its own series, not again in the runner's
      const status = JSON.parse(readFileSync(join(bridge.home, 'batch-inferences', job.id, 'status.json'), 'utf8'));
      expect(status.workers).toEqual(pids.slice(1));
      expect(usage.summary.peakMemoryMb).toBeGreaterThan(0);
    } finally {
      writeTree(work, { 'release-batch': '' });
    }
    const done = await settledBatch(bridge.client, job.id);
    expect(done.state, done.reason ?? '').toBe('COMPLETE');
  });
});

/** The bridge's `python -m emkit.usage` child, by its command line. */
function sidecarPid(bridgePid: number): number | undefined {
  const ps = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(bridgePid)], { encoding: 'utf8' }).stdout;
  const line = ps.split('\n').find((l) => l.includes('-m emkit.usage'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

describe('the sampler itself', () => {
  it('inherits no credential, is started again when it dies, and ends with the bridge', async () => {
    const own = await startBridge({
      args: ['--python', venvPython, '--usage-interval', '0.5'],
      env: { EMKIT_TOKEN: 'a-token-in-the-shell', EMKIT_URL: 'http://127.0.0.1:1' },
    });
    const release = join(work, 'release-sidecar');
    let status: string | undefined;
    try {
      const source = writeTree(join(work, 'wait'), {
        'train.py': `import os, time\nwhile not os.path.exists(${JSON.stringify(release)}):\n    time.sleep(0.05)\n`,
      });
      const training = await own.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
      status = join(own.home, 'trainings', training.id, 'status.json');
      await trainingInState(own.client, training.id, 'RUNNING');
      const count = async () =>
        (await own.client.api.getTrainingResources({ params: { id: training.id }, query: { points: 5000 } })).processes[0]
          ?.samples.length ?? 0;
      await waitFor(async () => (await count()) > 0, 60_000, 'a first sample');
      const first = await waitFor(async () => sidecarPid(own.process.pid as number), 10_000, 'the sampler process');
      // as every process the bridge starts: none of its credentials in its environment
      const environ = readFileSync(`/proc/${first}/environ`, 'utf8').split('\0');
      expect(environ.filter((v) => v.startsWith('EMKIT_TOKEN=') || v.startsWith('EMKIT_URL='))).toEqual([]);
      expect(environ.join('\n')).not.toContain(own.token);
      process.kill(first, 'SIGKILL');
      await waitFor(async () => !alive(first), 10_000, 'the sampler to end');
      const before = await count();
      // a new sampler, and the training sampled again
      const second = await waitFor(
        async () => {
          const pid = sidecarPid(own.process.pid as number);
          return pid !== undefined && pid !== first && pid;
        },
        60_000,
        'a new sampler process',
      );
      await waitFor(async () => (await count()) > before, 60_000, 'a sample after the restart');
      await own.stop();
      expect(alive(second)).toBe(false);
    } finally {
      writeTree(work, { 'release-sidecar': '' });
      await own.stop();
      // the training outlives its bridge: its home goes once it has ended
      if (status) {
        const file = status;
        const ended = async () =>
          existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { endedAt: string | null }).endedAt;
        await waitFor(ended, 60_000, 'the training to end');
      }
      removeDir(own.home);
    }
  });
});

describe("without psutil in the bridge's Python", () => {
  it('says so in its log, answers no samples, and the bridge and the training go on', async () => {
    // the project's Python with an `import psutil` that fails first on its path
    const blocked = writeTree(join(work, 'no-psutil'), { 'psutil.py': "raise ImportError('no psutil here')\n" });
    const python = join(work, 'python-without-psutil');
    writeFileSync(python, `#!/bin/sh\nPYTHONPATH="${blocked}\${PYTHONPATH:+:$PYTHONPATH}" exec "${venvPython}" "$@"\n`, {
      mode: 0o755,
    });
    const own = await startBridge({ args: ['--python', python, '--usage-interval', '0.5'] });
    const release = join(work, 'release-no-psutil');
    try {
      const source = writeTree(join(work, 'wait-no-psutil'), {
        'train.py': `import os, time\nwhile not os.path.exists(${JSON.stringify(release)}):\n    time.sleep(0.05)\n`,
      });
      const training = await own.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
      await trainingInState(own.client, training.id, 'RUNNING');
      await waitFor(
        async () => own.output().includes('resource usage is not sampled: psutil is not installed in'),
        60_000,
        'the log to say why nothing is sampled',
      );
      expect(own.output()).toContain('pip install psutil there');
      const usage = await own.client.api.getTrainingResources({ params: { id: training.id }, query: {} });
      expect(usage).toMatchObject({ processes: [], summary: { peakMemoryMb: null, meanCpuPercent: null } });
      writeTree(work, { 'release-no-psutil': '' });
      expect((await settledTraining(own.client, training.id)).state).toBe('COMPLETE');
    } finally {
      writeTree(work, { 'release-no-psutil': '' });
      await own.stop();
      removeDir(own.home);
    }
  });
});

describe('bad input', () => {
  it('answers 404 naming what is missing and 400 naming the field, and keeps serving', async () => {
    const cases = [
      ['trainings', 'no-such-training', 'training "no-such-training" doesn\'t exist'],
      ['endpoints', 'no-such-endpoint', 'endpoint "no-such-endpoint" doesn\'t exist'],
      ['batch-inferences', 'no-such-job', 'batch inference "no-such-job" doesn\'t exist'],
    ] as const;
    for (const [resource, id, message] of cases) {
      const response = await fetch(`${bridge.url}/api/v1/${resource}/${id}/resources`, {
        headers: { authorization: `Bearer ${bridge.token}` },
      });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: { code: 'not_found', message } });
    }
    const error = await refusal(bridge.client.api.getEndpointResources({ params: { id: 'hungry' }, query: { points: 3 } }));
    expect(error).toMatchObject({ status: 400, code: 'validation', field: 'points' });
    const bad = [
      ['stage=Not%20a%20name', 'stage'],
      ['minutes=0', 'minutes'],
      ['minutes=many', 'minutes'],
      ['since=yesterday', 'since'],
    ];
    for (const [query, field] of bad) {
      const response = await fetch(`${bridge.url}/api/v1/endpoints/hungry/resources?${query}`, {
        headers: { authorization: `Bearer ${bridge.token}` },
      });
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field, query).toBe(field);
    }
    // still serving
    expect((await bridge.client.api.getEndpointResources({ params: { id: 'hungry' }, query: {} })).id).toBeTruthy();
  });
});
