import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetKind, DatasetPreview, DatasetSchema } from '@emkit/shared';
import { emkitChildEnv } from '../runtime/local-executor.js';
import { HttpError } from '../server/errors.js';

/** What the scanner may read of one dataset: files, bytes, one file's bytes. */
export interface ScanLimits {
  maxFiles: number;
  maxBytes: number;
  maxFileBytes: number;
}

export const DEFAULT_SCAN_LIMITS: ScanLimits = {
  maxFiles: 100_000,
  maxBytes: 10 * 1024 * 1024 * 1024,
  maxFileBytes: 2 * 1024 * 1024 * 1024,
};

/** What `python -m emkit.datasets scan` writes: one version's content, described. */
export interface ScanResult {
  kind: DatasetKind;
  format: DatasetSchema['format'];
  schema: DatasetSchema;
  sha256: string;
  bytes: number;
  files: number;
  fingerprint: string;
  preview: Pick<DatasetPreview, 'rows' | 'samples'>;
}

/** What `check` prints: has a referenced path changed since its version? */
export interface CheckResult {
  same: boolean;
  hashed: boolean;
  sha256: string | null;
  reason?: string;
}

export interface ScannerOptions {
  python: string;
  emkitImportPath: string;
  limits: ScanLimits;
  /** a scan that takes longer is stuck (a slow mount), not scanning */
  timeoutMs?: number;
}

const KEEP_BYTES = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** the scanner's exit status for data it refuses: one JSON line `{"message"}` on stdout */
const REFUSED = 3;

/**
 * The Python side of datasets (`python -m emkit.datasets scan|check|unzip spec.json`), run synchronously
 * with an argument array, a timeout, and the bridge's own emkit package first on PYTHONPATH. Data the
 * scanner refuses is a 422 on `field`.
 */
export class DatasetScanner {
  constructor(private readonly options: ScannerOptions) {}

  /** Scans `path` (spec and output in `workDir`). */
  async scan(path: string, workDir: string, field: string): Promise<ScanResult> {
    const output = join(workDir, 'scan.json');
    await this.run('scan', workDir, { path, output, limits: this.options.limits }, field);
    return JSON.parse(await readFile(output, 'utf8')) as ScanResult;
  }

  async check(path: string, workDir: string, expected: { fingerprint: string; sha256: string }, field: string) {
    const { fingerprint, sha256 } = expected;
    const stdout = await this.run('check', workDir, { path, limits: this.options.limits, fingerprint, sha256 }, field);
    return JSON.parse(lastLine(stdout)) as CheckResult;
  }

  /** Unpacks `archive` into the new folder `into`; answers the dataset's root in it. */
  async unzip(archive: string, into: string, stem: string, workDir: string): Promise<string> {
    const stdout = await this.run('unzip', workDir, { archive, into, stem, limits: this.options.limits }, 'body');
    return (JSON.parse(lastLine(stdout)) as { root: string }).root;
  }

  private async run(command: string, workDir: string, spec: object, field: string): Promise<string> {
    const specPath = join(workDir, `${command}-spec.json`);
    await writeFile(specPath, JSON.stringify(spec));
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(this.options.python, ['-m', 'emkit.datasets', command, specPath], {
          cwd: workDir,
          env: emkitChildEnv(this.options.emkitImportPath),
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => {
          if (out.length < KEEP_BYTES) out += chunk.toString('utf8');
        });
        child.stderr.on('data', (chunk: Buffer) => {
          err = (err + chunk.toString('utf8')).slice(-KEEP_BYTES);
        });
        const timer = setTimeout(() => {
          try {
            process.kill(-(child.pid as number), 'SIGKILL');
          } catch {
            // gone already
          }
        }, timeoutMs);
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(
            new HttpError(500, 'internal', `could not start the dataset scanner (${this.options.python}): ${error.message}`),
          );
        });
        child.once('close', (exitCode) => {
          clearTimeout(timer);
          resolve({ code: exitCode, stdout: out, stderr: err });
        });
      },
    );
    if (code === 0) return stdout;
    if (code === REFUSED) {
      const message = (JSON.parse(lastLine(stdout)) as { message: string }).message;
      throw new HttpError(422, 'unprocessable', message, field);
    }
    const last = stderr.trim().split('\n').at(-1) ?? '';
    throw new HttpError(
      422,
      'unprocessable',
      code === null
        ? `the dataset scanner did not finish within ${timeoutMs / 1000} s`
        : `the dataset scanner could not read the data (exit ${code})${last ? `: ${last}` : ''}`,
      field,
    );
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .reverse()
      .find((line) => line.trim().startsWith('{')) ?? '{}'
  );
}
