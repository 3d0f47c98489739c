import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '@emkit/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpError } from '../server/errors.js';
import { inputKindsOf, refuseWrongKind, resolveInput } from './input.js';

const work = mkdtempSync(join(tmpdir(), 'emkit-batch-input-'));
const home = join(work, 'home');
mkdirSync(home);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function model(framework: Model['framework'], recipe?: object): Model {
  const artifactPath = mkdtempSync(join(work, 'model-'));
  if (recipe) writeFileSync(join(artifactPath, 'recipe.json'), JSON.stringify(recipe));
  return { name: 'm', version: 2, framework, artifactPath } as Model;
}

async function refusal(work: Promise<unknown>): Promise<HttpError> {
  const error = await work.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('the input kinds a model takes', () => {
  it("a built-in's come from its type; custom takes both; the others tables", async () => {
    expect((await inputKindsOf(model('custom', { modelType: 'image-classification' }))).kinds).toEqual(['files']);
    expect((await inputKindsOf(model('custom', { modelType: 'text-classification' }))).kinds).toEqual(['files', 'table']);
    expect((await inputKindsOf(model('custom', { modelType: 'clustering' }))).kinds).toEqual(['table']);
    expect((await inputKindsOf(model('custom'))).kinds).toEqual(['table', 'files']);
    expect((await inputKindsOf(model('onnx'))).kinds).toEqual(['table']);
  });

  it('refuses a folder for a table model, naming input and what it takes', async () => {
    const error = await refusal(
      refuseWrongKind(model('scikit-learn'), { path: '/data/photos', kind: 'files', format: 'files', dataset: null }),
    );
    expect(error.status).toBe(422);
    expect(error.field).toBe('input');
    expect(error.message).toContain('a scikit-learn model, which takes a table');
  });
});

describe('resolving an input path', () => {
  it('a table by its suffix, a folder as files; an unknown suffix, an empty file and the home refused', async () => {
    const csv = join(work, 'rows.csv');
    writeFileSync(csv, 'a\n1\n');
    expect(await resolveInput(csv, home, undefined)).toMatchObject({ kind: 'table', format: 'csv', dataset: null });
    const folder = join(work, 'photos');
    mkdirSync(folder);
    expect(await resolveInput(folder, home, undefined)).toMatchObject({ kind: 'files', format: 'files' });
    const text = join(work, 'rows.txt');
    writeFileSync(text, 'x');
    expect((await refusal(resolveInput(text, home, undefined))).message).toContain('neither a table');
    const empty = join(work, 'empty.jsonl');
    writeFileSync(empty, '');
    expect((await refusal(resolveInput(empty, home, undefined))).message).toContain('is empty');
    expect((await refusal(resolveInput(home, home, undefined))).field).toBe('input');
    expect((await refusal(resolveInput('relative.csv', home, undefined))).status).toBe(422);
  });
});
