import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { payloadLogFileOf } from './db.js';
import { Store } from './index.js';
import { migrate, migrations } from './migrations.js';
import type { NewPayload } from './payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-payloads-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the payload log in SQLite', () => {
  const store = new Store(join(dir, 'emkit.db'));
  const endpointId = store.tx(() => store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} }).id);
  const row = (i: number, stageId = 'stage-a', truncated = false): NewPayload => ({
    inferenceId: `inf-${i}`,
    endpointId,
    stageId,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    status: 200,
    instances: truncated ? JSON.stringify('[[1, 2') : JSON.stringify([[i, i + 1]]),
    predictions: JSON.stringify([i % 2]),
    truncated,
  });
  const seqs = store.payloads.insert([
    ...Array.from({ length: 10 }, (_, i) => row(i)),
    row(10, 'stage-b'),
    row(11, 'stage-a', true),
  ]);

  it('writes a batch in one call and answers the rows seq in order', () => {
    expect(seqs).toHaveLength(12);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('reads by inference id, stage and time, the newest `limit` oldest first', () => {
    expect(store.payloads.byInference(endpointId, 'inf-3')?.instances).toBe('[[3,4]]');
    expect(store.payloads.byInference(endpointId, 'nope')).toBeUndefined();
    const page = store.payloads.list(endpointId, { stageId: 'stage-a', limit: 3 });
    expect(page.map((p) => p.inferenceId)).toEqual(['inf-8', 'inf-9', 'inf-11']);
    const window = store.payloads.list(endpointId, { since: row(2).time, until: row(4).time, limit: 100 });
    expect(window.map((p) => p.inferenceId)).toEqual(['inf-2', 'inf-3']);
  });

  it('stops at the size budget, keeping the newest (at least one)', () => {
    // each row's instances and predictions are 7 + 3 or 8 + 3 characters
    expect(store.payloads.list(endpointId, { stageId: 'stage-a', limit: 100 }, 25).map((p) => p.inferenceId)).toEqual([
      'inf-9',
      'inf-11',
    ]);
    expect(store.payloads.list(endpointId, { stageId: 'stage-a', limit: 100 }, 1).map((p) => p.inferenceId)).toEqual(['inf-11']);
  });

  it('hands drift a window of untruncated inputs as JSON text', () => {
    const inputs = store.payloads.instancesBetween('stage-a', row(0).time, row(20).time);
    expect(inputs.map((p) => p.inferenceId)).toEqual(Array.from({ length: 10 }, (_, i) => `inf-${i}`));
    expect(JSON.parse(inputs[5]?.instances ?? '')).toEqual([[5, 6]]);
  });

  it('keeps a stage to its newest rows and none older than the cut-off', () => {
    store.payloads.prune('stage-a', 4, row(6).time);
    expect(store.payloads.list(endpointId, { stageId: 'stage-a', limit: 100 }).map((p) => p.inferenceId)).toEqual([
      'inf-7',
      'inf-8',
      'inf-9',
      'inf-11',
    ]);
    store.payloads.prune('stage-a', 2, row(0).time);
    expect(store.payloads.count('stage-a')).toBe(2);
    expect(store.payloads.count('stage-b')).toBe(1);
  });
});

describe('feedback in SQLite', () => {
  const store = new Store(join(dir, 'feedback.db'));
  const endpointId = store.tx(() => store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} }).id);

  it('counts unmatched labels per endpoint and replaces a second label of one instance', () => {
    store.feedback.countUnmatched(endpointId, 2);
    store.feedback.countUnmatched(endpointId, 3);
    expect(store.feedback.unmatched(endpointId)).toBe(5);
    const row = { endpointId, stageId: 's', inferenceId: 'i', index: 0, prediction: '1', time: '2026-01-01T00:00:00.000Z' };
    store.feedback.save([{ ...row, label: '0' }]);
    store.feedback.save([{ ...row, label: '1' }]);
    expect(store.feedback.between('s', '2026', '2027')).toEqual([{ label: 1, prediction: 1, time: row.time }]);
    expect(store.feedback.newest('s')).toBe(row.time);
  });
});

describe('the payload log in a file of its own', () => {
  const payloadRow = (endpointId: string, stageId: string, i: number): NewPayload => ({
    inferenceId: `inf-${i}`,
    endpointId,
    stageId,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    status: 200,
    instances: JSON.stringify([[i]]),
    predictions: JSON.stringify([i]),
    truncated: false,
  });

  it("is beside the store's file, attached: the store's own file has no payload table", () => {
    const store = new Store(join(dir, 'apart.db'));
    const endpointId = store.tx(() => store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} }).id);
    store.payloads.insert([payloadRow(endpointId, 'stage-a', 1)]);
    store.close();
    expect(payloadLogFileOf(join(dir, 'apart.db'))).toBe(join(dir, 'apart-payloads.db'));
    const own = new Database(join(dir, 'apart.db'), { readonly: true });
    const log = new Database(join(dir, 'apart-payloads.db'), { readonly: true });
    try {
      expect(own.prepare("SELECT name FROM sqlite_master WHERE name = 'inference_payloads'").all()).toEqual([]);
      expect(log.prepare('SELECT inference_id FROM inference_payloads').all()).toEqual([{ inference_id: 'inf-1' }]);
    } finally {
      own.close();
      log.close();
    }
  });

  it("deletes an endpoint's rows, its deleted stages' too, and no one else's", () => {
    const store = new Store(join(dir, 'delete.db'));
    const [a, b] = store.tx(() =>
      ['a', 'b'].map((name) => store.endpoints.insert({ name, description: '', apiKeyHash: null, tags: {} }).id),
    ) as [string, string];
    store.payloads.insert([
      payloadRow(a, 'a-blue', 1),
      payloadRow(a, 'a-gone', 2),
      payloadRow(b, 'b-blue', 3),
      payloadRow(a, 'a-blue', 4),
    ]);
    store.tx(() => store.payloads.deleteEndpoint(a));
    expect(store.payloads.stagesWithRows()).toEqual(['b-blue']);
    expect(store.payloads.list(b, { limit: 10 }).map((p) => p.inferenceId)).toEqual(['inf-3']);
    store.close();
  });

  it("moves an older store's logged rows into it, their seqs kept and going on from the highest", () => {
    const file = join(dir, 'older.db');
    // a store as the bridge left it before the move (version 20): the table in its own file
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    migrate(
      older,
      migrations.filter((m) => m.version <= 20),
    );
    const endpointId = 'ep-old';
    older
      .prepare(
        "INSERT INTO endpoints (id, name, description, state, tags, created_at, updated_at) VALUES (?, 'old', '', 'ACTIVE', '{}', ?, ?)",
      )
      .run(endpointId, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    const insert = older.prepare(
      `INSERT INTO inference_payloads (inference_id, endpoint_id, stage_id, time, status, instances, predictions, truncated)
       VALUES (@inferenceId, @endpointId, @stageId, @time, @status, @instances, @predictions, 0)`,
    );
    for (let i = 1; i <= 5; i++) {
      const { truncated: _, ...row } = payloadRow(endpointId, 'stage-old', i);
      insert.run(row);
    }
    older.prepare('DELETE FROM inference_payloads WHERE seq >= 4').run(); // the highest pruned: seq 5 was given out
    older.close();

    const store = new Store(file);
    expect(store.payloads.list(endpointId, { limit: 10 }).map((p) => [p.seq, p.inferenceId])).toEqual([
      [1, 'inf-1'],
      [2, 'inf-2'],
      [3, 'inf-3'],
    ]);
    expect(store.payloads.insert([payloadRow(endpointId, 'stage-old', 6)])).toEqual([6]);
    store.close();
    // opened again: nothing moved twice
    const again = new Store(file);
    expect(again.payloads.count('stage-old')).toBe(4);
    again.close();
  });
});
