import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { refusal } from '../support/refusal.js';
import { settledTraining, writeTree } from '../support/trainings.js';

// Paths a user names (a training's source, a model's artifact, a training's files) may be
// FIFOs, devices, sockets, links or huge sparse files: the bridge reads only regular
// files, under caps, and stays responsive.

const CAP_MB = 1;
let bridge: TestBridge;
let work: string;
let socketServer: Server | undefined;

beforeAll(async () => {
  bridge = await startBridge({ args: ['--max-source-mb', String(CAP_MB)] });
  work = tempDir('emkit-paths-');
});
afterAll(async () => {
  socketServer?.close();
  await bridge?.stop();
  removeDir(bridge?.home ?? '');
  removeDir(work ?? '');
});

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
}

/** A file that says it holds `bytes` but takes no disk (truncate past its end). */
function sparse(path: string, bytes: number): string {
  closeSync(openSync(path, 'w'));
  spawnSync('truncate', ['-s', String(bytes), path]);
  return path;
}

const modelsDir = () => join(bridge.home, 'models');
const leftovers = () => (existsSync(modelsDir()) ? readdirSync(modelsDir()) : []);

describe('a training source with an .emkitignore that is not a text file', () => {
  it('a FIFO is refused at once (422), and five of them leave the bridge serving files', async () => {
    const source = writeTree(join(work, 'fifo-ignore'), { 'train.py': 'print(1)\n' });
    mkfifo(join(source, '.emkitignore'));
    // more than libuv's four threads: a blocking open of each would stall every file operation
    for (let i = 0; i < 5; i += 1) {
      const error = await refusal(bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } }));
      expect([error.status, error.field]).toEqual([422, 'source.path']);
      expect(error.message).toContain('.emkitignore is not a regular file');
    }
    const ok = writeTree(join(work, 'fine'), { 'train.py': 'print(1)\n' });
    const training = await bridge.client.api.createTraining({ body: { source: { path: join(ok, 'train.py') } } });
    expect((await settledTraining(bridge.client, training.id)).state).toBe('COMPLETE');
  });

  it('a link to /dev/zero is refused, not read', async () => {
    const source = writeTree(join(work, 'zero-ignore'), { 'train.py': 'print(1)\n' });
    symlinkSync('/dev/zero', join(source, '.emkitignore'));
    const error = await refusal(bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } }));
    expect([error.status, error.field]).toEqual([422, 'source.path']);
  });
});

describe('a model from an artifact path', () => {
  it('over the cap (a sparse file) → 413, leaving no folder and no record', async () => {
    const path = sparse(join(work, 'huge.onnx'), (CAP_MB + 1) * 1024 * 1024);
    const error = await refusal(bridge.client.api.createModel({ body: { name: 'huge', artifactPath: path } }));
    expect([error.status, error.code, error.field]).toEqual([413, 'payload_too_large', 'artifactPath']);
    const folder = writeTree(join(work, 'huge-folder'), { 'predict.py': 'def predict(x):\n    return x\n' });
    sparse(join(folder, 'weights.bin'), (CAP_MB + 1) * 1024 * 1024);
    const inFolder = await refusal(bridge.client.api.createModel({ body: { name: 'huge', artifactPath: folder } }));
    expect([inFolder.status, inFolder.field]).toEqual([413, 'artifactPath']);
    expect((await bridge.client.api.listModels({ query: { name: 'huge' } })).total).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('a FIFO, a socket or the emkit home → 422 naming artifactPath, leaving nothing', async () => {
    const fifo = join(work, 'model.fifo');
    mkfifo(fifo);
    const socket = join(work, 'model.sock');
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer?.listen(socket, resolve));
    for (const artifactPath of [fifo, socket, bridge.home, join(bridge.home, 'trainings')]) {
      const error = await refusal(bridge.client.api.createModel({ body: { name: 'odd', artifactPath, framework: 'custom' } }));
      expect([artifactPath, error.status, error.field]).toEqual([artifactPath, 422, 'artifactPath']);
    }
    expect((await bridge.client.api.listModels({ query: { name: 'odd' } })).total).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('copies a linked file as its content and leaves linked folders and FIFOs out', async () => {
    const outside = writeTree(join(work, 'outside'), { 'labels.txt': 'cat\ndog\n', 'big/x.bin': 'x' });
    const folder = writeTree(join(work, 'linked'), { 'predict.py': 'def predict(x):\n    return x\n' });
    symlinkSync(join(outside, 'labels.txt'), join(folder, 'labels.txt'));
    symlinkSync(join(outside, 'big'), join(folder, 'big'));
    mkfifo(join(folder, 'pipe'));
    const model = await bridge.client.api.createModel({ body: { name: 'linked', artifactPath: folder } });
    expect(readdirSync(model.artifactPath).sort()).toEqual(['labels.txt', 'predict.py']);
    expect(lstatSync(join(model.artifactPath, 'labels.txt')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(model.artifactPath, 'labels.txt'), 'utf8')).toBe('cat\ndog\n');
    expect(model.files).toBe(2);
  });
});

describe("a training's files", () => {
  it('a link the training left to a file outside its folders is not served', async () => {
    const script = [
      'import os, sys',
      'target = sys.argv[sys.argv.index("--target") + 1]',
      'artifacts = os.path.join(os.path.dirname(os.environ["EM_MODEL_DIR"]), "artifacts")',
      'os.makedirs(artifacts, exist_ok=True)',
      'os.symlink(target, os.path.join(artifacts, "leak.txt"))',
      'open(os.path.join(artifacts, "kept.txt"), "w").write("kept")',
    ].join('\n');
    const source = writeTree(join(work, 'leaky'), { 'train.py': script });
    const training = await settledTraining(
      bridge.client,
      (
        await bridge.client.api.createTraining({
          body: { source: { path: join(source, 'train.py') }, hyperparameters: { target: join(bridge.home, 'token') } },
        })
      ).id,
    );
    expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
    const response = await fetch(`${bridge.url}/api/v1/trainings/${training.id}/file?path=artifacts/leak.txt`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    const text = await response.text();
    expect(text).not.toContain(bridge.token);
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error).toMatchObject({ code: 'bad_request', field: 'path' });
    const kept = await fetch(`${bridge.url}/api/v1/trainings/${training.id}/file?path=artifacts/kept.txt`, {
      headers: { authorization: `Bearer ${bridge.token}` },
    });
    expect([kept.status, await kept.text()]).toEqual([200, 'kept']);
    // the file the link points at is the bridge's token: still there, never read
    expect(readFileSync(join(bridge.home, 'token'), 'utf8').trim()).toBe(bridge.token);
  });

  it('a folder that cannot be listed is said so in the log, not shown as empty in silence', async () => {
    // as root no mode bars reading, so ENOTDIR stands in for EACCES: both are "not ENOENT"
    const script = [
      'import os, shutil',
      'shutil.rmtree(os.environ["EM_CHECKPOINT_DIR"])',
      'open(os.environ["EM_CHECKPOINT_DIR"], "w").write("not a folder")',
      'open(os.path.join(os.environ["EM_MODEL_DIR"], "model.txt"), "w").write("m")',
    ].join('\n');
    const source = writeTree(join(work, 'unlistable'), { 'train.py': script });
    const training = await settledTraining(
      bridge.client,
      (await bridge.client.api.createTraining({ body: { source: { path: join(source, 'train.py') } } })).id,
    );
    expect(training.state, training.stateReason ?? '').toBe('COMPLETE');
    const files = await bridge.client.api.listTrainingFiles({ params: { id: training.id } });
    expect(files.items.map((f) => f.path)).toContain('model/model.txt');
    expect(bridge.output()).toMatch(/could not list a training folder.*ENOTDIR|ENOTDIR.*could not list a training folder/);
  });

  it('a copy takes its snapshot under the same rules, whatever the run left in it', async () => {
    // a run's code runs in its snapshot: it can leave a FIFO and a link to / there
    const script = [
      'import os, sys',
      'if "--mess" in sys.argv:',
      '    os.mkfifo("pipe")',
      '    os.symlink("/", "root")',
      '    open("out.txt", "w").write("o")',
    ].join('\n');
    const source = writeTree(join(work, 'messy'), { 'train.py': script });
    const first = await settledTraining(
      bridge.client,
      (
        await bridge.client.api.createTraining({
          body: { source: { path: join(source, 'train.py') }, hyperparameters: { mess: '1' } },
        })
      ).id,
    );
    expect(first.state, first.stateReason ?? '').toBe('COMPLETE');
    // the copy runs without --mess: what its folder holds is what was copied
    const copy = await bridge.client.api.copyTraining({ params: { id: first.id }, body: { hyperparameters: {} } });
    expect(copy.source.files).toBe(2);
    expect((await settledTraining(bridge.client, copy.id)).state).toBe('COMPLETE');
    expect(readdirSync(join(copy.dir, 'source')).sort()).toEqual(['out.txt', 'train.py']);
  });
});
