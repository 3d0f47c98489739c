import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { stagePayloadLogging } from '@emkit/shared';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openPayloadLogConnection } from '../store/db.js';
import { Store } from '../store/index.js';
import { PayloadBatchWriter, rowOf } from './payload-batch.js';
import { PayloadLogWriter, type PayloadThread } from './payload-log.js';
import { servePayloadThread } from './payload-thread.js';
import { CallArena, type CallBatch, decodeBatch } from './payload-wire.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-payload-log-'));
const store = new Store(join(dir, 'emkit.db'));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const { endpointId, stageId } = store.tx(() => {
  const model = store.models.insert(
    {
      id: 'model-1',
      name: 'm',
      description: '',
      framework: 'custom',
      frameworkVersion: null,
      artifactPath: dir,
      files: 1,
      bytes: 1,
      tags: {},
      hyperparameters: {},
      metrics: {},
      trainingId: null,
      sourcePath: null,
    },
    [],
  );
  const endpoint = store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} });
  const stage = store.endpoints.insertStage(endpoint.id, {
    name: 'default',
    description: '',
    instanceCount: 1,
    resourcePath: '/',
    python: 'python3',
    modelId: model.id,
    clusterId: null,
    autoscaling: null,
    payloadLogging: { enabled: true, keepCount: 3, keepDays: 1 },
  });
  return { endpointId: endpoint.id, stageId: stage.id };
});

const call = (i: number, time = new Date().toISOString()) => ({
  endpointId,
  stageId,
  inferenceId: `inf-${i}`,
  time,
  status: 200,
  request: Buffer.from(JSON.stringify({ instances: [[i]] })),
  answer: Buffer.from(JSON.stringify({ predictions: [i] })),
});

const quiet = pino({ enabled: false });

/**
 * The payload log's thread in this process: the same code on a real message channel (transfers
 * and all) with its own connection; the worker_threads entry around it runs in the integration tests.
 */
function inProcessThread(written: SharedArrayBuffer): PayloadThread {
  const { port1, port2 } = new MessageChannel();
  const db = openPayloadLogConnection(join(dir, 'emkit.db'));
  servePayloadThread(
    new PayloadBatchWriter(db, () => {}),
    port2,
    () => {
      db.close();
      port2.close();
    },
    written,
  );
  return {
    postMessage: (message, transfer) => port1.postMessage(message, transfer),
    on: (event: string, listener: (value: never) => void) =>
      event === 'exit'
        ? port1.on('close', () => listener(0 as never))
        : event === 'message'
          ? port1.on('message', listener)
          : port1,
  } as PayloadThread;
}

describe('the payload log writer', () => {
  it('takes the share of calls the sample rate says, and writes them at flush', async () => {
    let draw = 0;
    // draws 0, 0.25, 0.5, 0.75, 0, …: at 0.5, two calls of every four are kept
    const writer = new PayloadLogWriter(store, quiet, inProcessThread, () => (draw++ % 4) / 4);
    const settings = stagePayloadLogging({ enabled: true, sampleRate: 0.5 });
    for (let i = 0; i < 8; i += 1) writer.offer(settings, call(i));
    writer.offer(stagePayloadLogging(null), call(99));
    expect(store.payloads.count(stageId)).toBe(0);
    await writer.flush();
    expect(store.payloads.list(endpointId, { limit: 100 }).map((p) => p.inferenceId)).toEqual([
      'inf-0',
      'inf-1',
      'inf-4',
      'inf-5',
    ]);
    await writer.close();
  });

  it('prunes each stage by its stored settings: the newest keepCount, none older than keepDays', async () => {
    const writer = new PayloadLogWriter(store, quiet, inProcessThread);
    const settings = stagePayloadLogging({ enabled: true });
    writer.offer(settings, call(10, new Date(Date.now() - 2 * 86_400_000).toISOString()));
    writer.offer(settings, call(11));
    await writer.flush();
    writer.prune();
    await writer.flush();
    // 6 rows: the 2-day-old one goes (keepDays 1), then all but the newest 3 (keepCount)
    expect(store.payloads.list(endpointId, { limit: 100 }).map((p) => p.inferenceId)).toEqual(['inf-4', 'inf-5', 'inf-11']);
    await writer.close();
  });

  it('writes no rows of an endpoint deleted meanwhile, and prunes those that got in before it was', async () => {
    const gone = store.tx(() => store.endpoints.insert({ name: 'gone', description: '', apiKeyHash: null, tags: {} }).id);
    const writer = new PayloadLogWriter(store, quiet, inProcessThread);
    const settings = stagePayloadLogging({ enabled: true });
    const ofGone = (i: number) => ({ ...call(i), endpointId: gone, stageId: 'gone-stage' });
    writer.offer(settings, ofGone(20));
    await writer.flush();
    expect(store.payloads.count('gone-stage')).toBe(1);
    // deleted as the bridge does (its rows with it), with a call of it still on its way
    writer.offer(settings, ofGone(21));
    store.tx(() => {
      store.endpoints.delete(gone);
      store.payloads.deleteEndpoint(gone);
    });
    await writer.flush();
    expect(store.payloads.count('gone-stage')).toBe(0);
    // one that slipped past: written after the delete, then gone at the next prune
    store.payloads.insert([rowOf({ ...ofGone(22), settings })]);
    writer.prune();
    await writer.flush();
    expect(store.payloads.count('gone-stage')).toBe(0);
    expect(store.payloads.count(stageId)).toBeGreaterThan(0);
    await writer.close();
  });
});

describe('what the writer keeps in memory', () => {
  it('sends at once when the kept bodies reach 8 MiB, not only on its timer', async () => {
    const sent: string[] = [];
    const thread = (written: SharedArrayBuffer) => {
      const inner = inProcessThread(written);
      return {
        ...inner,
        on: inner.on,
        postMessage: (message: { type: string }, transfer?: readonly ArrayBuffer[]) => {
          sent.push(message.type);
          inner.postMessage(message, transfer);
        },
      } as PayloadThread;
    };
    const writer = new PayloadLogWriter(store, quiet, thread);
    const settings = stagePayloadLogging({ enabled: true, maxBytes: 256, keepCount: 1000 });
    const big = Buffer.from(JSON.stringify({ instances: ['x'.repeat(3 * 1024 * 1024)] }));
    const before = store.payloads.count(stageId);
    writer.offer(settings, { ...call(20), request: big });
    writer.offer(settings, { ...call(21), request: big });
    expect(sent).toEqual([]);
    writer.offer(settings, { ...call(22), request: big });
    expect(sent).toEqual(['batch']);
    await writer.flush();
    expect(store.payloads.count(stageId)).toBe(before + 3);
    // capped on the thread: the row holds maxBytes of the instances, not 3 MiB
    expect(store.payloads.byInference(endpointId, 'inf-22')?.truncated).toBe(true);
    await writer.close();
  });

  it('writes what waits and ends its thread on close; later calls are not taken', async () => {
    const writer = new PayloadLogWriter(store, quiet, inProcessThread);
    const settings = stagePayloadLogging({ enabled: true, keepCount: 1000 });
    const checkpointsOnCommit = () => store.db.pragma('wal_autocheckpoint', { simple: true });
    expect(checkpointsOnCommit()).toBe(1000);
    writer.offer(settings, call(30));
    await writer.flush();
    // while the thread runs, it checkpoints the store, not the gateway's commits
    expect(checkpointsOnCommit()).toBe(0);
    await writer.close();
    expect(checkpointsOnCommit()).toBe(1000);
    expect(store.payloads.byInference(endpointId, 'inf-30')).toBeDefined();
    writer.offer(settings, call(31));
    await writer.flush();
    expect(store.payloads.byInference(endpointId, 'inf-31')).toBeUndefined();
  });
});

describe("the payload log's queue", () => {
  /** A thread that takes batches and never gets to them: a stalled disk, a thread far behind. */
  const stalled = (): PayloadThread => ({ postMessage: () => {}, on: () => undefined });

  it('drops calls past its cap, counts them per stage and says so once in the log, until the thread catches up', async () => {
    const warnings: unknown[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const sizeOfOne = CallArena.sizeOf(call(40));
    let thread: SharedArrayBuffer | null = null;
    const writer = new PayloadLogWriter(
      store,
      log,
      (written) => {
        thread = written;
        return stalled();
      },
      Math.random,
      sizeOfOne * 3,
    );
    const settings = stagePayloadLogging({ enabled: true, keepCount: 1000 });
    for (let i = 0; i < 5; i += 1) writer.offer(settings, call(40 + i));
    // three fit; the thread is sent them (a flush it never answers) and writes none
    void writer.flush();
    for (let i = 0; i < 5; i += 1) writer.offer(settings, call(50 + i));
    expect(writer.dropped([stageId])).toBe(7);
    expect(writer.dropped(['another-stage'])).toBe(0);
    expect(writer.queued()).toBe(sizeOfOne * 3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ dropped: 1, maxQueuedBytes: sizeOfOne * 3 });
    // the thread writes them (its counter says so): calls are taken again
    Atomics.add(new Int32Array(thread as unknown as SharedArrayBuffer), 0, sizeOfOne * 3);
    expect(writer.queued()).toBe(0);
    writer.offer(settings, call(60));
    expect(writer.dropped([stageId])).toBe(7);
    expect(writer.queued()).toBe(sizeOfOne);
  });
});

describe('a batch on its way to the thread', () => {
  it('carries each call whole: its stage and settings at the time, ids, status, both bodies or none', () => {
    const arena = new CallArena();
    const first = stagePayloadLogging({ enabled: true, redact: ['a'] });
    const changed = stagePayloadLogging({ enabled: true, redact: ['b'] });
    arena.add(first, call(1));
    arena.add(first, { ...call(2), inferenceId: 'ünïcode-2', status: 503, answer: null });
    arena.add(changed, { ...call(3), stageId: 'stage-2', request: Buffer.alloc(0) });
    arena.add(changed, call(4));
    const taken = arena.take();
    expect(arena.take()).toBeNull();
    const calls = decodeBatch(taken?.batch as CallBatch);
    expect(calls.map((c) => [c.inferenceId, c.stageId, c.status, c.settings])).toEqual([
      ['inf-1', stageId, 200, first],
      ['ünïcode-2', stageId, 503, first],
      ['inf-3', 'stage-2', 200, changed],
      ['inf-4', stageId, 200, changed],
    ]);
    expect(calls[0]?.request.toString()).toBe(JSON.stringify({ instances: [[1]] }));
    expect(calls[0]?.answer?.toString()).toBe(JSON.stringify({ predictions: [1] }));
    expect(calls[1]?.answer).toBeNull();
    expect(calls[2]?.request.length).toBe(0);
    expect(calls[3]?.answer?.toString()).toBe(JSON.stringify({ predictions: [4] }));
  });
});
