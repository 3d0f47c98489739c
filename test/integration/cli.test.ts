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
  const result = spawnSync(process.execPath, [cliPath, '--home', bridge.home, ...args], { encoding: 'utf8' });
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
});
