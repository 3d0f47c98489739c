import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmkitClient } from '@emkit/shared';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(repoRoot, 'server-bridge', 'dist', 'emkit.mjs');
/** The project's Python environment, which `npm run setup` makes. */
export const venvBin = join(repoRoot, '.venv', 'bin');

/**
 * process.env with the project's .venv first on the PATH, as `npm test` runs everything: a
 * test file run alone (`npx vitest run <file>`) then trains, builds environments and starts
 * TensorBoard with the .venv's Python, not whatever `python3` the shell finds first.
 */
export function projectEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${venvBin}${delimiter}${process.env.PATH ?? ''}`, ...env };
}

export interface TestBridge {
  url: string;
  token: string;
  home: string;
  kernelsDir: string;
  port: number;
  process: ChildProcess;
  client: EmkitClient;
  /** everything the bridge wrote to stdout and stderr so far */
  output(): string;
  /** SIGTERM and wait for exit */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit */
  kill9(): Promise<void>;
}

export function tempDir(prefix = 'emkit-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartOptions {
  home?: string;
  port?: number;
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

/** A real bridge process (the built CLI), on a free port with its own home and kernels dir. */
export async function startBridge(options: StartOptions = {}): Promise<TestBridge> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first`);
  const home = options.home ?? tempDir();
  const kernelsDir = join(home, 'kernels');
  const child = spawn(
    process.execPath,
    [
      cliPath,
      'serve',
      '--home',
      home,
      '--port',
      String(options.port ?? 0),
      '--kernels-dir',
      kernelsDir,
      '--log-level',
      'debug',
      ...(options.args ?? []),
    ],
    { env: projectEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const runtimeFile = join(home, 'runtime.json');
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`bridge did not start in 15 s:\n${output}`);
    if (existsSync(runtimeFile)) {
      try {
        const info = JSON.parse(readFileSync(runtimeFile, 'utf8')) as { url: string; token: string; pid: number };
        if (info.pid === child.pid) {
          const health = await fetch(`${info.url}/api/v1/health`);
          if (health.ok) {
            const port = Number(new URL(info.url).port);
            return {
              url: info.url,
              token: info.token,
              home,
              kernelsDir,
              port,
              process: child,
              client: new EmkitClient({ baseUrl: info.url, token: info.token }),
              output: () => output,
              stop: async () => {
                if (child.exitCode === null) child.kill('SIGTERM');
                await exited;
              },
              kill9: async () => {
                if (child.exitCode === null) child.kill('SIGKILL');
                await exited;
              },
            };
          }
        }
      } catch {
        // half-written or not listening yet
      }
    }
    await sleep(25);
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Poll `probe` until it returns something truthy. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * The CLI against a test bridge, without blocking the event loop (for commands that wait on
 * something the test's own bridge has to answer meanwhile, such as a Ray cluster coming up).
 */
export function emkitCli(
  bridge: { url: string; token: string },
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, '--url', bridge.url, '--token', bridge.token, ...args], {
      env: projectEnv(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
