import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeatureDrift } from '@emkit/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { KEEP_WINDOWS, type StoredDriftWindow } from './drift.js';
import { Store } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-drift-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const feature = (name: string, drifted: boolean): FeatureDrift => ({
  feature: name,
  kind: 'numeric',
  psi: drifted ? 0.9 : 0.01,
  test: 'ks',
  statistic: drifted ? 0.4 : 0.01,
  pValue: drifted ? 1e-12 : 0.6,
  drifted,
});
const window = (minute: number, judged = true): StoredDriftWindow => ({
  start: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  end: new Date(Date.UTC(2026, 0, 1, 0, minute + 1)).toISOString(),
  count: judged ? 500 : 3,
  judged,
  features: judged ? [feature('income', true), feature('age', false)] : [],
  prediction: judged ? { ...feature('prediction', true), kind: 'categorical', test: 'chi2' } : null,
});

describe('the drift windows in SQLite', () => {
  const store = new Store(join(dir, 'emkit.db'));
  const endpointId = store.tx(() => store.endpoints.insert({ name: 'ep', description: '', apiKeyHash: null, tags: {} }).id);

  it('keeps windows per stage, answers the newest oldest first and the latest judged one', () => {
    store.drift.insert('stage-a', endpointId, window(0));
    store.drift.insert('stage-a', endpointId, window(1));
    store.drift.insert('stage-a', endpointId, window(2, false));
    store.drift.insert('stage-b', endpointId, window(5));
    expect(store.drift.newest('stage-a', 2).map((w) => w.start)).toEqual([window(1).start, window(2).start]);
    expect(store.drift.newest('stage-a', 10)[0]).toEqual(window(0));
    expect(store.drift.latestJudged('stage-a')).toEqual(window(1));
    expect(store.drift.latestJudged('nope')).toBeUndefined();
    expect(store.drift.has('stage-a', window(2).start)).toBe(true);
    expect(store.drift.has('stage-a', window(3).start)).toBe(false);
  });

  it('stores a window again in place, and keeps only the newest per stage', () => {
    store.drift.insert('stage-a', endpointId, { ...window(2, false), count: 7 });
    expect(store.drift.newest('stage-a', 10).at(-1)?.count).toBe(7);
    for (let minute = 10; minute < 10 + KEEP_WINDOWS + 5; minute += 1) store.drift.insert('stage-c', endpointId, window(minute));
    const kept = store.drift.newest('stage-c', 5000);
    expect(kept).toHaveLength(KEEP_WINDOWS);
    expect(kept[0]?.start).toBe(window(15).start);
    expect(store.drift.newest('stage-b', 10)).toHaveLength(1);
  });

  it("counts a window's whole, answered inputs in the payload log", () => {
    const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 1, 0, second)).toISOString();
    store.payloads.insert([
      {
        inferenceId: 'i1',
        endpointId,
        stageId: 'stage-a',
        time: at(1),
        status: 200,
        instances: '[[1],[2],[3]]',
        predictions: '[0,0,0]',
        truncated: false,
      },
      {
        inferenceId: 'i2',
        endpointId,
        stageId: 'stage-a',
        time: at(2),
        status: 200,
        instances: '[{"x":1}]',
        predictions: '[0]',
        truncated: false,
      },
      {
        inferenceId: 'i3',
        endpointId,
        stageId: 'stage-a',
        time: at(3),
        status: 400,
        instances: '[[1]]',
        predictions: null,
        truncated: false,
      },
      {
        inferenceId: 'i4',
        endpointId,
        stageId: 'stage-a',
        time: at(4),
        status: 200,
        instances: '"[[1],[2"',
        predictions: '[0]',
        truncated: true,
      },
      {
        inferenceId: 'i5',
        endpointId,
        stageId: 'stage-b',
        time: at(5),
        status: 200,
        instances: '[[1]]',
        predictions: '[0]',
        truncated: false,
      },
    ]);
    expect(store.drift.inputsBetween('stage-a', at(0), at(10))).toBe(4);
    expect(store.drift.inputsBetween('stage-a', at(2), at(10))).toBe(1);
    expect(store.drift.inputsBetween('stage-a', at(20), at(30))).toBe(0);
  });
});
