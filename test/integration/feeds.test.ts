import { join } from 'node:path';
import { EndpointFeed, type EndpointViewMessage, EventStream, TrainingFeed, type TrainingViewMessage } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { activeEndpoint, writeCustomModel } from '../support/endpoints.js';
import { venvPython, writeTree } from '../support/trainings.js';

// The feeds as both editors run them: against a real bridge, fed by a real EventStream,
// with rank 0's log over a real WebSocket (the `ws` class, as VS Code's extension host passes it).

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-feeds-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

function eventsInto(handle: (event: Parameters<TrainingFeed['handleEvent']>[0]) => void): EventStream {
  return new EventStream(bridge.client, { event: handle }, { WebSocket: WebSocket as never, minDelayMs: 50, maxDelayMs: 500 });
}

describe('feeds', () => {
  it('a training feed posts what the training view shows: its state to COMPLETE, the printed log, the logged loss, its files', async () => {
    const source = writeTree(join(work, 'fit'), {
      'fit.py': [
        'import time',
        'from emkit.tracking import log_metric',
        'for step in range(8):',
        '    print(f"epoch {step} loss {1.0 / (1 + step):.4f}", flush=True)',
        '    log_metric("loss", 1.0 / (1 + step), step)',
        '    time.sleep(0.25)',
        'print("fit finished", flush=True)',
      ].join('\n'),
    });
    const submitted = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'fit.py') } } });

    const messages: TrainingViewMessage[] = [];
    const feed = new TrainingFeed(bridge.client, submitted.id, (m) => messages.push(m), { WebSocket: WebSocket as never });
    const stream = eventsInto((event) => feed.handleEvent(event));
    feed.start();
    try {
      const log = () =>
        messages
          .filter((m) => m.type === 'log')
          .map((m) => m.text)
          .join('');
      const trainings = () => messages.flatMap((m) => (m.type === 'training' ? [m.training] : []));
      await waitFor(async () => trainings().some((t) => t.state === 'COMPLETE'), 120_000, 'the feed to post COMPLETE');
      await waitFor(async () => log().includes('fit finished'), 15_000, 'the whole log');
      await waitFor(
        async () => messages.some((m) => m.type === 'files' && m.files.some((f) => f.path.startsWith('tensorboard/'))),
        15_000,
        'the files once settled',
      );

      expect(messages.some((m) => m.type === 'error')).toBe(false);
      expect(trainings()[0]?.id).toBe(submitted.id);
      // the log, exactly as printed, once (no chunk repeated across reconnections)
      for (let step = 0; step < 8; step++) expect(log().split(`epoch ${step} loss`)).toHaveLength(2);
      expect(log()).toContain(`epoch 7 loss ${(1 / 8).toFixed(4)}`);

      // every logged point reaches the chart, from the first load or live events, none twice
      const loss = () => {
        const points = new Map<number, number>();
        let repeated = 0;
        for (const m of messages) {
          const found =
            m.type === 'metrics'
              ? m.series.filter((s) => s.tag === 'loss').flatMap((s) => s.points)
              : m.type === 'metricPoints'
                ? m.points.filter((p) => p.tag === 'loss')
                : [];
          for (const p of found) {
            if (points.has(p.step)) repeated++;
            points.set(p.step, Number(p.value));
          }
        }
        return { points, repeated };
      };
      await waitFor(async () => loss().points.size >= 8, 15_000, 'all eight loss points');
      const { points, repeated } = loss();
      expect([...points.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(points.get(3)).toBeCloseTo(0.25, 6);
      expect(repeated).toBe(0);
    } finally {
      feed.dispose();
      stream.close();
    }
  });

  it('an endpoint feed posts the endpoint, its traffic, and a prediction equal to the model’s answer (or the gateway’s error)', async () => {
    const model = await bridge.client.api.createModel({
      body: { name: 'summer', artifactPath: writeCustomModel(join(work, 'summer'), 'v1') },
    });
    const created = await bridge.client.api.createEndpoint({ body: { name: 'summer-api', model: `${model.name}:1` } });
    await activeEndpoint(bridge.client, 'summer-api');

    const messages: EndpointViewMessage[] = [];
    const feed = new EndpointFeed(bridge.client, created.id, (m) => messages.push(m));
    const stream = eventsInto((event) => feed.handleEvent(event));
    feed.start();
    try {
      await waitFor(async () => messages.some((m) => m.type === 'stats'), 15_000, 'the first stats');
      const endpoint = messages.find((m) => m.type === 'endpoint');
      expect(endpoint?.type === 'endpoint' && endpoint.endpoint.name).toBe('summer-api');
      expect(endpoint?.type === 'endpoint' && endpoint.endpoint.stages.map((s) => [s.name, s.state])).toEqual([
        ['default', 'ACTIVE'],
      ]);

      await feed.predict(1, null, {
        instances: [
          [1, 2, 3],
          [10, 20],
        ],
      });
      await feed.predict(2, 'default', { instances: [[0.5, 0.25]] });
      await feed.predict(3, 'no-such-stage', { instances: [[1]] });
      const answer = (id: number) => messages.find((m) => m.type === 'prediction' && m.requestId === id);
      expect(answer(1)).toMatchObject({
        status: 200,
        body: {
          predictions: [
            ['v1', 6],
            ['v1', 30],
          ],
        },
      });
      expect(answer(2)).toMatchObject({ status: 200, body: { predictions: [['v1', 0.75]] } });
      const refused = answer(3);
      expect(refused?.type === 'prediction' && refused.status).toBe(404);
      expect(refused?.type === 'prediction' && String(refused.body)).toMatch(/no-such-stage/);
      expect(refused?.type === 'prediction' && refused.latencyMs).toBeGreaterThan(0);

      // the calls show in the traffic the feed reads again after them
      await waitFor(
        async () =>
          messages.some(
            (m) => m.type === 'stats' && m.minutes.filter((s) => s.stage === 'default').reduce((n, s) => n + s.count, 0) === 2,
          ),
        15_000,
        'the stats to count both calls',
      );
      expect(messages.some((m) => m.type === 'error')).toBe(false);
    } finally {
      feed.dispose();
      stream.close();
    }
  });
});
