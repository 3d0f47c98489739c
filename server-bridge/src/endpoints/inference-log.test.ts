import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InferenceLog } from '@emkit/shared';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnection } from '../store/db.js';
import { Store } from '../store/index.js';
import { InferenceLogWriter } from './inference-log.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-inference-log-'));
const store = new Store(join(dir, 'emkit.db'));
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const endpoint = store.tx(() => store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} }));
const entry = (i: number) => ({
  endpointId: endpoint.id,
  endpointStageId: 'stage-1',
  stage: 'default',
  inferenceId: `inf-${i}`,
  action: 'Inference.Request' as const,
  modelName: 'm',
  logLevel: 'INFO' as const,
  body: 'POST /inference/ep (2 bytes)',
  status: null,
  latencyMs: null,
  time: new Date().toISOString(),
});

describe('the inference log writer', () => {
  it("doesn't sleep the gateway's thread on another connection's write lock: it tries again, then writes", async () => {
    const writer = new InferenceLogWriter(store, pino({ enabled: false }));
    const written: InferenceLog[] = [];
    writer.bus.on('log', (log: InferenceLog) => written.push(log));
    // another connection (a CLI's, a script's) holds the write lock
    const other = openConnection(join(dir, 'emkit.db'));
    other.prepare('BEGIN IMMEDIATE').run();
    try {
      writer.push(entry(1));
      writer.push(entry(2));
      // its timer fires meanwhile: a write that waited on the lock (SQLite's busy wait, 5 s) would
      // stop this loop, and a 10 ms interval would run once after it rather than every 10 ms
      await sleep(150); // its first try (at 100 ms) is behind it
      let ticks = 0;
      const ticking = setInterval(() => ticks++, 10);
      await sleep(300);
      clearInterval(ticking);
      expect(ticks).toBeGreaterThan(10);
      expect(written).toEqual([]);
    } finally {
      other.prepare('COMMIT').run();
      other.close();
    }
    await expect.poll(() => written.map((log) => log.inferenceId), { timeout: 2000 }).toEqual(['inf-1', 'inf-2']);
    expect(store.inference.logs(endpoint.id, { limit: 10 }).map((log) => log.inferenceId)).toEqual(['inf-1', 'inf-2']);
  });

  it('writes everything pushed at flush, before its timer: what a read of the log does first', () => {
    const writer = new InferenceLogWriter(store, pino({ enabled: false }));
    writer.push(entry(3));
    writer.push(entry(4));
    writer.flush();
    expect(store.inference.logs(endpoint.id, { limit: 10 }).map((log) => log.inferenceId)).toEqual([
      'inf-1',
      'inf-2',
      'inf-3',
      'inf-4',
    ]);
  });
});
