import { spawn } from 'node:child_process';
import { emkitChildEnv } from '../runtime/local-executor.js';
import { HttpError } from '../server/errors.js';

/** The runner's check reads a few rows at most; past this it is stuck (a slow mount), not checking. */
const CHECK_TIMEOUT_MS = 60_000;
const KEEP_BYTES = 64 * 1024;

/** What `python -m emkit.evaluation --check spec.json` prints on stdout when the data won't do, as one JSON line. */
interface CheckFailure {
  error?: { code?: string; message?: string; field?: string | null; columns?: unknown };
  message?: string;
  field?: string | null;
}

function lastJsonLine(text: string): CheckFailure | undefined {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.trim().startsWith('{')) continue;
    try {
      return JSON.parse(line) as CheckFailure;
    } catch {
      // not the runner's answer
    }
  }
  return undefined;
}

/**
 * The runner's synchronous check of the data against the spec, in the python the evaluation will run with: the
 * label column is there (else 422 naming it and the columns found), the file has rows, the format reads. What
 * the bridge can't know without reading the data the way the runner does.
 */
export async function checkWithRunner(python: string, specPath: string, emkitPath: string, cwd: string): Promise<void> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(python, ['-m', 'emkit.evaluation', '--check', specPath], {
        cwd,
        env: emkitChildEnv(emkitPath),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        if (stdout.length < KEEP_BYTES) stdout += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-KEEP_BYTES);
      });
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // gone already
        }
      }, CHECK_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new HttpError(422, 'unprocessable', `could not start ${python}: ${error.message}`, 'environment'));
      });
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout, stderr });
      });
    },
  );
  if (code === 0) return;
  const answer = lastJsonLine(stdout);
  const message = answer?.error?.message ?? answer?.message;
  if (message) {
    const field = answer?.error?.field ?? answer?.field ?? 'data';
    throw new HttpError(422, 'unprocessable', message, field ?? undefined);
  }
  const last = stderr.trim().split('\n').at(-1) ?? '';
  throw new HttpError(
    422,
    'unprocessable',
    code === null
      ? `the evaluation runner's check of the data did not finish within ${CHECK_TIMEOUT_MS / 1000} s`
      : `the evaluation runner could not check the data (exit ${code})${last ? `: ${last}` : ''}`,
    'data',
  );
}
