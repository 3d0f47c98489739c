import { join } from 'node:path';
import type { Model, Tuning, TuningTrial } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeTree } from '../support/trainings.js';
import { QUADRATIC_SCRIPT, settledTuning } from '../support/tunings.js';

let bridge: TestBridge;
let work: string;
let script: string;

// the quadratic script of the tunings' tests, saving a custom model as well, so the best trial can become one
const SAVING_SCRIPT = [
  QUADRATIC_SCRIPT,
  'import os, pathlib',
  'model = pathlib.Path(os.environ["EM_MODEL_DIR"])',
  '(model / "predict.py").write_text("def load():\\n    return None\\n\\ndef predict(model, instances):\\n    return [0 for _ in instances]\\n")',
  '',
].join('\n');

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-cli-');
  writeTree(join(work, 'quadratic'), { 'train.py': SAVING_SCRIPT });
  script = join(work, 'quadratic', 'train.py');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const tuneArgs = ['--space', 'x=uniform:-5:5', '--space', 'y=choice:-1,0,1', '--fixed', 'steps=2', '--fixed', 'pause=0.01'];

describe('emkit tune and emkit tuning', () => {
  it('tunes with --wait, printing each trial and the best; lists, shows trials, makes the model of the best, deletes', async () => {
    expect((await emkitCli(bridge, 'experiment', 'create', 'cli-tuning')).code).toBe(0);
    const tuned = await emkitCli(
      bridge,
      'tune',
      script,
      ...tuneArgs,
      '--metric',
      'loss',
      '--mode',
      'min',
      '--algorithm',
      'random',
      '--trials',
      '3',
      '--parallel',
      '2',
      '--seed',
      '5',
      '--name',
      'cli-quad',
      '--experiment',
      'cli-tuning',
      '--wait',
    );
    expect(tuned.code, tuned.stderr).toBe(0);
    expect(tuned.stdout).toMatch(/^tuning cli-quad: random, 3 trials, 2 at once\n/);
    const lines = tuned.stdout.split('\n').filter((l) => l.startsWith('trial '));
    expect(lines.map((l) => l.replace(/ .*/, '')).length).toBe(3);
    for (const line of lines) expect(line).toMatch(/^trial [0-2] COMPLETE [\d.]+: x=-?[\d.e-]+ y=-?[01]$/);
    expect(tuned.stdout).toMatch(/state\s+COMPLETE\n/);
    expect(tuned.stdout).toMatch(/space\s+x=uniform:-5:5 y=choice:-1,0,1\n/);
    expect(tuned.stdout).toMatch(/best: trial \d, loss [\d.]+: x=\S+ y=\S+ \(training cli-quad-t\d\)/);

    const listed = await emkitCli(bridge, '--json', 'tuning', 'list', '--experiment', 'cli-tuning');
    const [item] = JSON.parse(listed.stdout) as Tuning[];
    expect(item).toMatchObject({ name: 'cli-quad', state: 'COMPLETE', algorithm: 'random', experimentName: 'cli-tuning' });
    // the best printed is the best of the trials the bridge holds
    const trials = JSON.parse((await emkitCli(bridge, '--json', 'tuning', 'trials', 'cli-quad')).stdout) as TuningTrial[];
    const lowest = Math.min(...trials.map((t) => t.value as number));
    expect(item?.best?.value).toBe(lowest);
    const table = await emkitCli(bridge, 'tuning', 'trials', 'cli-quad', '--state', 'COMPLETE');
    expect(table.stdout.split('\n')[0]).toMatch(/^#\s+STATE\s+VALUE\s+STEP\s+PARAMS\s+TRAINING\s+REASON/);
    expect(table.stdout).toMatch(/cli-quad-t0/);

    const model = await emkitCli(bridge, '--json', 'tuning', 'model', 'cli-quad', '--name', 'quad-best');
    expect(model.code, model.stderr).toBe(0);
    const made = JSON.parse(model.stdout) as Model;
    expect(made).toMatchObject({ name: 'quad-best', version: 1 });
    expect(made.source.training).toEqual({ id: item?.best?.trainingId, name: item?.best?.trainingName });

    const deleted = await emkitCli(bridge, 'tuning', 'delete', 'cli-quad');
    expect([deleted.code, deleted.stdout]).toEqual([0, 'tuning cli-quad: deleted\n']);
    expect((await emkitCli(bridge, 'tuning', 'get', 'cli-quad')).code).toBe(4);
  });

  it('refuses a malformed space before calling the bridge, and says what the bridge refuses', async () => {
    const order = await emkitCli(bridge, 'tune', script, '--space', 'x=uniform:5:1', '--metric', 'loss', '--mode', 'min');
    expect(order.code).toBe(2);
    expect(order.stderr).toMatch(/space\.x: low \(5\) must be below high \(1\)/);
    const twice = await emkitCli(
      bridge,
      'tune',
      script,
      '--space',
      'x=int:1:3',
      '--space',
      'x=int:1:4',
      '--metric',
      'l',
      '--mode',
      'min',
    );
    expect([twice.code, /space\.x is given twice/.test(twice.stderr)]).toEqual([2, true]);
    const shape = await emkitCli(bridge, 'tune', script, '--space', 'lr=normal:0:1', '--metric', 'loss', '--mode', 'min');
    expect([shape.code, /space\.lr: "normal:0:1" is not uniform:low:high/.test(shape.stderr)]).toEqual([2, true]);
    const mode = await emkitCli(bridge, 'tune', script, '--space', 'x=int:1:3', '--metric', 'loss', '--mode', 'lowest');
    expect(mode.code).toBe(2);

    // the bridge's own rule: grid search has no grid of a continuous parameter (400 → exit 2, the field named)
    const grid = await emkitCli(
      bridge,
      '--json',
      'tune',
      script,
      '--space',
      'x=uniform:1:5',
      '--metric',
      'loss',
      '--mode',
      'min',
      '--algorithm',
      'grid',
    );
    expect(grid.code).toBe(2);
    expect(JSON.parse(grid.stderr)).toMatchObject({ error: { status: 400, message: expect.stringMatching(/^space\.x: /) } });
    const missing = await emkitCli(
      bridge,
      'tune',
      join(work, 'nothing.py'),
      '--space',
      'x=int:1:3',
      '--metric',
      'loss',
      '--mode',
      'min',
    );
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^emkit: /);
    expect((await emkitCli(bridge, 'tuning', 'stop', 'no-such-tuning')).code).toBe(4);
  });

  it('ends --wait with exit 6 when no trial logs the metric, and has no best to make a model of (exit 5)', async () => {
    const tuned = await emkitCli(
      bridge,
      'tune',
      script,
      ...tuneArgs,
      '--metric',
      'val_accuracy',
      '--mode',
      'max',
      '--trials',
      '4',
      '--name',
      'cli-unlogged',
      '--wait',
    );
    expect(tuned.code, tuned.stdout + tuned.stderr).toBe(6);
    expect(tuned.stdout).toMatch(/state\s+FAILED \(.*val_accuracy.*\)/);
    expect(tuned.stdout).toMatch(/trial 0 FAILED: /);
    expect(tuned.stdout).toMatch(/best: none yet \(no trial has logged val_accuracy\)/);
    const model = await emkitCli(bridge, 'tuning', 'model', 'cli-unlogged', '--name', 'nothing');
    expect(model.code).toBe(5);
    expect(model.stderr).toBe('emkit: tuning cli-unlogged has no COMPLETE trial yet; see `emkit tuning trials cli-unlogged`\n');
  });

  it('stops a running tuning and copies it as a new search', async () => {
    const started = await emkitCli(
      bridge,
      '--json',
      'tune',
      script,
      '--space',
      'x=uniform:-5:5',
      '--space',
      'y=uniform:-5:5',
      '--fixed',
      'steps=200',
      '--fixed',
      'pause=0.1',
      '--metric',
      'loss',
      '--mode',
      'min',
      '--trials',
      '5',
      '--name',
      'cli-long',
    );
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ name: 'cli-long', state: 'RUNNING', maxTrials: 5 });
    const stopped = await emkitCli(bridge, 'tuning', 'stop', 'cli-long', '--wait');
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/state\s+STOPPED/);
    const trials = JSON.parse((await emkitCli(bridge, '--json', 'tuning', 'trials', 'cli-long')).stdout) as TuningTrial[];
    expect(trials.every((t) => t.state !== 'RUNNING')).toBe(true);

    const copied = await emkitCli(bridge, '--json', 'tuning', 'copy', 'cli-long', '--name', 'cli-long-again', '--trials', '2');
    expect(copied.code, copied.stderr).toBe(0);
    const copy = JSON.parse(copied.stdout) as Tuning;
    expect(copy).toMatchObject({ name: 'cli-long-again', maxTrials: 2, copiedFrom: expect.any(String) });
    expect(copy.space).toEqual({ x: { type: 'uniform', low: -5, high: 5 }, y: { type: 'uniform', low: -5, high: 5 } });
    await emkitCli(bridge, 'tuning', 'stop', 'cli-long-again');
    await settledTuning(bridge.client, copy.id);
    const gone = await emkitCli(bridge, 'tuning', 'delete', 'cli-long-again', '--trainings');
    expect(gone.code, gone.stderr).toBe(0);
  });
});
