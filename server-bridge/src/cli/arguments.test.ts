import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datasetValue } from './arguments.js';

describe('a --dataset / --data value', () => {
  let dir: string;
  let was: string;
  beforeEach(() => {
    was = process.cwd();
    dir = mkdtempSync(join(tmpdir(), 'emkit-arguments-'));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(was);
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes as a dataset name when it is one and no such path is here', () => {
    expect(datasetValue('digits')).toBe('digits');
    expect(datasetValue('digits:3')).toBe('digits:3');
  });

  it('is a path, made absolute, when it exists here or is shaped like a path', () => {
    mkdirSync(join(dir, 'digits'));
    expect(datasetValue('digits')).toBe(join(dir, 'digits'));
    expect(datasetValue('data.csv')).toBe(join(dir, 'data.csv'));
    expect(datasetValue('./data')).toBe(join(dir, 'data'));
    expect(datasetValue('/abs/x')).toBe('/abs/x');
    expect(datasetValue('Digits')).toBe(join(dir, 'Digits'));
  });
});
