import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { AlertEvent } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, infer } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { settledTraining, trainingInState, venvPython, writeTree } from '../support/trainings.js';

// rules read every half second, and a failing webhook retried after 0.2 s, 0.4 s, 0.8 s: the cases take seconds
const BRIDGE_ARGS = ['--python', venvPython, '--alert-interval', '0.5', '--alert-webhook-backoff', '0.2'];
let bridge: TestBridge;
let work: string;

/** What a chat tool would get: every POST on a loopback server, body and Authorization header. */
interface Received {
  body: Record<string, unknown>;
  authorization: string | undefined;
}
let hook: Server;
let hookUrl: string;
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
});
afterAll(async () => {
  await bridge?.stop();
  await new Promise((resolve) => hook?.close(resolve));
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

    await sendUntil('flaky', 'fail', hasEvent('flaky-errors', 'FIRING'), 'the error-rate rule to fire');
    const firing = await bridge.client.api.getAlertRule({ params: { id: 'flaky-errors' } });
    expect(firing.state).toBe('FIRING');
    await sendUntil('flaky', 1, hasEvent('flaky-errors', 'RESOLVED'), 'the error-rate rule to resolve');
    expect((await bridge.client.api.getAlertRule({ params: { id: 'flaky-errors' } })).state).toBe('OK');

    const [fired, resolved] = await eventsOf('flaky-errors');
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

  it('fires on a stalled training and resolves once it logs again', async () => {
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
      body: { name: 'stalled', series: 'training.minutesSinceProgress', op: '>', threshold: 0.03, forSeconds: 0 },
    });
    await waitFor(hasEvent('stalled', 'FIRING'), 60_000, 'the stalled rule to fire');
    const [fired] = await eventsOf('stalled');
    expect(fired?.resource).toEqual({ kind: 'trainings', id: training.id, name: 'stall' });
    expect(fired?.message).toContain('training stall');
    writeFileSync(go, '');
    await waitFor(hasEvent('stalled', 'RESOLVED'), 30_000, 'the stalled rule to resolve');
    expect((await settledTraining(bridge.client, training.id)).state).toBe('COMPLETE');
  });
});
