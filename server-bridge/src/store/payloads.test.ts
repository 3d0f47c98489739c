import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from './index.js';
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
