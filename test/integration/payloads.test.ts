import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { activeEndpoint, infer } from '../support/endpoints.js';
import { settledEvaluation, writeCsv } from '../support/evaluations.js';
import { refusal } from '../support/refusal.js';
import { venvPython, writeTree } from '../support/trainings.js';

// Payload logging (sampled, capped, redacted by field name) with real calls through the
// gateway to a real worker, and labels sent back lowering rolling accuracy under the
// model version's evaluation.

let bridge: TestBridge;
let work: string;

/** A classifier whose answer is its instance's `x` (a dict's field, or a row's first value) as an int. */
function writeEchoClassifier(dir: string): string {
  return writeTree(dir, {
    'predict.py': [
      'def load():',
      '    return None',
      '',
      'def predict(model, instances):',
      '    return [int(float(x["x"] if isinstance(x, dict) else x[0])) for x in instances]',
      '',
    ].join('\n'),
  });
}

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-payloads-');
  await bridge.client.api.createModel({
    body: { name: 'echo', artifactPath: writeEchoClassifier(join(work, 'echo')), framework: 'custom' },
  });
  await bridge.client.api.createEndpoint({ body: { name: 'logged', model: 'echo' } });
  await activeEndpoint(bridge.client, 'logged');
}, 180_000);
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const payloads = (query: Record<string, unknown> = {}) =>
  bridge.client.api.listEndpointPayloads({ params: { id: 'logged' }, query: query as never });
const logging = (payloadLogging: Record<string, unknown>) =>
  bridge.client.api.updateEndpointStage({ params: { id: 'logged', stage: 'default' }, body: { payloadLogging } as never });

describe('payload logging', () => {
  it('logs nothing while off, then instances and predictions redacted by name at any depth, capped', async () => {
    const before = await infer(bridge, '/inference/logged', { instances: [{ x: 1 }] });
    expect(before.status).toBe(200);
    expect((await payloads()).items).toEqual([]);

    await logging({ enabled: true, redact: ['ssn', 'token'], maxBytes: 256 });
    const secret = { x: 1, ssn: '123-45-6789', meta: { token: 'abc', keep: 'yes' }, rows: [{ ssn: '987' }] };
    const sent = await infer(bridge, '/inference/logged', { instances: [secret, { x: 0 }] });
    expect(sent.status).toBe(200);
    const [logged] = (await payloads({ inferenceId: sent.inferenceId })).items;
    expect(logged).toMatchObject({
      inferenceId: sent.inferenceId,
      stage: 'default',
      status: 200,
      truncated: false,
      predictions: [1, 0],
      instances: [
        { x: 1, ssn: '[redacted]', meta: { token: '[redacted]', keep: 'yes' }, rows: [{ ssn: '[redacted]' }] },
        { x: 0 },
      ],
    });
    expect(JSON.stringify(logged)).not.toContain('123-45-6789');

    // over maxBytes: kept cut, as a string, marked
    const big = await infer(bridge, '/inference/logged', {
      instances: Array.from({ length: 40 }, (_, i) => ({ x: i % 2, ssn: `secret-${i}` })),
    });
    const [cut] = (await payloads({ inferenceId: big.inferenceId })).items;
    expect(cut?.truncated).toBe(true);
    expect(typeof cut?.instances).toBe('string');
    expect(Buffer.byteLength(cut?.instances as string)).toBeLessThanOrEqual(256);
    expect(cut?.instances as string).not.toContain('secret-');

    // an error answer is logged with its status, no predictions
    const bad = await infer(bridge, '/inference/logged', { instances: [{ y: 1 }] });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const [failed] = (await payloads({ inferenceId: bad.inferenceId })).items;
    expect(failed).toMatchObject({ status: bad.status, predictions: null, instances: [{ y: 1 }] });
  }, 60_000);

  it('logs about the sample rate of the requests', async () => {
    await logging({ enabled: true, sampleRate: 0.5 });
    const since = new Date().toISOString();
    for (let i = 0; i < 100; i += 1) {
      expect((await infer(bridge, '/inference/logged', { instances: [{ x: i % 2 }] })).status).toBe(200);
    }
    const kept = (await payloads({ since, limit: 5000 })).items.length;
    // 100 draws at p = 0.5: outside 25..75 once in millions of runs
    expect(kept).toBeGreaterThanOrEqual(25);
    expect(kept).toBeLessThanOrEqual(75);
  }, 60_000);

  it('refuses bad queries with the envelope and keeps serving', async () => {
    expect(await refusal(payloads({ limit: 0 }))).toMatchObject({ status: 400, code: 'validation', field: 'limit' });
    expect(await refusal(payloads({ stage: 'nope' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await refusal(bridge.client.api.listEndpointPayloads({ params: { id: 'missing' }, query: {} }))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    const since = new Date().toISOString();
    expect(await refusal(payloads({ since, until: since }))).toMatchObject({ status: 400, field: 'until' });
    // a leap second is a valid date-time JavaScript can't read
    expect(await refusal(payloads({ since: '2026-12-31T23:59:60Z' }))).toMatchObject({ status: 400, field: 'since' });
    expect(
      (await bridge.client.api.getEndpointModelQuality({ params: { id: 'logged' }, query: { window: '99999d', windows: 1000 } }))
        .endpointId,
    ).toBeTruthy();
    expect((await infer(bridge, '/inference/logged', { instances: [{ x: 1 }] })).status).toBe(200);
  });
});

describe('payload logging of what the worker refuses', () => {
  it('a request nested too deeply to walk is logged marked, and the bridge keeps serving', async () => {
    await logging({ enabled: true, sampleRate: 1, redact: ['ssn'] });
    const depth = 200_000;
    const raw = `{"instances": [${'['.repeat(depth)}1${']'.repeat(depth)}]}`;
    const deep = await infer(bridge, '/inference/logged', null, { raw });
    expect(deep.status).toBe(400);
    const [logged] = (await payloads({ inferenceId: deep.inferenceId })).items;
    expect(logged).toMatchObject({ status: 400, truncated: true, predictions: null });
    expect(String(logged?.instances)).toContain('not logged');
    expect((await infer(bridge, '/inference/logged', { instances: [{ x: 1 }] })).status).toBe(200);
  }, 60_000);
});

describe('feedback and model quality', () => {
  it('joins labels to logged predictions; wrong labels bring rolling accuracy under the baseline', async () => {
    const data = writeCsv(
      join(work, 'test.csv'),
      ['x', 'label'],
      Array.from({ length: 20 }, (_, i) => [i % 2, i % 2]),
    );
    const evaluation = await bridge.client.api.createEvaluation({ body: { model: 'echo', data, task: 'classification' } });
    const settled = await settledEvaluation(bridge.client, evaluation.id);
    expect(settled.state, settled.stateReason ?? '').toBe('COMPLETE');

    await logging({ enabled: true, sampleRate: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const answer = await infer(bridge, '/inference/logged', { instances: [{ x: i % 2 }, { x: 1 }] });
      ids.push(answer.inferenceId as string);
    }
    // half the labels disagree with the model: accuracy 0.5 against the evaluation's 1.0
    const items = ids.map((inferenceId, i) => ({ inferenceId, label: i < 10 ? i % 2 : 1 - (i % 2) }));
    expect(await bridge.client.api.sendEndpointFeedback({ params: { id: 'logged' }, body: { items } })).toEqual({
      accepted: 20,
    });
    // one more, by itself, on the second instance of a request: right
    expect(
      await bridge.client.api.sendEndpointFeedback({
        params: { id: 'logged' },
        body: { inferenceId: ids[0] as string, index: 1, label: 1 },
      }),
    ).toEqual({ accepted: 1 });

    const quality = await bridge.client.api.getEndpointModelQuality({ params: { id: 'logged' }, query: {} });
    expect(quality.task).toBe('classification');
    expect(quality.baseline).toEqual({ evaluationId: evaluation.id, metrics: { accuracy: 1, f1: 1 } });
    const latest = quality.windows.at(-1);
    expect(latest).toMatchObject({ stage: 'default', count: 21 });
    expect(latest?.metrics.accuracy).toBeCloseTo(11 / 21, 6);
    expect(latest?.metrics.accuracy).toBeLessThan(quality.baseline?.metrics.accuracy as number);
    expect(latest?.metrics.f1).toBeLessThan(1);
  }, 180_000);

  it('an unknown inferenceId: 404 naming it, counted, nothing of the batch kept', async () => {
    const known = await infer(bridge, '/inference/logged', { instances: [{ x: 1 }] });
    const before = await bridge.client.api.getEndpointModelQuality({ params: { id: 'logged' }, query: {} });
    const refused = await refusal(
      bridge.client.api.sendEndpointFeedback({
        params: { id: 'logged' },
        body: {
          items: [
            { inferenceId: known.inferenceId as string, label: 1 },
            { inferenceId: 'no-such-inference', label: 1 },
          ],
        },
      }),
    );
    expect(refused).toMatchObject({ status: 404, code: 'not_found', field: 'items' });
    expect(refused.message).toContain('"no-such-inference"');
    const after = await bridge.client.api.getEndpointModelQuality({ params: { id: 'logged' }, query: {} });
    expect(after.unmatchedFeedback).toBe(before.unmatchedFeedback + 1);
    expect(after.windows.at(-1)?.count).toBe(before.windows.at(-1)?.count);

    // an instance the answer has no prediction for, and a label that is no value
    expect(
      await refusal(
        bridge.client.api.sendEndpointFeedback({
          params: { id: 'logged' },
          body: { inferenceId: known.inferenceId as string, index: 3, label: 1 },
        }),
      ),
    ).toMatchObject({ status: 422, field: 'index' });
    expect(
      await refusal(
        bridge.client.api.sendEndpointFeedback({
          params: { id: 'logged' },
          body: { inferenceId: known.inferenceId as string, label: { a: 1 } },
        }),
      ),
    ).toMatchObject({ status: 400, field: 'label' });
    expect(
      await refusal(bridge.client.api.sendEndpointFeedback({ params: { id: 'logged' }, body: { items: [] } as never })),
    ).toMatchObject({ status: 400 });
  }, 60_000);
});

describe('a bridge that stops', () => {
  it('stops with its payload log thread, every answered call written: the next bridge on its home has them', async () => {
    // the log is written on its own thread a moment after each answer; the bridge's close ends that thread
    // (that close writes what still waits is the unit test's: here the timer mostly wins the race)
    await logging({ enabled: true, sampleRate: 1 });
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => infer(bridge, '/inference/logged', { instances: [{ x: i % 2 }] })),
    );
    expect(sent.every((answer) => answer.status === 200)).toBe(true);
    await bridge.stop();
    bridge = await startBridge({ home: bridge.home, args: ['--python', venvPython] });
    const ids = new Set((await payloads({ limit: 5000 })).items.map((item) => item.inferenceId));
    expect(sent.filter((answer) => !ids.has(answer.inferenceId as string))).toEqual([]);
  }, 180_000);

  it("deleting the endpoint deletes its logged calls from the payload log's own file", async () => {
    const endpoint = await bridge.client.api.getEndpoint({ params: { id: 'logged' } });
    const file = join(bridge.home, 'emkit-payloads.db');
    const rowsOf = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (
          db.prepare('SELECT count(*) AS n FROM inference_payloads WHERE endpoint_id = ?').get(endpoint.id) as { n: number }
        ).n;
      } finally {
        db.close();
      }
    };
    expect(rowsOf()).toBeGreaterThan(0);
    await bridge.client.api.deleteEndpoint({ params: { id: 'logged' } });
    await expect
      .poll(async () => (await bridge.client.api.listEndpoints({ query: {} })).items.length, { timeout: 60_000 })
      .toBe(0);
    expect(rowsOf()).toBe(0);
  }, 120_000);
});

describe("the payload log's queue cap", () => {
  it('drops a call that would take it past its cap, counts it in the answer and the log, and logs the next one', async () => {
    // a cap of about 1 KiB: a small call fits, one with a 4 KiB instance never does, whatever the timing
    const capped = await startBridge({ args: ['--python', venvPython, '--payload-log-queue-mb', '0.001'] });
    try {
      await capped.client.api.createModel({
        body: { name: 'echo', artifactPath: writeEchoClassifier(join(work, 'echo-capped')), framework: 'custom' },
      });
      await capped.client.api.createEndpoint({ body: { name: 'small', model: 'echo' } });
      await activeEndpoint(capped.client, 'small');
      await capped.client.api.updateEndpointStage({
        params: { id: 'small', stage: 'default' },
        body: { payloadLogging: { enabled: true, sampleRate: 1 } },
      });
      const before = await infer(capped, '/inference/small', { instances: [{ x: 1 }] });
      const big = await infer(capped, '/inference/small', { instances: [{ x: 0, note: 'n'.repeat(4096) }] });
      const after = await infer(capped, '/inference/small', { instances: [{ x: 1 }] });
      // dropped from the log only: the caller got its answer
      expect([before.status, big.status, after.status]).toEqual([200, 200, 200]);
      const listed = await capped.client.api.listEndpointPayloads({ params: { id: 'small' }, query: {} });
      expect(listed.items.map((item) => item.inferenceId)).toEqual([before.inferenceId, after.inferenceId]);
      expect(listed.dropped).toBe(1);
      expect(capped.output()).toContain('its queue is full, so sampled calls are dropped');
      // the CLI lists the rows on stdout and says what was dropped on stderr
      const cli = await emkitCli(capped, 'endpoint', 'payloads', 'small');
      expect(cli.code).toBe(0);
      expect(cli.stdout).toContain(before.inferenceId as string);
      expect(cli.stderr).toContain("1 sampled call(s) not logged since the bridge started: its payload log's queue was full");
    } finally {
      await capped.stop();
      removeDir(capped.home);
    }
  }, 180_000);
});
