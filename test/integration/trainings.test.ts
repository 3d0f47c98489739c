import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type EventMessage, type LogStreamMessage, type Training } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import {
  alive,
  fullLog,
  notebook,
  pythonHas,
  settledTraining,
  trainingInState,
  venvPython,
  writeTree,
} from '../support/trainings.js';

const EM_VARIABLES = [
  'EM_SOURCE_DIR',
  'EM_ENTRY_POINT',
  'EM_DATASET_TRAIN',
  'EM_DATASETS',
  'EM_MODEL_DIR',
  'EM_ARTIFACT_DIR',
  'EM_CHECKPOINT_DIR',
  'EM_HP_EPOCHS',
  'EM_HP_LEARNING_RATE',
  'EM_HPS',
  'EM_TENSORBOARD_LOG_DIR',
  'EM_REGION',
  'EM_APPKEY',
];

const hasSklearn = pythonHas(venvPython, 'sklearn');

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  bridge = await startBridge();
  work = tempDir('emkit-trainings-');
});

afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

async function apiError(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

/** Submit and wait for the end. */
async function run(body: Parameters<TestBridge['client']['api']['createTraining']>[0]['body']): Promise<Training> {
  const submitted = await bridge.client.api.createTraining({ body });
  expect(submitted.state).toBe('CREATE REQUESTED');
  return settledTraining(bridge.client, submitted.id);
}

function executedNotebook(training: Training, name: string) {
  return JSON.parse(readFileSync(join(training.dir, 'artifacts', name), 'utf8')) as {
    cells: {
      cell_type: string;
      source: string | string[];
      metadata: { tags?: string[] };
      outputs?: {
        output_type: string;
        text?: string | string[];
        traceback?: string[];
        ename?: string;
        data?: Record<string, unknown>;
      }[];
    }[];
  };
}

const text = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join('') : (value ?? ''));

describe('a notebook training', () => {
  it.skipIf(!hasSklearn)(
    `trains a scikit-learn notebook with --hp into its parameters cell, with every EM_* variable set${hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)'}`,
    async () => {
      const data = writeTree(join(work, 'data'), { 'train.csv': 'x,y\n' });
      const source = writeTree(join(work, 'sk'), {
        'train.ipynb': notebook([
          { source: '# Iris, with a logistic regression', markdown: true },
          { source: 'epochs = 1\nlearning_rate = 0.5', tags: ['parameters'] },
          {
            source: [
              'import os, json',
              `names = ${JSON.stringify(EM_VARIABLES)}`,
              'print(json.dumps({n: os.environ.get(n) for n in names}))',
            ].join('\n'),
          },
          {
            source: [
              'from sklearn.datasets import load_iris',
              'from sklearn.linear_model import LogisticRegression',
              'import joblib, os',
              'X, y = load_iris(return_X_y=True)',
              'model = LogisticRegression(max_iter=epochs * 50, C=learning_rate).fit(X, y)',
              "joblib.dump(model, os.path.join(os.environ['EM_MODEL_DIR'], 'model.joblib'))",
              'from emkit.tracking import log_metric',
              "log_metric('accuracy', model.score(X, y), step=epochs)",
              "print('epochs', epochs, type(epochs).__name__, 'learning_rate', learning_rate)",
              'model.score(X, y)',
            ].join('\n'),
          },
        ]),
        'notes.md': 'kept in the snapshot',
        '.ipynb_checkpoints/train-checkpoint.ipynb': '{}',
      });
      const training = await run({
        source: { path: join(source, 'train.ipynb') },
        hyperparameters: { epochs: '4', 'learning-rate': '0.25' },
        datasets: { train: data },
        experiment: 'iris',
      });
      expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
      expect(training.exitCode).toBe(0);
      expect(training.source).toMatchObject({ kind: 'notebook', entryPoint: 'train.ipynb', path: source, files: 2 });
      expect(training.experimentName).toBe('iris');
      expect(training.startedAt).not.toBeNull();
      expect(Date.parse(training.endedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(training.startedAt ?? ''));

      const executed = executedNotebook(training, 'train.ipynb');
      const parametersAt = executed.cells.findIndex((c) => c.metadata.tags?.includes('parameters'));
      const injected = executed.cells[parametersAt + 1];
      expect(injected?.metadata.tags).toContain('injected-parameters');
      expect(text(injected?.source)).toContain('epochs = 4');
      expect(text(injected?.source)).toContain('0.25');

      const envCell = executed.cells[parametersAt + 2];
      const printed = JSON.parse(text(envCell?.outputs?.find((o) => o.output_type === 'stream')?.text)) as Record<
        string,
        string | null
      >;
      for (const name of EM_VARIABLES) expect(printed[name], name).toBeTruthy();
      expect(printed.EM_SOURCE_DIR).toBe(join(training.dir, 'source'));
      expect(printed.EM_ENTRY_POINT).toBe('train.ipynb');
      expect(printed.EM_DATASET_TRAIN).toBe(data);
      expect(JSON.parse(printed.EM_DATASETS ?? '')).toEqual({ train: data });
      expect(printed.EM_HP_EPOCHS).toBe('4');
      expect(printed.EM_HP_LEARNING_RATE).toBe('0.25');
      expect(JSON.parse(printed.EM_HPS ?? '')).toEqual({ epochs: '4', 'learning-rate': '0.25' });
      expect(printed.EM_MODEL_DIR).toBe(join(training.dir, 'model'));
      expect(printed.EM_ARTIFACT_DIR).toBe(join(training.dir, 'artifacts'));
      expect(printed.EM_TENSORBOARD_LOG_DIR).toBe(join(training.dir, 'tensorboard'));

      const last = executed.cells.at(-1);
      expect(text(last?.outputs?.find((o) => o.output_type === 'stream')?.text)).toContain('epochs 4 int');
      expect(last?.outputs?.some((o) => o.output_type === 'execute_result')).toBe(true);

      const log = await fullLog(bridge.client, training.id);
      expect(log).toContain('epochs 4 int learning_rate 0.25');

      const files = await bridge.client.api.listTrainingFiles({ params: { id: training.id } });
      const paths = files.items.map((f) => f.path);
      expect(paths).toContain('artifacts/train.ipynb');
      expect(paths).toContain('model/model.joblib');
      expect(paths.some((p) => p.startsWith('tensorboard/') && p.includes('tfevents'))).toBe(true);
      const downloaded = (await bridge.client.api.getTrainingFile({
        params: { id: training.id },
        query: { path: 'artifacts/train.ipynb' },
      })) as { cells: unknown[] };
      expect(downloaded.cells).toHaveLength(executed.cells.length);

      const metrics = await bridge.client.api.getTrainingMetrics({ params: { id: training.id } });
      expect(metrics.series.map((s) => s.tag)).toEqual(['accuracy']);
      expect(metrics.series[0]?.points[0]?.step).toBe(4);
      expect(metrics.series[0]?.points[0]?.value).toBeGreaterThan(0.8);
    },
  );

  it('fails on a cell that raises: FAIL TRAIN, the cell and its traceback in the log and in the executed notebook', async () => {
    const source = writeTree(join(work, 'failing'), {
      'broken.ipynb': notebook([
        { source: "print('before')" },
        { source: 'Not code', markdown: true },
        { source: "def check(v):\n    raise ValueError(f'bad value {v}')\ncheck(42)" },
        { source: "print('never')" },
      ]),
    });
    const training = await run({ source: { path: join(source, 'broken.ipynb') } });
    expect(training.state).toBe('FAIL TRAIN');
    expect(training.exitCode).not.toBe(0);
    expect(training.stateReason).toContain('cell 3');
    expect(training.stateReason).toContain('ValueError: bad value 42');

    const log = await fullLog(bridge.client, training.id);
    expect(log).toContain('before');
    expect(log).toContain('ValueError');
    expect(log).toContain('check(42)');
    expect(log).not.toContain('never');

    const executed = executedNotebook(training, 'broken.ipynb');
    const error = executed.cells[2]?.outputs?.find((o) => o.output_type === 'error');
    expect(error?.ename).toBe('ValueError');
    expect((error?.traceback ?? []).join('\n')).toContain('bad value 42');
    expect(executed.cells[3]?.outputs ?? []).toEqual([]);
  });
});

describe('a script training', () => {
  it('gets its hyperparameters as --key value arguments', async () => {
    const source = writeTree(join(work, 'args'), {
      'src/train.py': 'import sys, json\nprint("ARGS", json.dumps(sys.argv[1:]))\n',
      'src/util.py': '',
    });
    const training = await run({
      source: { path: source, entryPoint: 'src/train.py' },
      hyperparameters: { epochs: '3', optimizer: 'adam w' },
    });
    expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
    expect(await fullLog(bridge.client, training.id)).toContain('ARGS ["--epochs", "3", "--optimizer", "adam w"]');
  });

  it('stops on request: STOPPED within 5 s, and no process of its tree is left', async () => {
    const pids = join(work, 'pids.txt');
    const source = writeTree(join(work, 'sleeper'), {
      'sleep.py': [
        'import os, subprocess, sys, time',
        'child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])',
        `open(${JSON.stringify(pids)}, "w").write(f"{os.getpid()} {child.pid}")`,
        'print("sleeping", flush=True)',
        'time.sleep(600)',
      ].join('\n'),
    });
    const submitted = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'sleep.py') } } });
    await trainingInState(bridge.client, submitted.id, 'RUNNING');
    const log = await (async () => {
      for (let i = 0; i < 100; i++) {
        const text = await fullLog(bridge.client, submitted.id);
        if (text.includes('sleeping')) return text;
        await new Promise((r) => setTimeout(r, 100));
      }
      return '';
    })();
    expect(log).toContain('sleeping');
    const [own, child] = readFileSync(pids, 'utf8').split(' ').map(Number) as [number, number];
    expect(alive(own) && alive(child)).toBe(true);

    const asked = Date.now();
    const stopping = await bridge.client.api.stopTraining({ params: { id: submitted.id } });
    expect(['STOP IN PROGRESS', 'STOPPED']).toContain(stopping.state);
    const stopped = await settledTraining(bridge.client, submitted.id, 10_000);
    expect(Date.now() - asked).toBeLessThan(5_000 + 1_000);
    expect(stopped.state).toBe('STOPPED');
    expect(alive(own)).toBe(false);
    expect(alive(child)).toBe(false);

    const again = await apiError(bridge.client.api.stopTraining({ params: { id: submitted.id } }));
    expect(again.status).toBe(409);
  });

  it('is ended at its maximum duration: FAIL TRAIN, saying so', async () => {
    const source = writeTree(join(work, 'long'), { 'long.py': 'import time\nprint("start", flush=True)\ntime.sleep(600)\n' });
    const training = await run({ source: { path: join(source, 'long.py') }, maxDurationSeconds: 2 });
    expect(training.state).toBe('FAIL TRAIN');
    expect(training.stateReason).toMatch(/maximum duration/);
    expect(Date.parse(training.endedAt ?? '') - Date.parse(training.createdAt)).toBeLessThan(10_000);
  });

  it('reports a failing script with its exit status', async () => {
    const source = writeTree(join(work, 'exit3'), { 'fail.py': 'import sys\nprint("oops", file=sys.stderr)\nsys.exit(3)\n' });
    const training = await run({ source: { path: join(source, 'fail.py') } });
    expect(training.state).toBe('FAIL TRAIN');
    expect(training.exitCode).toBe(3);
    expect(training.stateReason).toContain('status 3');
    expect(await fullLog(bridge.client, training.id)).toContain('oops');
  });
});

describe('snapshots, copies and the rules', () => {
  it('snapshots the source at submit time: later edits do not change the run, and a copy reruns the same code', async () => {
    const source = writeTree(join(work, 'snap'), {
      'run.py': 'import time, sys\ntime.sleep(1)\nprint("version 1", sys.argv[1:])\n',
      '.emkitignore': 'big/\n',
      'big/blob.bin': 'x'.repeat(1000),
    });
    const submitted = await bridge.client.api.createTraining({
      body: { source: { path: join(source, 'run.py') }, hyperparameters: { seed: '1' }, tags: { team: 'vision' } },
    });
    expect(submitted.source.files).toBe(2); // run.py and .emkitignore; big/ left out
    writeTree(source, { 'run.py': 'print("version 2")\n' });
    const first = await settledTraining(bridge.client, submitted.id);
    expect(await fullLog(bridge.client, first.id)).toContain('version 1');

    const copy = await bridge.client.api.copyTraining({ params: { id: first.name }, body: { hyperparameters: { seed: '2' } } });
    expect(copy.copiedFrom).toBe(first.id);
    expect(copy.name).not.toBe(first.name);
    expect(copy.tags).toEqual({ team: 'vision' });
    const copied = await settledTraining(bridge.client, copy.id);
    expect(copied.state).toBe('COMPLETE');
    expect(await fullLog(bridge.client, copied.id)).toContain("version 1 ['--seed', '2']");
  });

  it('refuses bad input with a clear error and records nothing', async () => {
    const source = writeTree(join(work, 'rules'), { 'ok.py': 'print(1)\n', 'data.txt': 'x' });
    const before = (await bridge.client.api.listTrainings({})).total;
    const submit = (body: object) => apiError(bridge.client.api.createTraining({ body: body as never }));

    const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, '1']));
    expect((await submit({ source: { path: join(source, 'ok.py') }, hyperparameters: tooMany })).status).toBe(400);
    const badKey = await submit({ source: { path: join(source, 'ok.py') }, hyperparameters: { 'bad key': '1' } });
    expect(badKey.status).toBe(400);
    expect(badKey.message).toContain('hyperparameters');
    const clash = await submit({ source: { path: join(source, 'ok.py') }, hyperparameters: { lr: '1', LR: '2' } });
    expect([clash.status, clash.message]).toEqual([400, expect.stringContaining('EM_HP_LR')]);
    const datasets = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`d${i}`, source]));
    expect((await submit({ source: { path: join(source, 'ok.py') }, datasets })).status).toBe(400);
    const tags = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, 'v']));
    expect((await submit({ source: { path: join(source, 'ok.py') }, tags })).status).toBe(400);
    const missing = await submit({ source: { path: join(source, 'nope.py') } });
    expect([missing.status, missing.field]).toEqual([422, 'source.path']);
    const relative = await submit({ source: { path: 'ok.py' } });
    expect(relative.status).toBe(422);
    const notRunnable = await submit({ source: { path: join(source, 'data.txt') } });
    expect(notRunnable.message).toMatch(/neither a notebook/);
    const noEntry = await submit({ source: { path: source } });
    expect(noEntry.field).toBe('source.entryPoint');
    const outside = await submit({ source: { path: source, entryPoint: '../trainings.py' } });
    expect(outside.status).toBe(422);
    const noDataset = await submit({ source: { path: join(source, 'ok.py') }, datasets: { train: join(work, 'absent') } });
    expect([noDataset.status, noDataset.field]).toEqual([422, 'datasets.train']);
    const noEnv = await submit({ source: { path: join(source, 'ok.py') }, environment: 'absent' });
    expect(noEnv.status).toBe(404);
    const badExperiment = await submit({ source: { path: join(source, 'ok.py') }, experiment: 'Not A Name' });
    expect([badExperiment.status, badExperiment.field]).toEqual([400, 'experiment']);
    const ranks = await submit({ source: { path: join(source, 'ok.py') }, instanceCount: 17 });
    expect(ranks.status).toBe(400);

    expect((await bridge.client.api.listTrainings({})).total).toBe(before);
    expect(await bridge.client.api.health({})).toMatchObject({ status: 'ok' });
  });

  it('refuses a source folder over the size cap, saying how to shrink it, and leaves nothing behind', async () => {
    const capped = await startBridge({ args: ['--max-source-mb', '1'] });
    try {
      const source = writeTree(join(work, 'huge'), { 'train.py': 'print(1)\n', 'data/blob.bin': 'x'.repeat(2 * 1024 * 1024) });
      const error = await apiError(capped.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } }));
      expect(error.status).toBe(413);
      expect(error.message).toContain('.emkitignore');
      expect((await capped.client.api.listTrainings({})).total).toBe(0);
      writeTree(source, { '.emkitignore': 'data/\n' });
      const ok = await capped.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } });
      expect((await settledTraining(capped.client, ok.id)).state).toBe('COMPLETE');
    } finally {
      await capped.stop();
      removeDir(capped.home);
    }
  });

  it('keeps an experiment with trainings, and a running training, from being deleted', async () => {
    const source = writeTree(join(work, 'guard'), { 'wait.py': 'import time\ntime.sleep(30)\n' });
    await bridge.client.api.createExperiment({ body: { name: 'guarded' } });
    const training = await bridge.client.api.createTraining({
      body: { source: { path: join(source, 'wait.py') }, experiment: 'guarded' },
    });
    const experimentDelete = await apiError(bridge.client.api.deleteExperiment({ params: { id: 'guarded' } }));
    expect([experimentDelete.status, experimentDelete.message]).toEqual([409, expect.stringContaining('training')]);
    const runningDelete = await apiError(bridge.client.api.deleteTraining({ params: { id: training.id } }));
    expect([runningDelete.status, runningDelete.message]).toEqual([409, expect.stringContaining('stop it')]);

    await bridge.client.api.stopTraining({ params: { id: training.id } });
    const stopped = await settledTraining(bridge.client, training.id, 10_000);
    await bridge.client.api.deleteTraining({ params: { id: training.id } });
    expect((await apiError(bridge.client.api.getTraining({ params: { id: training.id } }))).status).toBe(404);
    expect(() => readFileSync(join(stopped.dir, 'spec.json'))).toThrow();
    await bridge.client.api.deleteExperiment({ params: { id: 'guarded' } });
  });
});

describe('live logs, events and metrics', () => {
  it('streams the log over WebSocket as it is written, ends with the final state, and notifies the end on the event stream', async () => {
    const head = (await bridge.client.api.getStatus({})).eventSeq;
    const events = new WebSocket(bridge.client.eventsUrl(head), bridge.client.socketProtocols());
    const finished = new Promise<EventMessage>((resolve) => {
      events.on('message', (data) => {
        const message = JSON.parse(String(data)) as EventMessage;
        if (message.type === 'event' && message.event.action === 'finished') resolve(message);
      });
    });
    const source = writeTree(join(work, 'ticker'), {
      'tick.py': 'import time\nfor i in range(5):\n    print("tick", i, flush=True)\n    time.sleep(0.3)\n',
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'tick.py') } } });
    const socket = new WebSocket(bridge.client.trainingLogUrl(training.id), bridge.client.socketProtocols());
    const received: { at: number; text: string }[] = [];
    const end = await new Promise<LogStreamMessage>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as LogStreamMessage;
        if (message.type === 'chunk') received.push({ at: Date.now(), text: message.text });
        else resolve(message);
      });
      socket.on('error', reject);
    });
    expect(end).toMatchObject({ type: 'end', state: 'COMPLETE' });
    const all = received.map((r) => r.text).join('');
    expect(all).toBe('tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n');
    // live: the lines came in several pieces over the run, not in one piece at the end
    expect(received.length).toBeGreaterThan(2);

    const message = await finished;
    events.close();
    expect(message).toMatchObject({
      type: 'event',
      event: { resource: 'trainings', id: training.id, data: { state: 'COMPLETE' } },
    });
  });

  it('streams a log of Korean text and emoji without cutting a character where a chunk ends', async () => {
    // one line longer than the socket's 256 KiB chunk, so chunks must end inside it: 3-byte Hangul, 4-byte emoji
    const line = '학습 손실 🚀 정확도 📈 '.repeat(12_000);
    const source = writeTree(join(work, 'korean'), {
      'korean.py': `import sys\nsys.stdout.write(${JSON.stringify(line)})\nsys.stdout.write("끝🎉\\n")\n`,
    });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(source, 'korean.py') } } });
    await settledTraining(bridge.client, training.id);
    const socket = new WebSocket(bridge.client.trainingLogUrl(training.id), bridge.client.socketProtocols());
    const texts: string[] = [];
    const end = await new Promise<LogStreamMessage>((resolve, reject) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as LogStreamMessage;
        if (message.type === 'chunk') texts.push(message.text);
        else resolve(message);
      });
      socket.on('error', reject);
    });
    expect(end).toMatchObject({ type: 'end', state: 'COMPLETE' });
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(text).not.toContain('\uFFFD');
    expect(texts.join('')).toBe(`${line}끝🎉\n`);
  });

  it('reads metrics from log_metric and SummaryWriter while the training runs, and compares an experiment', async () => {
    const source = writeTree(join(work, 'metrics'), {
      'fit.py': [
        'import sys, time',
        'from emkit.tracking import log_metric, SummaryWriter',
        'lr = float(sys.argv[sys.argv.index("--lr") + 1])',
        'writer = SummaryWriter()',
        'for step in range(20):',
        '    log_metric("loss", 1.0 / (1 + step * lr), step)',
        '    writer.add_scalar("accuracy", step * lr / 20, step)',
        '    writer.flush()',
        '    time.sleep(0.1)',
        'writer.close()',
      ].join('\n'),
    });
    await bridge.client.api.createExperiment({ body: { name: 'sweep' } });
    const head = (await bridge.client.api.getStatus({})).eventSeq;
    const events = new WebSocket(bridge.client.eventsUrl(head), bridge.client.socketProtocols());
    const live: number[] = [];
    events.on('message', (data) => {
      const message = JSON.parse(String(data)) as EventMessage;
      if (message.type === 'event' && message.event.action === 'metrics') live.push(Date.now());
    });
    const trainings = [];
    for (const lr of ['0.5', '1.0']) {
      trainings.push(
        await bridge.client.api.createTraining({
          body: { source: { path: join(source, 'fit.py') }, hyperparameters: { lr }, experiment: 'sweep' },
        }),
      );
    }
    const done = await Promise.all(trainings.map((t) => settledTraining(bridge.client, t.id)));
    events.close();
    for (const training of done) expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
    // metrics arrived while the trainings ran, in several events
    expect(live.length).toBeGreaterThan(1);
    expect(Math.min(...live)).toBeLessThan(Math.max(...done.map((t) => Date.parse(t.endedAt ?? ''))));

    const metrics = await bridge.client.api.getTrainingMetrics({ params: { id: done[0]?.id ?? '' } });
    expect(metrics.series.map((s) => s.tag).sort()).toEqual(['accuracy', 'loss']);
    const loss = metrics.series.find((s) => s.tag === 'loss');
    expect(loss?.points.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(loss?.points[19]?.value).toBeCloseTo(1 / (1 + 19 * 0.5), 6);
    const thinned = await bridge.client.api.getTrainingMetrics({
      params: { id: done[0]?.id ?? '' },
      query: { tag: 'loss', maxPoints: 5 },
    });
    expect(thinned.series[0]?.points.map((p) => p.step)).toEqual([0, 5, 10, 14, 19]);
    expect(thinned.series[0]?.total).toBe(20);

    const comparison = await bridge.client.api.compareExperiment({ params: { id: 'sweep' } });
    expect(comparison.hyperparameters).toEqual(['lr']);
    expect(comparison.metrics).toEqual(['accuracy', 'loss']);
    const byLr = Object.fromEntries(comparison.trainings.map((t) => [t.hyperparameters.lr, t.metrics]));
    expect(byLr['1.0']?.loss).toMatchObject({ goal: 'min', lastStep: 19 });
    expect(byLr['1.0']?.loss?.best).toBeCloseTo(1 / 20, 6);
    expect(byLr['1.0']?.accuracy?.goal).toBe('max');
    expect(byLr['0.5']?.accuracy?.best).toBeCloseTo((19 * 0.5) / 20, 6);
  });
});
