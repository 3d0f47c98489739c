import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customModelFiles, readJsonl } from '../support/batch-inferences.js';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeCsv } from '../support/evaluations.js';
import { venvPython, writeTree } from '../support/trainings.js';

// `emkit batch …` as a user types it, against a real bridge and the real runner; a relative --input and --output
// are made absolute where the CLI runs.

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--python', venvPython] });
  work = tempDir('emkit-batch-cli-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

function emkit(...args: string[]) {
  const result = spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8', cwd: work });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the CLI of batch scoring', () => {
  it('create --wait prints the job; list, get, log, delete; a refusal exits non-zero with the reason', () => {
    writeTree(join(work, 'model'), customModelFiles());
    writeCsv(
      join(work, 'rows.csv'),
      ['x'],
      Array.from({ length: 120 }, (_, i) => [i]),
    );
    expect(emkit('model', 'create', 'ident', '--path', join(work, 'model'), '--framework', 'custom').code).toBe(0);

    const run = emkit(
      'batch',
      'create',
      '--model',
      'ident',
      '--input',
      'rows.csv',
      '--output',
      'out',
      '--name',
      'first',
      '--format',
      'jsonl',
      '--batch-size',
      '16',
      '--instances',
      '2',
      '--wait',
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('first (');
    expect(run.stdout).toContain('COMPLETE');
    expect(run.stdout).toContain('120/120');
    const rows = readJsonl<{ key: number; prediction: number }>(join(work, 'out', 'predictions.jsonl'));
    expect(rows.map((r) => r.prediction)).toEqual(Array.from({ length: 120 }, (_, i) => i));

    const listed = emkit('batch', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/first\s+ident:1\s+COMPLETE/);
    const got = JSON.parse(emkit('--json', 'batch', 'get', 'first').stdout) as { id: string; outputFile: string };
    expect(got.outputFile).toBe(join(work, 'out', 'predictions.jsonl'));
    expect(emkit('batch', 'log', 'first').stdout).toContain('scored 120 items');

    const again = emkit('batch', 'create', '--model', 'ident', '--input', 'rows.csv', '--output', 'out', '--format', 'jsonl');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('overwrite');

    expect(emkit('batch', 'delete', got.id).code).toBe(0);
    expect(readFileSync(join(work, 'out', 'predictions.jsonl'), 'utf8')).not.toBe('');
    expect(emkit('batch', 'get', got.id).code).not.toBe(0);
  }, 120_000);
});
