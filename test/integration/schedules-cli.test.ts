import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emkitCli, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { ended, modelTemplate, scoredCsv, untilRuns } from '../support/schedules.js';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-schedules-cli-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

describe('emkit schedule', () => {
  it('previews, creates a chain from flags, lists, shows its history, pauses, resumes and deletes', async () => {
    const preview = await emkitCli(bridge, 'schedule', 'preview', '--cron', '0 9 * * 1-5', '--tz', 'Asia/Seoul');
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^At 09:00, Monday through Friday \(Asia\/Seoul\)\n/);
    expect(preview.stdout.trim().split('\n')).toHaveLength(6);
    expect(preview.stdout).toMatch(/09:00:00/);

    const bad = await emkitCli(bridge, 'schedule', 'preview', '--cron', '61 * * * *');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/minute: 61/);

    const template = await modelTemplate(bridge.client, join(work, 'template'), 'cli-template');
    const data = scoredCsv(work, 4);
    const created = await emkitCli(
      bridge,
      'schedule',
      'create',
      'nightly',
      '--every',
      '2s',
      '--training',
      template.id,
      '--model',
      'cli-model',
      '--evaluate',
      data,
      '--label',
      'label',
      '--promote',
      'production',
      '--metric',
      'accuracy',
      '--threshold',
      '0.9',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/when\s+Every 2 seconds/);
    expect(created.stdout).toMatch(/steps\s+training → evaluation → promote/);

    await untilRuns(bridge.client, 'nightly', (runs) => runs.some(ended), 'a run to end');
    const paused = await emkitCli(bridge, 'schedule', 'pause', 'nightly');
    expect(paused.stdout).toBe('schedule nightly: PAUSED\n');

    const runs = await emkitCli(bridge, 'schedule', 'runs', 'nightly');
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toMatch(
      /COMPLETE.*training:COMPLETE evaluation:COMPLETE promote:COMPLETE.*cli-model:1 promoted to production/,
    );

    const list = await emkitCli(bridge, '--json', 'schedule', 'list');
    const [item] = JSON.parse(list.stdout) as { name: string; state: string; lastRun: { state: string } }[];
    expect(item).toMatchObject({ name: 'nightly', state: 'PAUSED' });

    const resumed = await emkitCli(bridge, 'schedule', 'resume', 'nightly');
    expect(resumed.stdout).toBe('schedule nightly: ACTIVE\n');
    await emkitCli(bridge, 'schedule', 'pause', 'nightly');
    const deleted = await emkitCli(bridge, 'schedule', 'delete', 'nightly');
    expect(deleted.code).toBe(0);
    const gone = await emkitCli(bridge, 'schedule', 'get', 'nightly');
    expect(gone.code).toBe(4);
  }, 120_000);

  it('refuses flags that say nothing to run, or two things at once, as usage errors', async () => {
    const nothing = await emkitCli(bridge, 'schedule', 'create', 'empty', '--every', '1h');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/say what runs/);
    const both = await emkitCli(bridge, 'schedule', 'create', 'both', '--every', '1h', '--training', 'a', '--recipe', 'b');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/one of --training, --notebook and --recipe/);
  });

  it('schedules a notebook by its path with --notebook: the file as saved at each run', async () => {
    const notebook = join(work, 'fit.py');
    writeFileSync(notebook, 'print("fit")\n');
    const created = await emkitCli(
      bridge,
      'schedule',
      'create',
      'by-notebook',
      '--every',
      '1h',
      '--paused',
      '--notebook',
      notebook,
      '--hp',
      'lr=0.1',
    );
    expect(created.code, created.stderr).toBe(0);
    const schedule = await bridge.client.api.getSchedule({ params: { id: 'by-notebook' } });
    expect(schedule.steps).toEqual([{ kind: 'training', path: notebook, hyperparameters: { lr: '0.1' } }]);
    const two = await emkitCli(bridge, 'schedule', 'create', 'two', '--every', '1h', '--notebook', notebook, '--training', 'x');
    expect(two.code).toBe(2);
  });
});
