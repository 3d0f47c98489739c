import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetSchema } from '@emkit/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { datasetFacts } from './dataset-facts.js';

const dir = mkdtempSync(join(tmpdir(), 'emkit-facts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what a recipe checks of its data', () => {
  it("tells a path's kind, and a CSV's columns from its header (quotes and a BOM too)", async () => {
    writeFileSync(join(dir, 'a.csv'), '\uFEFFx,"y, z",label\n1,2,a\n');
    mkdirSync(join(dir, 'classes', 'cat'), { recursive: true });
    mkdirSync(join(dir, 'flat'));
    writeFileSync(join(dir, 'flat', 'one.txt'), 'hi');
    expect(await datasetFacts(join(dir, 'a.csv'))).toEqual({ kind: 'table', columns: ['x', 'y, z', 'label'] });
    expect(await datasetFacts(join(dir, 'classes'))).toEqual({ kind: 'class-folders', columns: null });
    expect(await datasetFacts(join(dir, 'flat'))).toEqual({ kind: 'files', columns: null });
    expect(await datasetFacts(join(dir, 'missing.csv'))).toBeUndefined();
  });

  it("takes a dataset ref's kind and columns from its stored schema, when there is one", async () => {
    const schema = {
      kind: 'table',
      format: 'csv',
      rows: 2,
      columns: [{ name: 'a' }, { name: 'label' }],
      classes: [],
      skipped: [],
      skippedCount: 0,
    } as unknown as DatasetSchema;
    expect(await datasetFacts('iris:2', (ref) => (ref === 'iris:2' ? schema : undefined))).toEqual({
      kind: 'table',
      columns: ['a', 'label'],
    });
    expect(await datasetFacts('other', () => undefined)).toBeUndefined();
    expect(await datasetFacts('iris')).toBeUndefined();
  });
});
