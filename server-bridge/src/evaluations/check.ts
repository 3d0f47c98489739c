import { spawn } from 'node:child_process';
import { emkitChildEnv } from '../runtime/local-executor.js';
import { HttpError } from '../server/errors.js';

/** The runner's check reads a few rows at most; past this it is stuck (a slow mount), not checking. */
const CHECK_TIMEOUT_MS = 60_000;
const KEEP_BYTES = 64 * 1024;

/**
 * What `python -m emkit.evaluation --check spec.json` prints on stdout, one JSON line, exit 0 either way (2 when
 * the spec can't be read): `{"ok": true, …}` or `{"ok": false, "message", "field"}`, field the EvaluationCreate
 * field to fix.
 */
interface CheckAnswer {
  ok?: boolean;
  message?: string;
  field?: string | null;
}

function lastJsonLine(text: string): CheckAnswer | undefined {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.trim().startsWith('{')) continue;
    try {
      return JSON.parse(line) as CheckAnswer;
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
  const answer = lastJsonLine(stdout);
  if (answer?.ok === true && code === 0) return;
  if (answer?.ok === false && answer.message) {
    throw new HttpError(422, 'unprocessable', answer.message, answer.field ?? 'data');
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
