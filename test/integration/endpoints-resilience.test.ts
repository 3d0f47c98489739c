import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, activeStage, type InferenceAnswer, infer, writeCustomModel } from '../support/endpoints.js';
import { alive, venvPython, writeTree } from '../support/trainings.js';

// a short inference timeout, so the slow-model case takes seconds
const BRIDGE_ARGS = ['--python', venvPython, '--inference-timeout', '2'];
let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: BRIDGE_ARGS });
  work = tempDir('emkit-endpoints-resilience-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

async function deployCustom(endpoint: string, label: string, delayMs = 0) {
  const dir = writeCustomModel(join(work, `${endpoint}-${label}`), label, delayMs);
  await bridge.client.api.createModel({ body: { name: `${endpoint}-${label}`, artifactPath: dir } });
}

/** Callers that each send one request after another until told to stop; every answer kept. */
function load(path: string, callers: number) {
  const answers: (InferenceAnswer & { sentAt: number })[] = [];
  let running = true;
  const loops = Array.from({ length: callers }, async (_, caller) => {
    let n = 0;
    while (running) {
      const sentAt = Date.now();
      n += 1;
      const answer = await infer(bridge, path, { instances: [[caller, n]] }, { timeoutMs: 10_000 }).catch(
        (error: Error): InferenceAnswer => ({
          status: 0,
          body: { error: { code: 'client', message: error.message } },
          inferenceId: null,
          ms: 0,
        }),
      );
      answers.push({ ...answer, sentAt });
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

/** Wait until the endpoint's first worker is READY again with another pid than `pid`. */
async function replaced(endpoint: string, pid: number) {
  return waitFor(
    async () => {
      const stage = await bridge.client.api.getEndpointStage({ params: { id: endpoint, stage: 'default' } });
      const instance = stage.instances[0];
      return instance?.state === 'READY' && instance.pid !== pid && instance;
    },
    45_000,
    `the worker ${pid} of ${endpoint} to be replaced`,
  );
}

describe('endpoints under faults', () => {
  it('answers 503 at once while a killed worker is down, never hangs, and serves again once it is back', async () => {
    await deployCustom('phoenix', 'p');
    await bridge.client.api.createEndpoint({ body: { name: 'phoenix', model: 'phoenix-p' } });
    const before = (await activeEndpoint(bridge.client, 'phoenix')).stages[0]?.instances[0];
    const pid = before?.pid as number;
    expect(alive(pid)).toBe(true);

    const traffic = load('/inference/phoenix', 2);
    await waitFor(async () => traffic.answers.length >= 20, 10_000, 'traffic before the kill');
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    // it is back once an answer sent after the kill is a 200 again
    await waitFor(
      async () => traffic.answers.some((a) => a.sentAt > killedAt && a.status === 200),
      30_000,
      'the worker to come back',
    );
    await new Promise((r) => setTimeout(r, 200));
    const answers = await traffic.stop();

    const statuses = new Set(answers.map((a) => a.status));
    expect([...statuses].sort()).toEqual([200, 503]);
    const gap = answers.filter((a) => a.status === 503);
    expect(gap.length).toBeGreaterThan(0);
    expect(gap.every((a) => a.body.error?.code === 'not_ready')).toBe(true);
    // "at once": none of them waited for the restart
    expect(Math.max(...gap.map((a) => a.ms))).toBeLessThan(1000);

    const stage = await bridge.client.api.getEndpointStage({ params: { id: 'phoenix', stage: 'default' } });
    expect(stage.state).toBe('ACTIVE');
    expect(stage.stateReason).toBeNull();
    expect(stage.instances[0]).toMatchObject({ state: 'READY', restarts: 1, lastExit: 'signal SIGKILL' });
    expect(stage.instances[0]?.pid).not.toBe(pid);

    // the stats count every answer, the 503s among the errors
    const stats = await bridge.client.api.getEndpointStats({ params: { id: 'phoenix' } });
    expect(stats.minutes.reduce((n, m) => n + m.count, 0)).toBe(answers.length);
    expect(stats.minutes.reduce((n, m) => n + m.serverErrors, 0)).toBe(gap.length);
    await bridge.client.api.deleteEndpoint({ params: { id: 'phoenix' } });
  });

  it('answers 504 for a model too slow, and replaces a worker that stops answering its health checks', async () => {
    const dir = writeTree(join(work, 'sleepy'), {
      'predict.py': [
        'import time',
        'def predict(instances):',
        '    if instances == ["slow"]:',
        '        time.sleep(4)',
        '    return instances',
        '',
      ].join('\n'),
    });
    await bridge.client.api.createModel({ body: { name: 'sleepy', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'sleepy', model: 'sleepy' } });
    const first = (await activeEndpoint(bridge.client, 'sleepy')).stages[0]?.instances[0]?.pid as number;

    const slow = await infer(bridge, '/inference/sleepy', { instances: ['slow'] });
    expect(slow.status).toBe(504);
    expect(slow.body.error?.code).toBe('timeout');
    expect(slow.ms).toBeLessThan(3500);
    // it answered nothing for the whole inference timeout: stuck or not, it is replaced
    const second = await replaced('sleepy', first);
    expect(second).toMatchObject({ restarts: 1, lastExit: 'signal SIGKILL' });

    // frozen while idle: it can't answer /health; two misses in a row and it is killed and started again
    process.kill(second.pid as number, 'SIGSTOP');
    const back = await replaced('sleepy', second.pid as number);
    expect(back).toMatchObject({ restarts: 2, lastExit: 'signal SIGKILL' });
    expect(alive(first)).toBe(false);
    expect(alive(second.pid as number)).toBe(false);
    expect((await infer(bridge, '/inference/sleepy', { instances: [1] })).body.predictions).toEqual([1]);
    await bridge.client.api.deleteEndpoint({ params: { id: 'sleepy' } });
  });

  it('replaces a worker stopped under load: what it held gets 504, what follows 503 at once, then 200 again', async () => {
    await deployCustom('frozen', 'f');
    await bridge.client.api.createEndpoint({ body: { name: 'frozen', model: 'frozen-f' } });
    const pid = (await activeEndpoint(bridge.client, 'frozen')).stages[0]?.instances[0]?.pid as number;
    const callers = 3;
    const traffic = load('/inference/frozen', callers);
    try {
      await waitFor(async () => traffic.answers.length >= 20, 10_000, 'traffic before the stop');
      process.kill(pid, 'SIGSTOP');
      const stoppedAt = Date.now();
      await waitFor(
        async () => traffic.answers.some((a) => a.sentAt > stoppedAt && a.status === 200),
        30_000,
        'a new worker to answer',
      );
      const answers = await traffic.stop();
      expect([...new Set(answers.map((a) => a.status))].every((s) => [200, 503, 504].includes(s))).toBe(true);
      // a deadline for the requests the worker held (at most two per caller, around the stop), never one for each later request
      const timedOut = answers.filter((a) => a.status === 504);
      expect(timedOut.length).toBeGreaterThan(0);
      expect(timedOut.length).toBeLessThanOrEqual(2 * callers);
      // once the first deadline passed the worker was out: what came after got 503 at once
      // (requests it still held then get 503 too, but after their wait)
      const detectedAt = Math.min(...timedOut.map((a) => a.sentAt + a.ms));
      const unavailable = answers.filter((a) => a.status === 503);
      expect(unavailable.every((a) => a.body.error?.code === 'not_ready')).toBe(true);
      const later = unavailable.filter((a) => a.sentAt > detectedAt);
      expect(later.length).toBeGreaterThan(0);
      expect(Math.max(...later.map((a) => a.ms))).toBeLessThan(1000);

      const stage = await bridge.client.api.getEndpointStage({ params: { id: 'frozen', stage: 'default' } });
      expect(stage.instances[0]).toMatchObject({ state: 'READY', restarts: 1, lastExit: 'signal SIGKILL' });
      expect(stage.instances[0]?.pid).not.toBe(pid);
      expect(alive(pid)).toBe(false);
    } finally {
      await traffic.stop();
      if (alive(pid)) process.kill(pid, 'SIGCONT');
    }
    await bridge.client.api.deleteEndpoint({ params: { id: 'frozen' } });
  });

  it('switches the default stage under load with no failed request, then releases the old stage', async () => {
    await deployCustom('switch', 'blue', 20);
    await deployCustom('switch', 'green', 20);
    await bridge.client.api.createEndpoint({ body: { name: 'switch', model: 'switch-blue', stage: 'blue' } });
    await activeEndpoint(bridge.client, 'switch');
    await bridge.client.api.createEndpointStage({ params: { id: 'switch' }, body: { name: 'green', model: 'switch-green' } });
    await activeStage(bridge.client, 'switch', 'green');
    const blue = (await bridge.client.api.getEndpointStage({ params: { id: 'switch', stage: 'blue' } })).instances[0]
      ?.pid as number;

    const traffic = load('/inference/switch', 4);
    await waitFor(async () => traffic.answers.length >= 40, 10_000, 'traffic on blue');
    const switched = await bridge.client.api.setDefaultStage({ params: { id: 'switch' }, body: { stage: 'green' } });
    const switchedAt = Date.now();
    expect(switched.defaultStage).toBe('green');
    expect(switched.stages.find((s) => s.name === 'blue')?.state).toBe('DELETE IN PROGRESS');
    await waitFor(async () => traffic.answers.filter((a) => a.sentAt > switchedAt).length >= 40, 10_000, 'traffic on green');
    const answers = await traffic.stop();

    const failed = answers.filter((a) => a.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    const label = (a: InferenceAnswer) => (a.body.predictions as [string, number][])[0]?.[0];
    expect(answers.some((a) => label(a) === 'blue')).toBe(true);
    expect(answers.filter((a) => a.sentAt > switchedAt).every((a) => label(a) === 'green')).toBe(true);

    const settled = await waitFor(
      async () => {
        const endpoint = await bridge.client.api.getEndpoint({ params: { id: 'switch' } });
        return endpoint.stages.length === 1 && endpoint.state === 'ACTIVE' && endpoint;
      },
      20_000,
      'the old default to be released',
    );
    expect(settled.stages.map((s) => [s.name, s.default])).toEqual([['green', true]]);
    await waitFor(async () => !alive(blue), 10_000, "the old default's worker to exit");

    // both stages' minutes, the released one's included, add up to every request sent
    const stats = await bridge.client.api.getEndpointStats({ params: { id: 'switch' } });
    expect(stats.minutes.reduce((n, m) => n + m.count, 0)).toBe(answers.length);
    expect(new Set(stats.minutes.map((m) => m.stage))).toEqual(new Set(['blue', 'green']));
    await bridge.client.api.deleteEndpoint({ params: { id: 'switch' } });
  });

  it('starts the workers again after a bridge restart, and a bridge killed with -9 leaves none behind', async () => {
    await deployCustom('durable', 'd');
    await bridge.client.api.createEndpoint({ body: { name: 'durable', model: 'durable-d' } });
    const first = (await activeEndpoint(bridge.client, 'durable')).stages[0]?.instances[0]?.pid as number;
    await bridge.stop();
    expect(alive(first)).toBe(false);

    bridge = await startBridge({ home: bridge.home, args: BRIDGE_ARGS });
    const again = await activeEndpoint(bridge.client, 'durable');
    const second = again.stages[0]?.instances[0]?.pid as number;
    expect(second).not.toBe(first);
    expect((await infer(bridge, '/inference/durable', { instances: [[1, 1]] })).body.predictions).toEqual([['d', 2]]);

    await bridge.kill9();
    await waitFor(async () => !alive(second), 10_000, 'the worker of a killed bridge to exit');
    bridge = await startBridge({ home: bridge.home, args: BRIDGE_ARGS });
    await activeEndpoint(bridge.client, 'durable');
    await bridge.client.api.deleteEndpoint({ params: { id: 'durable' } });
  });
  it('a bridge killed with -9 takes with it even a worker busy in a prediction and a stopped one', async () => {
    // the default inference timeout (60 s): the busy worker must not be replaced as hung meanwhile
    await bridge.stop();
    bridge = await startBridge({ home: bridge.home, args: ['--python', venvPython] });
    const dir = writeTree(join(work, 'stuck'), {
      'predict.py': ['import time', 'def predict(instances):', '    time.sleep(60)', '    return instances', ''].join('\n'),
    });
    await bridge.client.api.createModel({ body: { name: 'stuck', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'stuck', model: 'stuck', instanceCount: 2 } });
    await activeEndpoint(bridge.client, 'stuck');
    const pending = infer(bridge, '/inference/stuck', { instances: [1] }, { timeoutMs: 90_000 }).catch(() => undefined);
    const instances = await waitFor(
      async () => {
        const stage = await bridge.client.api.getEndpointStage({ params: { id: 'stuck', stage: 'default' } });
        return stage.instances.some((i) => i.inFlight === 1) && stage.instances;
      },
      10_000,
      'a prediction under way',
    );
    const busy = instances.find((i) => i.inFlight === 1)?.pid as number;
    const idle = instances.find((i) => i.inFlight === 0)?.pid as number;
    process.kill(idle, 'SIGSTOP'); // it can't read its stdin's end of file
    try {
      await bridge.kill9();
      await pending;
      await waitFor(async () => !alive(busy) && !alive(idle), 10_000, 'the workers of a killed bridge to end');
    } finally {
      for (const pid of [busy, idle]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    bridge = await startBridge({ home: bridge.home, args: BRIDGE_ARGS });
    await bridge.client.api.deleteEndpoint({ params: { id: 'stuck' } });
  });
});
