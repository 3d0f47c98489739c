import { spawn } from 'node:child_process';
import { emkitChildEnv } from '../runtime/local-executor.js';
import { HttpError } from '../server/errors.js';

/** A window over a long table on a busy machine takes seconds; past this it is stuck, not computing. */
const RUN_TIMEOUT_MS = 120_000;
const KEEP_BYTES = 1024 * 1024;

export type DriftMode = 'window' | 'check' | 'sample';

export interface DriftRunner {
  python: string;
  emkitImportPath: string;
  /** where the process runs (the bridge's home) */
  cwd: string;
}

interface Answer {
  ok?: boolean;
  status?: number;
  message?: string;
  field?: string | null;
}

function lastJsonLine(text: string): Answer | undefined {
  for (const line of text.trim().split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      return JSON.parse(line) as Answer;
    } catch {
      // not the answer line
    }
  }
  return undefined;
}

/**
 * `python -m emkit.drift <mode> -` with the spec on stdin (an argument array, no shell), in the
 * bridge's own Python: its one JSON line, or an HttpError with the status and field it gives.
 */
export async function runDrift<T>(runner: DriftRunner, mode: DriftMode, spec: object): Promise<T> {
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(runner.python, ['-m', 'emkit.drift', mode, '-'], {
        cwd: runner.cwd,
        env: emkitChildEnv(runner.emkitImportPath),
        stdio: ['pipe', 'pipe', 'pipe'],
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
      }, RUN_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new HttpError(503, 'not_ready', `could not start ${runner.python} for drift: ${error.message}`));
      });
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, stdout, stderr });
      });
      child.stdin.on('error', () => {
        // it ended before reading its spec: its exit says why
      });
      child.stdin.end(JSON.stringify(spec));
    },
  );
  const answer = lastJsonLine(stdout);
  if (answer?.ok === true && code === 0) return answer as T;
  if (answer?.ok === false && answer.message) {
    const status = answer.status ?? 422;
    const codeName = status === 422 ? 'unprocessable' : status === 503 ? 'not_ready' : 'internal';
    throw new HttpError(status, codeName, answer.message, answer.field ?? undefined);
  }
  const last = stderr.trim().split('\n').at(-1) ?? '';
  throw new HttpError(
    500,
    'internal',
    code === null
      ? `the drift computation did not finish within ${RUN_TIMEOUT_MS / 1000} s`
      : `the drift computation failed (exit ${code})${last ? `: ${last}` : ''}`,
  );
}
