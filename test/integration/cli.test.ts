import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, removeDir, startBridge, type TestBridge, tempDir } from '../support/bridge.js';
import { writeTree } from '../support/trainings.js';

let bridge: TestBridge;
beforeAll(async () => {
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge.stop();
  removeDir(bridge.home);
});

function emkit(...args: string[]) {
  return emkitWith('', ...args);
}

/** With `input` on stdin (empty: stdin is an empty pipe, not a terminal). */
function emkitWith(input: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8', input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the emkit CLI', () => {
  it('status finds the bridge through runtime.json', () => {
    const { code, stdout } = emkit('status', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ home: bridge.home, pid: bridge.process.pid });
  });

  it('creates, lists, shows and deletes experiments, as a table and as JSON', () => {
    expect(emkit('experiment', 'create', 'cli-exp', '--description', 'from the CLI').code).toBe(0);
    const table = emkit('experiment', 'list');
    expect(table.stdout).toMatch(/^NAME\s+STATE\s+DESCRIPTION\s+CREATED/);
    expect(table.stdout).toMatch(/cli-exp\s+ACTIVE\s+from the CLI/);
    const json = JSON.parse(emkit('experiment', 'list', '--json').stdout) as { name: string }[];
    expect(json.map((e) => e.name)).toContain('cli-exp');
    expect(JSON.parse(emkit('exp', 'get', 'cli-exp', '--json').stdout).description).toBe('from the CLI');
    expect(emkit('experiment', 'delete', 'cli-exp').code).toBe(0);
  });

  it('exits with codes that mean something', () => {
    expect(emkit('experiment', 'get', 'nope').code).toBe(4);
    expect(emkit('experiment', 'create', 'dup').code).toBe(0);
    const conflict = emkit('experiment', 'create', 'dup');
    expect(conflict.code).toBe(5);
    expect(conflict.stderr).toMatch(/already exists/);
    const invalid = emkit('experiment', 'create', 'Bad Name');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/name/);
    expect(emkit('experiment', 'frobnicate').code).toBe(2);
    const elsewhere = tempDir();
    const none = spawnSync(process.execPath, [cliPath, '--home', elsewhere, 'status'], { encoding: 'utf8' });
    removeDir(elsewhere);
    expect(none.status).toBe(3);
    expect(none.stderr).toMatch(/no emkit bridge is running/);
    const badToken = spawnSync(process.execPath, [cliPath, '--url', bridge.url, '--token', 'wrong', 'status'], {
      encoding: 'utf8',
    });
    expect(badToken.status).toBe(7);
  });

  it('refuses to start a second bridge on the same home', () => {
    const second = spawnSync(process.execPath, [cliPath, 'serve', '--home', bridge.home, '--port', '0'], { encoding: 'utf8' });
    expect(second.status).toBe(5);
    expect(second.stderr).toMatch(/already serves/);
  });

  it('lists the environment managers this machine has', () => {
    const { code, stdout } = emkit('env', 'managers');
    expect(code).toBe(0);
    expect(stdout).toMatch(/venv\s+yes/);
  });

  it('trains with --hp and --wait: the log on stderr, exit 0 when COMPLETE and 6 when not', () => {
    const dir = writeTree(tempDir(), {
      'ok.py': 'import sys\nprint("training with", sys.argv[1:])\n',
      'fail.py': 'raise SystemExit(4)\n',
    });
    try {
      const ok = emkit(
        'train',
        join(dir, 'ok.py'),
        '--hp',
        'lr=0.1',
        '--hp',
        'epochs=2',
        '--experiment',
        'cli-train',
        '--wait',
        '--json',
      );
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toContain("training with ['--lr', '0.1', '--epochs', '2']");
      const training = JSON.parse(ok.stdout) as { name: string; state: string; experimentName: string };
      expect(training).toMatchObject({ state: 'COMPLETE', experimentName: 'cli-train' });
      expect(emkit('training', 'list', '--experiment', 'cli-train').stdout).toMatch(
        new RegExp(`${training.name}\\s+cli-train\\s+COMPLETE`),
      );
      expect(emkit('training', 'log', training.name).stdout).toContain('training with');

      const failed = emkit('train', join(dir, 'fail.py'), '--wait', '--max-time', '1m');
      expect(failed.code).toBe(6);
      expect(failed.stdout).toMatch(/FAIL TRAIN/);
      expect(emkit('train', join(dir, 'ok.py'), '--hp', 'no-equals-sign').code).toBe(2);
      expect(emkit('train', join(dir, 'ok.py'), '--max-time', 'soon').code).toBe(2);
      expect(emkit('train', join(dir, 'absent.py')).code).toBe(1);
    } finally {
      removeDir(dir);
    }
  });

  it("refuses pairs by the editors' rule, before calling the bridge: no '=', a bad key, a key twice, an empty path", () => {
    const refusals: [string[], string][] = [
      [['--hp', 'no-equals-sign'], '"no-equals-sign" is not key=value.'],
      [['--hp', 'learning.rate=1'], '"learning.rate" is not a hyperparameter key'],
      [['--hp', 'lr=1', '--hp', 'lr=2'], '"lr" is given twice.'],
      [['--dataset', 'train='], '"train" needs a value after "=".'],
      [['--tag', 'a b=1'], '"a b" is not a tag key'],
    ];
    for (const [args, message] of refusals) {
      const refused = emkit('train', '/nowhere/ok.py', ...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });

  it('endpoint commands: wrong usage exits 2 before calling the bridge, an unknown endpoint 4', () => {
    const usage: string[][] = [
      ['endpoint', 'create', 'ep'], // no --model
      ['endpoint', 'create', 'ep', '--model', 'm', '--instances', '0'],
      ['endpoint', 'create', 'ep', '--model', 'm', '--tag', 'no-equals-sign'],
      ['endpoint', 'stage', 'add', 'ep', 'canary'], // no --model
      ['endpoint', 'stage', 'delete', 'ep'], // no stage
      ['endpoint', 'switch', 'ep'],
      ['endpoint', 'stats', 'ep', '--minutes', 'soon'],
      ['endpoint', 'logs', 'ep', '--level', 'DEBUG'],
      ['endpoint', 'logs', 'ep', '--limit', '-1'],
      ['endpoint', 'frobnicate'],
      ['predict', 'ep', '--data', '[1'], // not JSON
      ['predict', 'ep', '--data', '{"inputs": [1]}'], // neither {"instances": [...]} nor an array
      ['predict', 'ep', '--data', '[1]', '--file', 'x.json'],
      ['predict', 'ep', '--file', join(bridge.home, 'absent.json')],
      ['predict', 'ep'], // nothing on stdin
    ];
    for (const args of usage) {
      const { code, stderr } = emkit(...args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(2);
    }
    expect(emkit('predict', 'ep', '--data', '{"inputs": [1]}').stderr).toMatch(/instances/);
    expect(emkit('endpoint', 'create', 'Bad Name', '--model', 'm').code).toBe(2);

    const missing: string[][] = [
      ['endpoint', 'get', 'no-such-endpoint'],
      ['endpoint', 'delete', 'no-such-endpoint'],
      ['endpoint', 'stats', 'no-such-endpoint'],
      ['endpoint', 'logs', 'no-such-endpoint'],
      ['endpoint', 'switch', 'no-such-endpoint', 'canary'],
      ['endpoint', 'stage', 'get', 'no-such-endpoint', 'canary'],
      ['endpoint', 'stage', 'delete', 'no-such-endpoint', 'canary'],
      ['endpoint', 'stage', 'add', 'no-such-endpoint', 'canary', '--model', 'm'],
      ['predict', 'no-such-endpoint', '--data', '[1]'],
      ['predict', 'no-such-endpoint', '--stage', 'canary', '--data', '{"instances": [1]}'],
    ];
    for (const args of missing) {
      const { code, stderr } = emkit(...args);
      expect(code, `${args.join(' ')}: ${stderr}`).toBe(4);
    }
    const json = emkit('endpoint', 'get', 'no-such-endpoint', '--json');
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'not_found', status: 404 } });
  });

  it('deploys a model with `endpoint create --wait`, predicts with it and deletes it; a failed one exits 6', () => {
    const dir = writeTree(tempDir(), {
      'echo/predict.py': 'def predict(instances):\n    return instances\n',
      'broken/predict.py':
        'def load():\n    raise RuntimeError("no weights here")\n\ndef predict(instances):\n    return instances\n',
    });
    try {
      expect(emkit('model', 'create', 'cli-echo', '--path', join(dir, 'echo')).code).toBe(0);
      const created = emkit(
        'endpoint',
        'create',
        'cli-ep',
        '--model',
        'cli-echo',
        '--api-key',
        '--tag',
        'team=ml',
        '--wait',
        '--json',
      );
      expect(created.code, created.stderr).toBe(0);
      const endpoint = JSON.parse(created.stdout) as { state: string; defaultStage: string; apiKey?: string; tags: object };
      expect(endpoint).toMatchObject({ state: 'ACTIVE', defaultStage: 'default', tags: { team: 'ml' } });
      expect(endpoint.apiKey).toEqual(expect.any(String)); // shown once, kept through --wait
      expect(emkit('endpoint', 'list').stdout).toMatch(/cli-ep\s+ACTIVE\s+default\s+cli-echo:1\s+default\s+yes/);
      expect(emkit('endpoint', 'get', 'cli-ep').stdout).toMatch(/default\s+yes\s+ACTIVE\s+cli-echo:1\s+1\/1/);

      // a bare array, a whole document on stdin, one stage by name
      const predicted = emkit('predict', 'cli-ep', '--data', '[[1, 2], "a"]');
      expect(predicted.code, predicted.stderr).toBe(0);
      expect(predicted.stdout).toBe('[1,2]\n"a"\n');
      const piped = emkitWith('{"instances": [3]}', 'predict', 'cli-ep', '--stage', 'default', '--json');
      expect(piped.code, piped.stderr).toBe(0);
      expect(JSON.parse(piped.stdout)).toEqual({ predictions: [3] });
      expect(emkit('predict', 'cli-ep', '--stage', 'no-such-stage', '--data', '[1]').code).toBe(4);

      const stats = emkit('endpoint', 'stats', 'cli-ep', '--json');
      expect(stats.code, stats.stderr).toBe(0);
      const counted = (JSON.parse(stats.stdout) as { minutes: { count: number }[] }).minutes.reduce((n, m) => n + m.count, 0);
      expect(counted).toBeGreaterThanOrEqual(2);
      expect(emkit('endpoint', 'logs', 'cli-ep').code).toBe(0);

      expect(emkit('endpoint', 'stage', 'delete', 'cli-ep', 'default').code).toBe(5); // never the default stage
      expect(emkit('endpoint', 'delete', 'cli-ep').code).toBe(0);
      expect(emkit('endpoint', 'get', 'cli-ep').code).toBe(4);

      expect(emkit('model', 'create', 'cli-broken', '--path', join(dir, 'broken')).code).toBe(0);
      const failed = emkit('endpoint', 'create', 'cli-broken-ep', '--model', 'cli-broken', '--wait');
      expect(failed.code).toBe(6);
      expect(failed.stdout).toMatch(/CREATE FAILED/);
      expect(failed.stderr).toMatch(/CREATE FAILED: .*no weights here/s);
      expect(emkit('endpoint', 'delete', 'cli-broken-ep').code).toBe(0);
    } finally {
      removeDir(dir);
    }
  });
});
