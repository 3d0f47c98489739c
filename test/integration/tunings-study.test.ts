import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { hasProc, processTree } from '../support/processes.js';
import { settledTuning, writeQuadratic } from '../support/tunings.js';

// The study process of a tuning (`python -m emkit.tuning <dir>`) dies: it is started again and the same study
// goes on; one that can't be started again fails the tuning, with what it said, after a bounded number of tries.

const reason = hasProc ? '' : ' (SKIPPED: finding the study process reads /proc)';

let bridge: TestBridge;
let work: string;
let script: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-tunings-study-');
  script = writeQuadratic(join(work, 'quadratic'));
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const studyProcess = (dir: string) => processTree(`emkit.tuning ${dir}`)[0];

const tune = (name: string) =>
  bridge.client.api.createTuning({
    body: {
      name,
      source: { path: script },
      space: { x: { type: 'uniform', low: -5, high: 5 } },
      fixed: { steps: '10', pause: '0.1' },
      objective: { metric: 'loss', mode: 'min' },
      algorithm: 'random',
      maxTrials: 4,
      parallel: 2,
      seed: 1,
    },
  });

describe("a tuning's study process", () => {
  it.skipIf(!hasProc)(`killed, is started again and the same study goes on${reason}`, async () => {
    const created = await tune('study-killed');
    const first = await waitFor(async () => studyProcess(created.dir), 30_000, 'the study process');
    process.kill(first, 'SIGKILL');
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.trials).toMatchObject({ total: 4, complete: 4 });
    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3]);
  });

  it.skipIf(!hasProc)(`that can't start again fails the tuning with what it said, its trials stopped${reason}`, async () => {
    const created = await tune('study-broken');
    const pid = await waitFor(async () => studyProcess(created.dir), 30_000, 'the study process');
    // its spec broken: every start from now on says it can't open the study
    writeFileSync(join(created.dir, 'tuning.json'), 'not json');
    process.kill(pid, 'SIGKILL');
    const done = await settledTuning(bridge.client, created.id);
    expect(done.state).toBe('FAILED');
    expect(done.stateReason).toMatch(/^the study process ended 4 times; the last time: the study in .* could not be opened/);
    const trials = (await bridge.client.api.listTuningTrials({ params: { id: created.id } })).items;
    expect(trials.every((t) => t.state !== 'RUNNING')).toBe(true);
    for (const trial of trials.filter((t) => t.state === 'STOPPED')) expect(trial.stateReason).toMatch(/^the tuning failed: /);
    // the bridge serves on, and no study process is left
    expect((await fetch(`${bridge.url}/api/v1/health`)).ok).toBe(true);
    await waitFor(async () => studyProcess(created.dir) === undefined, 10_000, 'no study process left');
  });
});
