import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { EventMessage, ResourceEvent, Training, TrainingQuality } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { fullLog, pythonHas, settledTraining, venvPython, writeTree } from '../support/trainings.js';

const hasTorch = pythonHas(venvPython, 'torch.utils.tensorboard');

let bridge: TestBridge;
let work: string;
/** every event of the bridge since the start, in order */
const events: ResourceEvent[] = [];
let socket: WebSocket;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-quality-');
  socket = new WebSocket(bridge.client.eventsUrl(0), bridge.client.socketProtocols());
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as EventMessage;
    if (message.type === 'event') events.push(message.event);
  });
  await new Promise((resolve) => socket.once('open', resolve));
});

afterAll(async () => {
  socket?.close();
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

const trainingEvents = (id: string, action: string) =>
  events
    .filter((e) => e.resource === 'trainings' && e.id === id && e.action === action)
    .map((e) => e.data as unknown as Training);

/** A script that logs each epoch's pair of losses, then idles until a file appears (or 120 s pass). */
function idlingScript(lines: string[]): string {
  return [
    'import math, os, sys, time',
    ...lines,
    'go = os.path.join(os.environ["EM_SOURCE_DIR"], "..", "go")',
    'deadline = time.time() + 120',
    'while time.time() < deadline and not os.path.exists(go):',
    '    time.sleep(0.2)',
    'print("all epochs done", flush=True)',
  ].join('\n');
}

describe('early stopping by the platform', () => {
  it.skipIf(!hasTorch)(
    'ends a real training that logs with torch’s SummaryWriter COMPLETE at the step patience ran out (skipped: torch is not in .venv)',
    async () => {
      // validation loss is best at epoch 2, then worse for good; training loss keeps falling
      const source = writeTree(join(work, 'early'), {
        'train.py': idlingScript([
          'from torch.utils.tensorboard import SummaryWriter',
          'writer = SummaryWriter(os.environ["EM_TENSORBOARD_LOG_DIR"])',
          'val = [1.0, 0.8, 0.6, 0.65, 0.62, 0.7, 0.75, 0.8, 0.85, 0.9]',
          'for epoch, v in enumerate(val):',
          '    writer.add_scalar("loss/train", 1.0 / (epoch + 1), epoch)',
          '    writer.add_scalar("loss/validation", v, epoch)',
          '    writer.flush()',
          '    time.sleep(0.2)',
        ]),
      });
      const training = await bridge.client.api.createTraining({
        body: {
          source: { path: join(source, 'train.py') },
          earlyStopping: { metric: 'loss/validation', mode: 'min', patience: 3 },
        },
      });
      expect(training.earlyStopping).toEqual({ metric: 'loss/validation', mode: 'min', patience: 3, minDelta: 0 });
      const done = await settledTraining(bridge.client, training.id);
      expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
      expect(done.stateReason).toBe('early stopped at step 5; best loss/validation=0.6 at step 2');
      expect(done.quality?.earlyStopped).toMatchObject({ metric: 'loss/validation', mode: 'min', step: 5, bestStep: 2 });
      expect(done.quality?.earlyStopped?.best).toBeCloseTo(0.6, 6); // a float32 in the event file
      // the training's own code never got to its end: the platform ended it
      const log = await fullLog(bridge.client, training.id);
      expect(log).not.toContain('all epochs done');
      // the supervisor's last word says why, not "stopped by request"
      expect(log).toContain(`[emkit] STOPPED: ${done.stateReason}`);
      // on the way: STOP IN PROGRESS, saying why, then one `finished` event with the reason
      expect(trainingEvents(training.id, 'updated').map((t) => t.state)).toContain('STOP IN PROGRESS');
      expect(trainingEvents(training.id, 'finished')).toEqual([
        expect.objectContaining({ state: 'COMPLETE', stateReason: done.stateReason }),
      ]);
      // the pair was seen, and a copy keeps the rule unless told otherwise
      const metrics = await bridge.client.api.getTrainingMetrics({ params: { id: training.id } });
      expect(metrics.quality.pairs).toEqual([{ metric: 'loss', train: 'loss/train', validation: 'loss/validation' }]);
      const copy = await bridge.client.api.copyTraining({ params: { id: training.id }, body: { name: 'early-copy' } });
      expect(copy.earlyStopping).toEqual(training.earlyStopping);
      await bridge.client.api.stopTraining({ params: { id: copy.id } });
      const without = await bridge.client.api.copyTraining({
        params: { id: training.id },
        body: { name: 'early-copy-none', earlyStopping: null },
      });
      expect(without.earlyStopping).toBeNull();
      const badCopy = await refusal(
        bridge.client.api.copyTraining({
          params: { id: training.id },
          body: { name: 'early-copy-bad', earlyStopping: { metric: 'val_loss', mode: 'min', patience: 0 } },
        }),
      );
      expect(badCopy).toMatchObject({ status: 400, code: 'validation' });
      expect(badCopy.field).toMatch(/^earlyStopping/);
      await bridge.client.api.stopTraining({ params: { id: without.id } });
      await settledTraining(bridge.client, copy.id);
      await settledTraining(bridge.client, without.id);
    },
  );

  it.each([
    ['patience 0', { metric: 'val_loss', mode: 'min', patience: 0 }, 'earlyStopping.patience'],
    ['patience past the maximum', { metric: 'val_loss', mode: 'min', patience: 100_001 }, 'earlyStopping.patience'],
    ['a mode that is neither min nor max', { metric: 'val_loss', mode: 'lowest', patience: 3 }, 'earlyStopping.mode'],
    ['an empty metric', { metric: '', mode: 'min', patience: 3 }, 'earlyStopping.metric'],
    ['a metric with a line break', { metric: 'val\nloss', mode: 'min', patience: 3 }, 'earlyStopping.metric'],
    ['a negative minDelta', { metric: 'val_loss', mode: 'min', patience: 3, minDelta: -1 }, 'earlyStopping.minDelta'],
  ])('refuses %s with 400 naming the field, and records nothing', async (_what, earlyStopping, field) => {
    const source = writeTree(join(work, 'refused'), { 'train.py': 'print(1)\n' });
    const before = (await bridge.client.api.listTrainings({})).total;
    const error = await refusal(
      bridge.client.api.createTraining({
        body: { name: 'refused', source: { path: join(source, 'train.py') }, earlyStopping: earlyStopping as never },
      }),
    );
    expect(error).toMatchObject({ status: 400, code: 'validation', field });
    expect((await bridge.client.api.listTrainings({})).total).toBe(before);
    expect((await bridge.client.api.getStatus({})).version).toBeTruthy();
  });
});

describe('what the loss curves say', () => {
  it('flags overfitting on a training whose validation loss rises while its training loss falls', async () => {
    const source = writeTree(join(work, 'overfit'), {
      'train.py': [
        'from emkit.tracking import log_metric',
        'for epoch in range(12):',
        '    log_metric("loss", 1.0 / (epoch + 1), epoch)',
        // best at epoch 4, then rising: a model that memorises its training set
        '    log_metric("val_loss", 1.0 / (epoch + 1) + 0.05 * max(0, epoch - 4) ** 2 * 0.5 + (0.1 if epoch > 4 else 0), epoch)',
      ].join('\n'),
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
    const done = await settledTraining(bridge.client, training.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(done.quality?.pairs).toEqual([{ metric: 'loss', train: 'loss', validation: 'val_loss' }]);
    expect(done.quality?.overfitting).toMatchObject({ metric: 'loss', fromStep: 4, lastStep: 11 });
    expect(done.quality?.overfitting?.best).toBeCloseTo(0.2, 6);
    expect(done.quality?.nonFinite).toEqual([]);
    // the `finished` event carries it, for the editors' notifications, and so does GET …/metrics
    expect(trainingEvents(training.id, 'finished')[0]?.quality?.overfitting?.fromStep).toBe(4);
    const metrics = await bridge.client.api.getTrainingMetrics({ params: { id: training.id }, query: { tag: 'loss' } });
    expect(metrics.series.map((s) => s.tag)).toEqual(['loss']);
    expect(metrics.quality).toEqual(done.quality);
  });

  it('does not flag a training whose two losses fall together', async () => {
    const source = writeTree(join(work, 'healthy'), {
      'train.py': [
        'from emkit.tracking import log_metric',
        'for epoch in range(12):',
        '    log_metric("train/loss", 1.0 / (epoch + 1), epoch)',
        '    log_metric("val/loss", 1.1 / (epoch + 1), epoch)',
      ].join('\n'),
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
    const done = await settledTraining(bridge.client, training.id);
    expect(done.quality).toMatchObject({
      pairs: [{ metric: 'loss', train: 'train/loss', validation: 'val/loss' }],
      overfitting: null,
      plateau: null,
      nonFinite: [],
      earlyStopped: null,
    });
  });

  it('flags a NaN and an infinite loss while the training runs (an update event), and again when it ends', async () => {
    const source = writeTree(join(work, 'nan'), {
      'train.py': idlingScript([
        'from emkit.tracking import flush, log_metric',
        'for step, value in enumerate([1.0, 0.5, float("nan"), float("nan")]):',
        '    log_metric("loss", value, step)',
        'log_metric("grad_norm", 2.0, 0)',
        'log_metric("grad_norm", float("inf"), 1)',
        'flush()',
      ]),
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
    // while it idles, still RUNNING: the flag came as soon as the bridge read the points
    const flagged = await waitFor(
      async () => trainingEvents(training.id, 'updated').find((t) => (t.quality?.nonFinite.length ?? 0) === 2),
      60_000,
      'an update event with the NaN flag',
    );
    expect(flagged.state).toBe('RUNNING');
    const expected: TrainingQuality['nonFinite'] = [
      { tag: 'grad_norm', step: 1, value: 'Infinity' },
      { tag: 'loss', step: 2, value: 'NaN' },
    ];
    expect(flagged.quality?.nonFinite).toEqual(expected);
    writeTree(training.dir, { go: '' });
    const done = await settledTraining(bridge.client, training.id);
    expect(done.state, done.stateReason ?? '').toBe('COMPLETE');
    expect(trainingEvents(training.id, 'finished')[0]?.quality?.nonFinite).toEqual(expected);
  });
});

describe('the CLI', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8' });

  it('submits --early-stop, refuses a bad one (exit 2), and says what the curves say in `training get` and `metrics`', async () => {
    const source = writeTree(join(work, 'cli'), {
      'train.py': [
        'from emkit.tracking import log_metric',
        'for epoch in range(12):',
        '    log_metric("loss", 1.0 / (epoch + 1), epoch)',
        '    log_metric("val_loss", 0.2 + 0.05 * abs(epoch - 4), epoch)',
      ].join('\n'),
    });
    const refused = cli('train', join(source, 'train.py'), '--early-stop', 'val_loss:lowest:5');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is not metric:min|max:patience[:minDelta]');

    const submitted = cli(
      '--json',
      'train',
      join(source, 'train.py'),
      '--name',
      'cli-es',
      '--early-stop',
      'val_loss:min:50:0.001',
    );
    expect(submitted.status, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout).earlyStopping).toEqual({
      metric: 'val_loss',
      mode: 'min',
      patience: 50,
      minDelta: 0.001,
    });
    await settledTraining(bridge.client, 'cli-es');

    const got = cli('training', 'get', 'cli-es');
    expect(got.stdout).toContain('warning: Overfitting likely from step 4: val_loss has risen since while loss kept falling.');
    const metrics = cli('training', 'metrics', 'cli-es');
    expect(metrics.stdout).toContain('pair: loss and val_loss (loss)');
    expect(metrics.stdout).toContain('warning: Overfitting likely from step 4');
    const json = JSON.parse(cli('--json', 'training', 'metrics', 'cli-es').stdout);
    expect(json.quality.overfitting).toMatchObject({ fromStep: 4, lastStep: 11 });

    const copy = cli('--json', 'training', 'copy', 'cli-es', '--name', 'cli-es-2', '--no-early-stop');
    expect(JSON.parse(copy.stdout).earlyStopping).toBeNull();
    await settledTraining(bridge.client, 'cli-es-2');
  });
});
