import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Store } from '../store/index.js';
import { insertScriptTraining } from '../testing/training-rows.js';
import { MetricsIngester } from './ingest.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const python = join(repo, '.venv', 'bin', 'python');
const hasPython = existsSync(python);

/** Real event files, written by emkit.tracking, one point per (tag, step, value). */
function write(dir: string, points: [string, number, number][], fresh: boolean): void {
  const code = [
    'import json, os, sys, glob',
    'from emkit.tracking import SummaryWriter',
    'd = sys.argv[1]',
    'if sys.argv[3] == "fresh":',
    '    [os.remove(f) for f in glob.glob(os.path.join(d, "*tfevents*"))]',
    'w = SummaryWriter(d, filename_suffix=".x")',
    'for tag, step, value in json.loads(sys.argv[2]):',
    '    w.add_scalar(tag, value, step)',
    'w.close()',
  ].join('\n');
  const run = spawnSync(python, ['-c', code, dir, JSON.stringify(points), fresh ? 'fresh' : 'add'], {
    env: { ...process.env, PYTHONPATH: join(repo, 'server-bridge', 'python', 'src') },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
}

let root: string;
let store: Store;
let trainingId: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emkit-ingest-'));
  store = new Store(join(root, 'emkit.db'));
  const experiment = store.tx(() => store.experiments.insert({ name: 'e', description: '' }));
  trainingId = insertScriptTraining(store, { name: 't', experimentId: experiment.id, dir: root }).id;
});
afterEach(() => {
  store.close();
  rmSync(root, { recursive: true, force: true });
});

const steps = (s: Store) => s.metrics.series(trainingId, 'loss', 100).points.map((p) => [p.step, p.value]);

describe('an unreadable TensorBoard folder', () => {
  it('is logged, once per training, rather than read as no metrics', async () => {
    // ENOTDIR stands in for EACCES, which root (as the tests may run) never gets
    const logDir = join(root, 'tb');
    writeFileSync(logDir, '');
    const warn = vi.fn();
    const ingester = new MetricsIngester(store, { warn });
    expect(await ingester.ingest(trainingId, logDir)).toBe(0);
    expect(await ingester.ingest(trainingId, logDir)).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]).toEqual([
      { trainingId, dir: logDir, error: expect.stringContaining('ENOTDIR') },
      'could not read a TensorBoard folder',
    ]);
    // a missing folder (nothing written yet) is not a problem to log
    expect(await ingester.ingest(trainingId, join(root, 'missing'))).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe.skipIf(!hasPython)(`reading event files into the store${hasPython ? '' : ' (SKIPPED: no .venv/bin/python)'}`, () => {
  it("reads each point once, across polls and across a restart, and forgets a rewritten file's old points", async () => {
    const logDir = join(root, 'tb');
    mkdirSync(logDir);
    write(
      logDir,
      [
        ['loss', 0, 1],
        ['loss', 1, 0.5],
      ],
      true,
    );
    const ingester = new MetricsIngester(store, { warn: vi.fn() });
    expect(await ingester.ingest(trainingId, logDir)).toBe(2);
    expect(await ingester.ingest(trainingId, logDir)).toBe(0);
    expect(steps(store)).toEqual([
      [0, 1],
      [1, 0.5],
    ]);

    // a new bridge on the same store resumes at the stored offsets
    store.close();
    store = new Store(join(root, 'emkit.db'));
    const next = new MetricsIngester(store, { warn: vi.fn() });
    write(logDir, [['loss', 2, 0.25]], false);
    expect(await next.ingest(trainingId, logDir)).toBe(1);
    expect(steps(store)).toEqual([
      [0, 1],
      [1, 0.5],
      [2, 0.25],
    ]);
  });
});

describe.skipIf(!hasPython)(`a read asked while another runs${hasPython ? '' : ' (SKIPPED: no .venv/bin/python)'}`, () => {
  it('waits for it rather than answering 0 at once: the final read of an ended training comes after', async () => {
    const logDir = join(root, 'tb');
    mkdirSync(logDir);
    write(logDir, [['loss', 0, 1.5]], true);
    const ingester = new MetricsIngester(store, { warn: vi.fn() });
    let periodicDone = false;
    // a periodic read under way when the training ends; the final read is asked at once
    const periodic = ingester.ingest(trainingId, logDir).then((n) => {
      periodicDone = true;
      return n;
    });
    const final = await ingester.ingest(trainingId, logDir);
    expect(periodicDone).toBe(true);
    expect((await periodic) + final).toBe(1);
    expect(steps(store)).toEqual([[0, 1.5]]);
  });
});
