import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Writable } from 'node:stream';
import { childEnv } from './child-env.js';

/** The executable's full path if it is on the PATH. */
export function which(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly tail: string,
  ) {
    super(message);
  }
}

const TAIL_LINES = 25;

/**
 * Run a program (never a shell string) with its output appended to `log`.
 * It runs in its own process group so `signal` can end it and everything it started.
 * Rejects with the tail of its output when it fails, for error messages; `label`
 * names the step there ("pip install") better than the binary's path would.
 */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { log: Writable; env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; label?: string },
): Promise<string> {
  return new Promise((resolve, reject) => {
    options.log.write(`$ ${[command, ...args].join(' ')}\n`);
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail: string[] = [];
    let stdout = '';
    const keep = (chunk: Buffer, isStdout: boolean) => {
      options.log.write(chunk);
      const text = chunk.toString('utf8');
      if (isStdout && stdout.length < 65_536) stdout += text;
      tail = tail.concat(text.split('\n')).slice(-TAIL_LINES - 1);
    };
    child.stdout.on('data', (chunk: Buffer) => keep(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => keep(chunk, false));
    const abort = () => {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', abort);
      reject(new CommandError(`${command} could not start: ${error.message}`, null, ''));
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      const text = tail.join('\n').trim();
      if (code === 0) resolve(stdout);
      else
        reject(
          new CommandError(
            `${options.label ?? command.split('/').pop()} failed (${signal ? `signal ${signal}` : `exit ${code}`})`,
            code,
            text,
          ),
        );
    });
  });
}
