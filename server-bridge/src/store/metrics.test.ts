import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { insertScriptTraining } from '../testing/training-rows.js';
import { Store } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-metrics-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the metric reads the quality review makes at each read of a running training', () => {
  const store = new Store(join(dir, 'emkit.db'));
  const experimentId = store.tx(() => store.experiments.insert({ name: 'default', description: '' }).id);
  const { id } = insertScriptTraining(store, { name: 'reads', experimentId, dir });
  const other = insertScriptTraining(store, { name: 'other', experimentId, dir }).id;
  store.tx(() => {
    const points = (tag: string, n: number, every = 1) =>
      Array.from({ length: n }, (_, i) => ({ tag, step: i * every, value: 1 / (i + 1), wallTime: i }));
    store.metrics.append(id, '/a', 1, [...points('val_loss', 100, 10), ...points('loss', 1000)]);
    store.metrics.append(id, '/b', 1, [
      { tag: 'loss', step: 1000, value: Number.NaN, wallTime: 0 },
      { tag: 'grad', step: 5, value: Number.POSITIVE_INFINITY, wallTime: 0 },
      { tag: 'grad', step: 7, value: Number.NEGATIVE_INFINITY, wallTime: 0 },
      { tag: 'grad', step: 3, value: 2, wallTime: 0 },
    ]);
    store.metrics.append(other, '/c', 1, [{ tag: 'accuracy', step: 0, value: Number.NaN, wallTime: 0 }]);
  });

  it('lists the tags of one training, in order', () => {
    expect(store.metrics.tags(id)).toEqual(['grad', 'loss', 'val_loss']);
    expect(store.metrics.tags('none')).toEqual([]);
  });

  it('finds the first NaN or infinite point of each tag, and only this training’s', () => {
    expect(store.metrics.nonFinite(id)).toEqual([
      { tag: 'grad', step: 5, value: 'Infinity' },
      { tag: 'loss', step: 1000, value: 'NaN' },
    ]);
  });

  it('gives the points after a step, and a sample spread over the steps', () => {
    expect(store.metrics.pointsAfter(id, 'val_loss', 970).map((p) => p.step)).toEqual([980, 990]);
    expect(store.metrics.pointsAfter(id, 'grad', Number.NEGATIVE_INFINITY).map((p) => p.value)).toEqual([
      2,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    const sample = store.metrics.sample(id, 'loss', 11);
    expect(sample.map((p) => p.step)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(sample.at(-1)?.value).toBeNull();
    // a short series comes whole; a sparse one, at its own steps
    expect(store.metrics.sample(id, 'val_loss', 1000)).toHaveLength(100);
    expect(store.metrics.sample(id, 'val_loss', 5).map((p) => p.step)).toEqual([0, 250, 500, 750, 990]);
    expect(store.metrics.sample(id, 'absent', 5)).toEqual([]);
  });
});
