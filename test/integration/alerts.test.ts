import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AlertEvent, EventMessage } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, infer } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// rules read every half second, and a failing webhook retried after 0.2 s, 0.4 s, 0.8 s: the cases take seconds
const BRIDGE_ARGS = [
  '--python',
  venvPython,
  '--alert-interval',
  '0.5',
  '--alert-webhook-backoff',
  '0.2',
  '--alert-webhook-timeout',
  '0.5',
  // closed drift windows looked for, and processes sampled, every half second
  '--drift-poll',
  '0.5',
  '--usage-interval',
  '0.5',
];
let bridge: TestBridge;
let work: string;

/** What a chat tool would get: every POST on a loopback server, body and Authorization header. */
interface Received {
  body: Record<string, unknown>;
  authorization: string | undefined;
}
let hook: Server;
let hookUrl: string;
/** A webhook that takes the request and never answers. */
let silent: Server;
let silentUrl: string;
const received: Received[] = [];

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    request.on('data', (d: Buffer) => {
      text += d.toString();
    });
    request.on('end', () => resolve(text));
  });

beforeAll(async () => {
  bridge = await startBridge({ args: BRIDGE_ARGS });
  work = tempDir('emkit-alerts-');
  hook = createServer(async (request, response) => {
    received.push({ body: JSON.parse(await readBody(request)), authorization: request.headers.authorization });
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/alerts`;
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks/never`;
});
afterAll(async () => {
  await bridge?.stop();
  await new Promise((resolve) => hook?.close(resolve));
  silent?.closeAllConnections();
  await new Promise((resolve) => silent?.close(resolve));
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/**
 * A custom predictor: an instance "fail" raises a ConnectionError (a 500: not an input error), a number sleeps that many ms, so a test
 * makes errors and latency as it needs.
 */
async function deployFlaky(name: string) {
  const dir = writeTree(join(work, name), {
    'predict.py': [
      'import time',
      '',
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      '    out = []',
      '    for x in instances:',
      '        if x == "fail":',
      '            raise ConnectionError("asked to fail")',
      '        time.sleep(float(x) / 1000)',
      '        out.append(x)',
      '    return out',
      '',
    ].join('\n'),
  });
  await bridge.client.api.createModel({ body: { name, artifactPath: dir } });
  await bridge.client.api.createEndpoint({ body: { name, model: name } });
  await activeEndpoint(bridge.client, name);
}

/** Send `instance` to the endpoint, one call after another, until `done` says so. */
async function sendUntil(endpoint: string, instance: unknown, done: () => Promise<boolean>, what: string) {
  await waitFor(
    async () => {
      for (let i = 0; i < 5; i += 1) await infer(bridge, `/inference/${endpoint}`, { instances: [instance] });
      return done();
    },
    60_000,
    what,
  );
}

async function eventsOf(rule: string): Promise<AlertEvent[]> {
  return (await bridge.client.api.listAlertEvents({ query: { rule } })).items;
}

const hasEvent = (rule: string, kind: AlertEvent['kind']) => async () => (await eventsOf(rule)).some((e) => e.kind === kind);

describe('alert rules', () => {
  it('refuses a rule that cannot be read: unknown series, missing resource, field it lacks, webhook not http(s)', async () => {
    await deployFlaky('checked');
    const base = { name: 'bad', op: '>' as const, threshold: 1 };
    const unknown = await refusal(
      bridge.client.api.createAlertRule({
        body: { ...base, series: 'endpoint.vibes' as 'endpoint.errorRate', resource: 'checked' },
      }),
    );
    expect([unknown.status, unknown.field]).toEqual([400, 'series']);
    const gone = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.errorRate', resource: 'nowhere' } }),
    );
    expect(gone.status).toBe(404);
    expect(gone.message).toContain('"nowhere"');
    const noStage = await refusal(
      bridge.client.api.createAlertRule({
        body: { ...base, series: 'endpoint.errorRate', resource: 'checked', stage: 'canary' },
      }),
    );
    expect([noStage.status, noStage.field]).toEqual([404, 'stage']);
    expect(noStage.message).toContain('canary');
    const noResource = await refusal(bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.p99LatencyMs' } }));
    expect([noResource.status, noResource.field]).toEqual([400, 'resource']);
    const noMetric = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.accuracy', resource: 'checked' } }),
    );
    expect([noMetric.status, noMetric.field]).toEqual([400, 'metric']);
    const badMetric = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.accuracy', resource: 'checked', metric: 'auc' } }),
    );
    expect([badMetric.status, badMetric.field]).toEqual([400, 'metric']);
    expect(badMetric.message).toContain('"auc"');
    // series that need what this endpoint lacks: a drift watch, a payload log for the labels to join
    const noDrift = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.featureDrift', resource: 'checked' } }),
    );
    expect([noDrift.status, noDrift.field]).toEqual([400, 'series']);
    expect(noDrift.message).toContain('no drift watch');
    const noLog = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.accuracy', metric: 'f1', resource: 'checked' } }),
    );
    expect([noLog.status, noLog.field]).toEqual([400, 'series']);
    expect(noLog.message).toContain('payload logging');
    const wrongFeature = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.errorRate', resource: 'checked', feature: 'age' } }),
    );
    expect([wrongFeature.status, wrongFeature.field]).toEqual([400, 'feature']);
    const noTraining = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'training.nanLoss', resource: 'no-such-run' } }),
    );
    expect(noTraining.status).toBe(404);
    expect(noTraining.message).toContain('no-such-run');
    for (const webhook of ['ftp://chat.example.com/hook', 'file:///etc/passwd', 'not a url']) {
      const refused = await refusal(
        bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.errorRate', resource: 'checked', webhook } }),
      );
      expect([refused.status, refused.field], webhook).toEqual([400, 'webhook']);
    }
    // nothing was kept, and the bridge goes on serving
    expect((await bridge.client.api.listAlertRules({})).total).toBe(0);
    const ok = await bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.errorRate', resource: 'checked' } });
    expect(ok).toMatchObject({
      state: 'OK',
      forSeconds: 60,
      severity: 'warning',
      resource: { kind: 'endpoints', name: 'checked' },
    });
    const again = await refusal(
      bridge.client.api.createAlertRule({ body: { ...base, series: 'endpoint.errorRate', resource: 'checked' } }),
    );
    expect(again.status).toBe(409);
    await bridge.client.api.deleteAlertRule({ params: { id: 'bad' } });

    // a change of series carries over only what the new one takes
    await bridge.client.api.createAlertRule({
      body: {
        ...base,
        name: 'mutable',
        series: 'endpoint.errorRate',
        resource: 'checked',
        stage: 'default',
        webhook: 'https://u:pw-12345678@x.example.com/h',
      },
    });
    const toTraining = await bridge.client.api.updateAlertRule({
      params: { id: 'mutable' },
      body: { series: 'training.minutesSinceProgress' },
    });
    expect(toTraining).toMatchObject({ resource: null, stage: null, series: 'training.minutesSinceProgress' });
    const back = await refusal(
      bridge.client.api.updateAlertRule({ params: { id: 'mutable' }, body: { series: 'endpoint.p99LatencyMs' } }),
    );
    expect([back.status, back.field]).toEqual([400, 'resource']);
    await bridge.client.api.deleteAlertRule({ params: { id: 'mutable' } });
  });

  it('fires when traffic drops, and a rule whose endpoint is deleted reads no data and resolves', async () => {
    await deployFlaky('quiet');
    await bridge.client.api.createAlertRule({
      body: {
        name: 'quiet-traffic',
        series: 'endpoint.requestsPerMinute',
        resource: 'quiet',
        op: '<',
        threshold: 1,
        forSeconds: 1,
      },
    });
    // nobody calls it
    await waitFor(hasEvent('quiet-traffic', 'FIRING'), 30_000, 'the traffic rule to fire');
    expect((await eventsOf('quiet-traffic'))[0]?.value).toBe(0);
    await bridge.client.api.deleteEndpoint({ params: { id: 'quiet' } });
    await waitFor(hasEvent('quiet-traffic', 'RESOLVED'), 30_000, 'the traffic rule to resolve');
    const [, resolved] = await eventsOf('quiet-traffic');
    expect(resolved?.value).toBeNull();
    expect(resolved?.message).toBe('endpoint quiet: requests per minute no data, no longer < 1 (resolved)');
  });

  it('fires on the error rate and resolves once calls succeed again; the webhook gets both, credentials as Basic auth', async () => {
    await deployFlaky('flaky');
    const secretUrl = hookUrl.replace('http://', 'http://alerts:s3cret-pass@');
    const rule = await bridge.client.api.createAlertRule({
      body: {
        name: 'flaky-errors',
        series: 'endpoint.errorRate',
        resource: 'flaky',
        op: '>',
        threshold: 0.5,
        forSeconds: 1,
        severity: 'critical',
        webhook: `${secretUrl}?token=chat-token-123`,
      },
    });
    // shown hidden, never as given
    expect(rule.webhook).not.toContain('s3cret-pass');
    expect(rule.webhook).not.toContain('chat-token-123');
    expect(rule.webhook).toContain('127.0.0.1');
    // the webhook as shown, sent back (an editor's form does), keeps the stored one: the Basic auth below proves it
    await bridge.client.api.updateAlertRule({ params: { id: 'flaky-errors' }, body: { webhook: rule.webhook } });

    // the event stream, as the editors follow it
    const stream = new WebSocket(`${bridge.url.replace('http', 'ws')}/api/v1/events`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    const streamed: EventMessage[] = [];
    stream.on('message', (data) => streamed.push(JSON.parse(String(data)) as EventMessage));
    await new Promise((resolve) => stream.once('open', resolve));

    await sendUntil('flaky', 'fail', hasEvent('flaky-errors', 'FIRING'), 'the error-rate rule to fire');
    const firing = await bridge.client.api.getAlertRule({ params: { id: 'flaky-errors' } });
    expect(firing.state).toBe('FIRING');
    await sendUntil('flaky', 1, hasEvent('flaky-errors', 'RESOLVED'), 'the error-rate rule to resolve');
    expect((await bridge.client.api.getAlertRule({ params: { id: 'flaky-errors' } })).state).toBe('OK');

    const [fired, resolved] = await eventsOf('flaky-errors');
    const alerted = await waitFor(
      async () => {
        const mine = streamed.flatMap((m) =>
          m.type === 'event' && m.event.resource === 'alerts' && m.event.action === 'alert' && m.event.id === rule.id
            ? [m.event]
            : [],
        );
        return mine.length >= 2 && mine;
      },
      10_000,
      'both events on the stream',
    );
    stream.close();
    expect(alerted.map((e) => e.data)).toEqual(
      [fired, resolved].map((e) => ({ ...e, webhook: { state: 'pending', attempts: 0, error: null } })),
    );
    expect(fired).toMatchObject({ kind: 'FIRING', severity: 'critical', threshold: 0.5, resource: { name: 'flaky' } });
    expect(fired?.value).toBeGreaterThan(0.5);
    expect(fired?.message).toMatch(/^endpoint flaky: error rate .* > 50 %/);
    expect(resolved?.kind).toBe('RESOLVED');

    const delivered = await waitFor(
      async () => {
        const mine = received.filter((r) => r.body.rule === 'flaky-errors');
        return mine.length >= 2 && mine;
      },
      15_000,
      'the webhook to get both events',
    );
    expect(delivered.map((r) => r.body.kind)).toEqual(['FIRING', 'RESOLVED']);
    expect(Object.keys(delivered[0]?.body ?? {}).sort()).toEqual(
      ['kind', 'message', 'resource', 'rule', 'severity', 'threshold', 'time', 'value'].sort(),
    );
    expect(delivered[0]?.authorization).toBe(`Basic ${Buffer.from('alerts:s3cret-pass').toString('base64')}`);
    const sent = await waitFor(
      async () => {
        const events = await eventsOf('flaky-errors');
        return events.every((e) => e.webhook?.state === 'sent') && events;
      },
      10_000,
      'the events to say their webhook was sent',
    );
    expect(sent[0]?.webhook).toEqual({ state: 'sent', attempts: 1, error: null });
    expect(bridge.output()).not.toContain('s3cret-pass');
    expect(bridge.output()).not.toContain('chat-token-123');
  });

  it('fires on p99 latency and resolves once calls are fast again; a webhook nobody answers is retried, then marked failed', async () => {
    await deployFlaky('sluggish');
    await bridge.client.api.createAlertRule({
      body: {
        name: 'sluggish-p99',
        series: 'endpoint.p99LatencyMs',
        resource: 'sluggish',
        op: '>',
        threshold: 250,
        forSeconds: 1,
        // a closed port on loopback: refused at once, every attempt
        webhook: 'http://127.0.0.1:9/closed',
      },
    });
    await sendUntil('sluggish', 400, hasEvent('sluggish-p99', 'FIRING'), 'the p99 rule to fire');
    await sendUntil('sluggish', 1, hasEvent('sluggish-p99', 'RESOLVED'), 'the p99 rule to resolve');
    const [fired] = await eventsOf('sluggish-p99');
    expect(fired?.value).toBeGreaterThan(250);
    expect(fired?.message).toMatch(/p99 latency .* ms > 250 ms/);
    const failed = await waitFor(
      async () => {
        const event = (await eventsOf('sluggish-p99'))[0];
        return event?.webhook?.state === 'failed' && event;
      },
      20_000,
      'the webhook to be marked failed',
    );
    expect(failed.webhook).toMatchObject({ state: 'failed', attempts: 4 });
    expect(failed.webhook?.error).toBeTruthy();
    // the bridge kept serving meanwhile
    expect((await infer(bridge, '/inference/sluggish', { instances: [1] })).status).toBe(200);
  });

  it('fires on rolling accuracy from the labels sent back, and resolves once right labels bring it up', async () => {
    const dir = writeTree(join(work, 'labeler'), {
      'predict.py': [
        'def load():',
        '    return None',
        '',
        'def predict(model, instances):',
        '    return [str(x) for x in instances]',
        '',
      ].join('\n'),
    });
    await bridge.client.api.createModel({ body: { name: 'labeler', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'labeler', model: 'labeler' } });
    await activeEndpoint(bridge.client, 'labeler');
    await bridge.client.api.updateEndpointStage({
      params: { id: 'labeler', stage: 'default' },
      body: { payloadLogging: { enabled: true, sampleRate: 1 } },
    });
    await bridge.client.api.createAlertRule({
      body: {
        name: 'labeler-accuracy',
        series: 'endpoint.accuracy',
        metric: 'accuracy',
        resource: 'labeler',
        op: '<',
        threshold: 0.5,
        forSeconds: 0,
      },
    });
    const ids: string[] = [];
    for (let i = 0; i < 14; i += 1)
      ids.push((await infer(bridge, '/inference/labeler', { instances: ['cat'] })).inferenceId as string);
    // the first four labels disagree with the model: accuracy 0
    const wrong = ids.slice(0, 4).map((inferenceId) => ({ inferenceId, label: 'dog' }));
    await bridge.client.api.sendEndpointFeedback({ params: { id: 'labeler' }, body: { items: wrong } });
    await waitFor(hasEvent('labeler-accuracy', 'FIRING'), 30_000, 'the accuracy rule to fire');
    const [fired] = await eventsOf('labeler-accuracy');
    expect(fired?.value).toBe(0);
    expect(fired?.message).toContain('endpoint labeler: accuracy 0 < 0.5');
    // ten right ones: 10 of 14
    const right = ids.slice(4).map((inferenceId) => ({ inferenceId, label: 'cat' }));
    await bridge.client.api.sendEndpointFeedback({ params: { id: 'labeler' }, body: { items: right } });
    await waitFor(hasEvent('labeler-accuracy', 'RESOLVED'), 30_000, 'the accuracy rule to resolve');
    // the labels are classes: a regression metric would never read
    const regression = await refusal(
      bridge.client.api.createAlertRule({
        body: { name: 'labeler-rmse', series: 'endpoint.accuracy', metric: 'rmse', resource: 'labeler', op: '>', threshold: 1 },
      }),
    );
    expect([regression.status, regression.field]).toEqual([400, 'metric']);
    expect(regression.message).toContain('accuracy and f1');
    expect((await eventsOf('labeler-accuracy'))[1]?.value).toBeCloseTo(10 / 14, 6);
  });

  it('fires on a feature drifting from its reference, and resolves once the inputs look like it again', async () => {
    const dir = writeTree(join(work, 'doubler'), {
      'predict.py': [
        'def load():',
        '    return None',
        '',
        'def predict(model, instances):',
        '    return [row["a"] * 2 for row in instances]',
        '',
      ].join('\n'),
    });
    const reference = join(work, 'reference.csv');
    const rows = Array.from({ length: 500 }, (_, i) => `${(i % 100) / 100},${((i * 7) % 100) / 100}`);
    writeFileSync(reference, `a,b\n${rows.join('\n')}\n`);
    await bridge.client.api.createModel({ body: { name: 'doubler', artifactPath: dir } });
    await bridge.client.api.createEndpoint({ body: { name: 'doubler', model: 'doubler' } });
    await activeEndpoint(bridge.client, 'doubler');
    await bridge.client.api.updateEndpointStage({
      params: { id: 'doubler', stage: 'default' },
      body: { payloadLogging: { enabled: true, sampleRate: 1 }, drift: { reference, window: '3s', minCount: 20 } },
    });
    await bridge.client.api.createAlertRule({
      body: {
        name: 'doubler-drift',
        series: 'endpoint.featureDrift',
        feature: 'a',
        resource: 'doubler',
        op: '>',
        threshold: 0.2,
        forSeconds: 0,
      },
    });
    const batch = (shift: number) =>
      Array.from({ length: 25 }, (_, i) => ({ a: ((i * 4) % 100) / 100 + shift, b: ((i * 13) % 100) / 100 }));
    const sendWhile = async (shift: number, done: () => Promise<boolean>, what: string) =>
      waitFor(
        async () => {
          expect((await infer(bridge, '/inference/doubler', { instances: batch(shift) })).status).toBe(200);
          return done();
        },
        90_000,
        what,
      );
    // a shifted far off the reference; b as it was
    await sendWhile(5, hasEvent('doubler-drift', 'FIRING'), 'the drift rule to fire');
    const [fired] = await eventsOf('doubler-drift');
    expect(fired?.value).toBeGreaterThan(0.2);
    expect(fired?.message).toContain('endpoint doubler: drift (PSI) of a');
    // a feature the judged windows don't have would never read
    const unknown = await refusal(
      bridge.client.api.createAlertRule({
        body: { name: 'doubler-c', series: 'endpoint.featureDrift', feature: 'c', resource: 'doubler', op: '>', threshold: 0.2 },
      }),
    );
    expect([unknown.status, unknown.field]).toEqual([400, 'feature']);
    expect(unknown.message).toContain('"c"');
    await sendWhile(0, hasEvent('doubler-drift', 'RESOLVED'), 'the drift rule to resolve');
    expect((await eventsOf('doubler-drift'))[1]?.value).toBeLessThanOrEqual(0.2);
  });

  it("fires on a worker's memory, and a change of the rule resolves it saying so", async () => {
    await deployFlaky('hungry');
    await bridge.client.api.createAlertRule({
      body: { name: 'hungry-memory', series: 'worker.memoryMb', resource: 'hungry', op: '>', threshold: 1, forSeconds: 0 },
    });
    // any Python worker holds more than 1 MB
    await waitFor(hasEvent('hungry-memory', 'FIRING'), 30_000, 'the memory rule to fire');
    const [fired] = await eventsOf('hungry-memory');
    expect(fired?.value).toBeGreaterThan(1);
    expect(fired?.message).toMatch(/^endpoint hungry: worker memory [\d.]+ MB > 1 MB/);
    const raised = await bridge.client.api.updateAlertRule({ params: { id: 'hungry-memory' }, body: { threshold: 1_000_000 } });
    expect(raised.state).toBe('OK');
    const [, resolved] = await eventsOf('hungry-memory');
    expect(resolved).toMatchObject({
      kind: 'RESOLVED',
      message: 'alert rule hungry-memory changed: it starts again from OK (resolved)',
    });
    // read again: well under the new threshold, it stays OK
    await waitFor(
      async () => (await bridge.client.api.getAlertRule({ params: { id: 'hungry-memory' } })).value !== null,
      30_000,
      'the rule to be read again',
    );
    expect((await eventsOf('hungry-memory')).length).toBe(2);
  });

  it('fires on a stalled training and resolves once it logs again, whatever its webhook that never answers', async () => {
    const go = join(work, 'go');
    const source = writeTree(join(work, 'stall'), {
      'train.py': [
        'import os, sys, time',
        `GO = ${JSON.stringify(go)}`,
        'print("started", flush=True)',
        'while not os.path.exists(GO):',
        '    time.sleep(0.1)',
        'print("going again", flush=True)',
        'time.sleep(3)',
        '',
      ].join('\n'),
    });
    const training = await bridge.client.api.createTraining({
      body: { name: 'stall', source: { path: join(source, 'train.py') } },
    });
    await trainingInState(bridge.client, training.id, 'RUNNING');
    // no training named: every running one is watched, and the event names the stalled one
    await bridge.client.api.createAlertRule({
      body: {
        name: 'stalled',
        series: 'training.minutesSinceProgress',
        op: '>',
        threshold: 0.03,
        forSeconds: 0,
        webhook: silentUrl,
      },
    });
    await waitFor(hasEvent('stalled', 'FIRING'), 60_000, 'the stalled rule to fire');
    const [fired] = await eventsOf('stalled');
    expect(fired?.resource).toEqual({ kind: 'trainings', id: training.id, name: 'stall' });
    expect(fired?.message).toContain('training stall');
    writeFileSync(go, '');
    await waitFor(hasEvent('stalled', 'RESOLVED'), 30_000, 'the stalled rule to resolve');
    expect((await settledTraining(bridge.client, training.id)).state).toBe('COMPLETE');
    // neither the evaluator nor the bridge waited on the webhook: each attempt timed out on its own
    const given = await waitFor(
      async () => {
        const events = await eventsOf('stalled');
        return events.every((e) => e.webhook?.state === 'failed') && events;
      },
      30_000,
      'the silent webhook to be given up',
    );
    expect(given[0]?.webhook).toEqual({ state: 'failed', attempts: 4, error: 'no answer in 0.5 s' });
  });

  it('fires on a NaN loss logged by a training', async () => {
    const source = writeTree(join(work, 'nan'), {
      'train.py': [
        'from emkit.tracking import log_metric',
        'log_metric("accuracy", float("nan"), 1)',
        'log_metric("train/loss", 0.7, 1)',
        'log_metric("train/loss", float("nan"), 2)',
        '',
      ].join('\n'),
    });
    const training = await settledTraining(
      bridge.client,
      (await bridge.client.api.createTraining({ body: { name: 'nan-loss', source: { path: join(source, 'train.py') } } })).id,
    );
    // a tag it never logged, on a finished training: the rule could never read
    const never = await refusal(
      bridge.client.api.createAlertRule({
        body: { name: 'nan-x', series: 'training.nanLoss', resource: 'nan-loss', metric: 'val/loss', op: '>=', threshold: 1 },
      }),
    );
    expect([never.status, never.field]).toEqual([400, 'metric']);
    expect(never.message).toContain('train/loss');
    await bridge.client.api.createAlertRule({
      body: { name: 'nan', series: 'training.nanLoss', resource: training.id, op: '>=', threshold: 1, forSeconds: 0 },
    });
    await waitFor(hasEvent('nan', 'FIRING'), 30_000, 'the NaN rule to fire');
    const [fired] = await eventsOf('nan');
    expect(fired?.message).toBe('training nan-loss (train/loss at step 2): a loss went NaN or infinite');
  });

  it('the CLI creates, lists, shows, changes and deletes a rule, and lists the events', async () => {
    await deployFlaky('cli-watched');
    const created = await emkitCli(
      bridge,
      'alerts',
      'create',
      'cli-rule',
      '--series',
      'endpoint.errorRate',
      '--resource',
      'cli-watched',
      '--op',
      '>',
      '--threshold',
      '0.2',
      '--for',
      '0',
      '--severity',
      'info',
      '--webhook',
      'https://bot:hunter2-secret@chat.example.com/hook',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('endpoint.errorRate > 0.2 for 0 s');
    expect(created.stdout).not.toContain('hunter2-secret');
    const listed = await emkitCli(bridge, 'alerts', 'list');
    expect(listed.stdout).toMatch(/cli-rule\s+OK\s+info/);
    const bad = await emkitCli(
      bridge,
      'alerts',
      'create',
      'x',
      '--series',
      'endpoint.errorRate',
      '--resource',
      'cli-watched',
      '--op',
      '>',
      '--threshold',
      '1',
      '--webhook',
      'ftp://x',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('webhook');
    await infer(bridge, '/inference/cli-watched', { instances: ['fail'] });
    await waitFor(hasEvent('cli-rule', 'FIRING'), 30_000, 'the CLI rule to fire');
    const events = await emkitCli(bridge, 'alerts', 'events', '--rule', 'cli-rule');
    expect(events.stdout).toMatch(/cli-rule\s+FIRING\s+info\s+endpoint cli-watched: error rate 100 % > 20 %/);
    const disabled = await emkitCli(bridge, 'alerts', 'update', 'cli-rule', '--disable', '--no-webhook');
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('OK (disabled)');
    const shown = JSON.parse((await emkitCli(bridge, '--json', 'alerts', 'get', 'cli-rule')).stdout);
    expect(shown).toMatchObject({ enabled: false, webhook: null, state: 'OK' });
    // the change resolved the firing rule, saying why
    expect((await eventsOf('cli-rule')).map((e) => e.kind)).toEqual(['FIRING', 'RESOLVED']);
    expect((await emkitCli(bridge, 'alerts', 'delete', 'cli-rule')).code).toBe(0);
    expect((await emkitCli(bridge, 'alerts', 'get', 'cli-rule')).code).toBe(4);
  });

  it('a FIRING rule stays FIRING across a restart, with no second event, while its window fills again', async () => {
    await deployFlaky('reborn');
    await bridge.client.api.createAlertRule({
      body: { name: 'reborn-errors', series: 'endpoint.errorRate', resource: 'reborn', op: '>', threshold: 0.5, forSeconds: 2 },
    });
    await sendUntil('reborn', 'fail', hasEvent('reborn-errors', 'FIRING'), 'the error-rate rule to fire');
    const source = writeTree(join(work, 'nan-again'), {
      'train.py': ['from emkit.tracking import log_metric', 'log_metric("loss", float("inf"), 1)', ''].join('\n'),
    });
    const training = await settledTraining(
      bridge.client,
      (await bridge.client.api.createTraining({ body: { name: 'inf-loss', source: { path: join(source, 'train.py') } } })).id,
    );
    await bridge.client.api.createAlertRule({
      body: { name: 'inf', series: 'training.nanLoss', resource: training.id, op: '>=', threshold: 1, forSeconds: 0 },
    });
    await waitFor(hasEvent('inf', 'FIRING'), 30_000, 'the rule to fire');
    await bridge.stop();
    bridge = await startBridge({ home: bridge.home, args: BRIDGE_ARGS });
    // read again by the new bridge's evaluator
    const read = await waitFor(
      async () => {
        const rule = await bridge.client.api.getAlertRule({ params: { id: 'inf' } });
        return rule.evaluatedAt !== null && rule;
      },
      30_000,
      'the rule to be read after the restart',
    );
    expect(read).toMatchObject({ state: 'FIRING', value: 1 });
    expect((await eventsOf('inf')).map((e) => e.kind)).toEqual(['FIRING']);
    // the gateway's counters start again: until the window is covered the rule is neither resolved nor fired again
    await activeEndpoint(bridge.client, 'reborn');
    await sendUntil(
      'reborn',
      'fail',
      async () => (await bridge.client.api.getAlertRule({ params: { id: 'reborn-errors' } })).value !== null,
      'the error rate to be read again',
    );
    expect((await bridge.client.api.getAlertRule({ params: { id: 'reborn-errors' } })).state).toBe('FIRING');
    expect((await eventsOf('reborn-errors')).map((e) => e.kind)).toEqual(['FIRING']);
  });
});
