import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmkitClient, QuickTestWorker } from '@emkit/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir, waitFor } from '../support/bridge.js';
import { IRIS_ROWS, type IrisAnswers, writeIrisClassifier } from '../support/endpoints.js';
import { refusal } from '../support/refusal.js';
import { alive, pythonHas, venvPython, writeTree } from '../support/trainings.js';

// The quick test: POST /api/v1/models/{id}/predict calls a model version that no endpoint
// serves, through a worker the bridge starts on the first call and keeps warm.

const hasSklearn = pythonHas(venvPython, 'sklearn', 'joblib');
const noSklearn = hasSklearn ? '' : ' (SKIPPED: scikit-learn is not installed in .venv)';

let bridge: TestBridge;
let work: string;

beforeAll(async () => {
  // 1 MB inference bodies: files over 0.75 MB are refused
  bridge = await startBridge({ args: ['--python', venvPython, '--max-inference-mb', '1'] });
  work = tempDir('emkit-quick-tests-');
});
afterAll(async () => {
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

/** A custom predict.py that takes files: it answers what it got, decoded. */
const FILE_MODEL = `
import base64, hashlib

def predict(instances):
    answers = []
    for instance in instances:
        data = base64.b64decode(instance["b64"])
        answers.append({
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "filename": instance["filename"],
            "contentType": instance["contentType"],
        })
    return answers
`;

async function quickTests(client: EmkitClient): Promise<QuickTestWorker[]> {
  return (await client.api.getStatus({})).quickTests;
}

async function workerOf(client: EmkitClient, modelId: string): Promise<QuickTestWorker | undefined> {
  return (await quickTests(client)).find((w) => w.modelId === modelId);
}

/** How many times the version's worker was started: each start says "serving" in its log. */
function startsIn(home: string, modelId: string): number {
  const log = readFileSync(join(home, 'logs', 'quick-tests', `q-${modelId}-0.log`), 'utf8');
  return log.split('\n').filter((line) => line.startsWith('[emkit] serving ')).length;
}

describe('quick test of a scikit-learn model with no endpoint', () => {
  let modelId: string;
  let expected: IrisAnswers;

  beforeAll(async () => {
    if (!hasSklearn) return;
    const dir = join(work, 'iris');
    expected = writeIrisClassifier(dir);
    modelId = (await bridge.client.api.createModel({ body: { name: 'iris', artifactPath: dir } })).id;
  });

  it.skipIf(!hasSklearn)(
    `the first call starts a worker, the second reuses it; scores are predict_proba's${noSklearn}`,
    async () => {
      const api = bridge.client.api;
      expect(await workerOf(bridge.client, modelId)).toBeUndefined();

      const first = await api.predictModel({ params: { id: 'iris:1' }, body: { instances: IRIS_ROWS } });
      expect(first.warm).toBe(false);
      expect(first.predictions).toEqual(expected.predictions);
      expect(first.scores).toBeUndefined();
      const started = await workerOf(bridge.client, modelId);
      expect(started?.state).toBe('READY');
      expect(started?.model).toBe('iris:1');
      expect(started?.pid).toBeGreaterThan(0);
      expect(alive(started?.pid ?? 0)).toBe(true);

      const second = await api.predictModel({ params: { id: 'iris' }, body: { instances: IRIS_ROWS, return_scores: true } });
      expect(second.warm).toBe(true);
      expect(second.predictions).toEqual(expected.predictions);
      expect(second.classes).toEqual(expected.classes);
      expect(second.scores).toHaveLength(IRIS_ROWS.length);
      for (const [i, row] of (second.scores ?? []).entries()) {
        for (const [j, p] of row.entries()) expect(p).toBeCloseTo(expected.scores[i]?.[j] ?? Number.NaN, 12);
      }
      // the same worker answered both
      expect((await workerOf(bridge.client, modelId))?.pid).toBe(started?.pid);
      expect(startsIn(bridge.home, modelId)).toBe(1);
    },
    120_000,
  );

  it.skipIf(!hasSklearn)(
    `bad input: no instances 400, the model's own error 400, unknown model 404, and it goes on serving${noSklearn}`,
    async () => {
      const api = bridge.client.api;
      const empty = await refusal(api.predictModel({ params: { id: 'iris' }, body: { instances: [] } }));
      expect([empty.status, empty.code, empty.field]).toEqual([400, 'validation', 'instances']);

      const wrong = await refusal(api.predictModel({ params: { id: 'iris' }, body: { instances: [[1, 2]] } }));
      expect([wrong.status, wrong.code]).toEqual([400, 'validation']);
      expect(wrong.message).toContain('expecting 4 features');

      const unknown = await refusal(api.predictModel({ params: { id: 'nope' }, body: { instances: [[1, 2, 3, 4]] } }));
      expect([unknown.status, unknown.code]).toEqual([404, 'not_found']);

      const after = await api.predictModel({ params: { id: 'iris' }, body: { instances: IRIS_ROWS } });
      expect(after.predictions).toEqual(expected.predictions);
    },
    120_000,
  );

  it.skipIf(!hasSklearn)(
    `deleting the version stops its worker${noSklearn}`,
    async () => {
      const api = bridge.client.api;
      await api.predictModel({ params: { id: 'iris' }, body: { instances: IRIS_ROWS } });
      const worker = await workerOf(bridge.client, modelId);
      expect(worker && alive(worker.pid ?? 0)).toBe(true);

      await api.deleteModel({ params: { id: 'iris:1' } });
      expect(await workerOf(bridge.client, modelId)).toBeUndefined();
      expect(alive(worker?.pid ?? 0)).toBe(false);
      const gone = await refusal(api.predictModel({ params: { id: modelId }, body: { instances: IRIS_ROWS } }));
      expect(gone.status).toBe(404);
    },
    120_000,
  );
});

describe('quick test with a file', () => {
  let modelId: string;

  beforeAll(async () => {
    const dir = writeTree(join(work, 'files'), { 'predict.py': FILE_MODEL });
    modelId = (await bridge.client.api.createModel({ body: { name: 'files', artifactPath: dir } })).id;
  });

  it('a custom predict.py gets the upload as {"b64", "filename", "contentType"}', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]), Buffer.alloc(200_000, 7)]);
    const answer = await bridge.client.api.predictModelFile({
      params: { id: 'files' },
      query: { filename: 'cat 1.png' },
      body: new Blob([new Uint8Array(bytes)], { type: 'image/png' }),
    });
    expect(answer.predictions).toEqual([
      {
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
        filename: 'cat 1.png',
        contentType: 'image/png',
      },
    ]);
    expect(startsIn(bridge.home, modelId)).toBe(1);
  }, 60_000);

  it('calls that come while the worker starts share one start', async () => {
    await bridge.client.api.deleteModel({ params: { id: 'files' } });
    const dir = writeTree(join(work, 'files2'), { 'predict.py': FILE_MODEL });
    const id = (await bridge.client.api.createModel({ body: { name: 'files2', artifactPath: dir } })).id;
    const calls = Array.from({ length: 4 }, (_, i) =>
      bridge.client.api.predictModelFile({
        params: { id: 'files2' },
        query: { filename: `${i}.txt` },
        body: new Blob([`text ${i}`], { type: 'text/plain' }),
      }),
    );
    const answers = await Promise.all(calls);
    expect(answers.map((a) => (a.predictions[0] as { filename: string }).filename)).toEqual(['0.txt', '1.txt', '2.txt', '3.txt']);
    expect(answers.some((a) => a.warm === false)).toBe(true);
    expect(startsIn(bridge.home, id)).toBe(1);
    expect((await quickTests(bridge.client)).filter((w) => w.modelId === id)).toHaveLength(1);
  }, 60_000);

  it('refuses a file over the cap (413), of a type no model takes (415) or empty (400)', async () => {
    const url = `${bridge.url}/api/v1/models/files2/predict/file`;
    const post = async (body: Buffer, type?: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${bridge.token}`, ...(type ? { 'content-type': type } : {}) },
        body: new Uint8Array(body),
      });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
    };
    const big = await post(Buffer.alloc(800 * 1024, 1), 'image/png');
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(big.body.error.message).toContain('--max-inference-mb');

    const json = await post(Buffer.from('{"instances": []}'), 'application/json');
    expect(json.status).toBe(415);
    expect(json.body.error.message).toContain('image/*');

    const empty = await post(Buffer.alloc(0), 'audio/wav');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('empty');

    // the bridge goes on serving
    const ok = await post(Buffer.from('hello'), 'text/plain; charset=utf-8');
    expect(ok.status).toBe(200);
  }, 60_000);

  it('a worker that dies mid-call is 503 for that call; the next call gets a worker again', async () => {
    const dir = writeTree(join(work, 'dies'), {
      'predict.py':
        'import os\n\ndef predict(instances):\n    if "die" in instances:\n        os._exit(3)\n    return instances\n',
    });
    const model = await bridge.client.api.createModel({ body: { name: 'dies', artifactPath: dir } });
    await bridge.client.api.predictModel({ params: { id: 'dies' }, body: { instances: ['ok'] } });
    const pid = (await workerOf(bridge.client, model.id))?.pid ?? 0;

    const died = await refusal(bridge.client.api.predictModel({ params: { id: 'dies' }, body: { instances: ['die'] } }));
    expect([died.status, died.code]).toEqual([503, 'not_ready']);
    expect(alive(pid)).toBe(false);

    const again = await bridge.client.api.predictModel({ params: { id: 'dies' }, body: { instances: ['still here'] } });
    expect(again.predictions).toEqual(['still here']);
    const now = await workerOf(bridge.client, model.id);
    expect(now?.state).toBe('READY');
    expect(now?.pid).not.toBe(pid);
  }, 60_000);

  it("a model that can't load is 422 with why, and no worker is left", async () => {
    const dir = writeTree(join(work, 'broken'), {
      'predict.py':
        'def load():\n    raise RuntimeError("weights.bin is missing")\n\ndef predict(model, instances):\n    return instances\n',
    });
    const broken = await bridge.client.api.createModel({ body: { name: 'broken', artifactPath: dir } });
    const failed = await refusal(bridge.client.api.predictModel({ params: { id: 'broken' }, body: { instances: [1] } }));
    expect([failed.status, failed.code]).toEqual([422, 'unprocessable']);
    expect(failed.message).toContain('weights.bin is missing');
    expect(await workerOf(bridge.client, broken.id)).toBeUndefined();
  }, 60_000);
});

describe('emkit model predict', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [cliPath, '--home', bridge.home, 'model', 'predict', ...args], { encoding: 'utf8' });

  it('takes --data or --file, and prints one prediction a line (with --scores, each class)', () => {
    const dir = writeTree(join(work, 'cli'), {
      'predict.py': [
        'CLASSES = ["no", "yes"]',
        'def predict(instances):',
        '    return [{"label": "yes" if i.get("b64", i) else "no", "scores": [0.25, 0.75]} for i in instances]',
      ].join('\n'),
    });
    spawnSync(process.execPath, [cliPath, '--home', bridge.home, 'model', 'create', 'cli', '--path', dir], { encoding: 'utf8' });

    const data = cli('cli', '--data', '{"instances": [{"a": 1}]}', '--scores');
    expect(data.status, data.stderr).toBe(0);
    expect(data.stdout).toBe('"yes"  "no"=0.2500 "yes"=0.7500\n');
    expect(data.stderr).toMatch(/cold|warm/);

    const file = join(work, 'note.txt');
    writeFileSync(file, 'hello');
    const json = cli('cli', '--file', file, '--json');
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ predictions: [{ label: 'yes' }], warm: true });

    const both = cli('cli', '--data', '[1]', '--file', file);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('not both');
    const unknown = cli('nope', '--data', '[1]');
    expect(unknown.status).toBe(4);
  }, 60_000);
});

describe('an idle worker stops', () => {
  let idle: TestBridge;
  beforeAll(async () => {
    idle = await startBridge({ args: ['--python', venvPython, '--quick-test-idle', '1'] });
  });
  afterAll(async () => {
    await idle?.stop();
    removeDir(idle?.home ?? '');
  });

  it('after --quick-test-idle seconds uncalled; the next call starts a new one', async () => {
    const dir = writeTree(join(work, 'echo'), { 'predict.py': 'def predict(instances):\n    return instances\n' });
    const model = await idle.client.api.createModel({ body: { name: 'echo', artifactPath: dir } });
    const first = await idle.client.api.predictModel({ params: { id: 'echo' }, body: { instances: [1, 2] } });
    expect(first).toMatchObject({ predictions: [1, 2], warm: false });
    const pid = (await workerOf(idle.client, model.id))?.pid ?? 0;
    expect(pid).toBeGreaterThan(0);

    await waitFor(async () => (await workerOf(idle.client, model.id)) === undefined, 30_000, 'the idle worker to stop');
    await waitFor(async () => !alive(pid), 10_000, `worker ${pid} to end`);

    const again = await idle.client.api.predictModel({ params: { id: 'echo' }, body: { instances: [3] } });
    expect(again).toMatchObject({ predictions: [3], warm: false });
    expect(startsIn(idle.home, model.id)).toBe(2);
  }, 60_000);
});

describe('the bridge stopping', () => {
  it('stops its quick-test workers', async () => {
    const dir = writeTree(join(work, 'last'), { 'predict.py': 'def predict(instances):\n    return instances\n' });
    await bridge.client.api.createModel({ body: { name: 'last', artifactPath: dir } });
    await bridge.client.api.predictModel({ params: { id: 'last' }, body: { instances: [4] } });
    const pids = (await quickTests(bridge.client)).map((w) => w.pid ?? 0);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.every(alive)).toBe(true);
    await bridge.stop();
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);
});
