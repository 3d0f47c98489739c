import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

/** What `runtime.json` holds: how other tools find and authenticate to a running bridge. */
export interface RuntimeInfo {
  url: string;
  token: string;
  pid: number;
  version: string;
  home: string;
  startedAt: string;
}

/** Written whole or not at all (temp file + rename), readable only by the user. */
export function writeRuntimeFile(file: string, info: RuntimeInfo): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

export function readRuntimeFile(file: string): RuntimeInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/** Remove it only if it is still ours: a newer bridge may have taken the home. */
export function removeRuntimeFile(file: string, pid: number): void {
  if (readRuntimeFile(file)?.pid === pid) rmSync(file, { force: true });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The token survives restarts so connected editors keep working; delete the file to rotate it. */
export function readOrCreateToken(file: string): string {
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 32) return token;
  }
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}
